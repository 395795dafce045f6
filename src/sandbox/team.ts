// One project's share of the primary store: its persons under each key, its list index, its
// activity and its deletion rows. Apart from store.ts so that store-apply.ts can name it without
// importing the store.

import type { ListIndex } from './list-index.js';
import type { ActivityEntry, DeletionStatusRow, PersonRecord } from './model.js';

export interface TeamState {
  id: number;
  persons: Map<string, PersonRecord>;
  byDistinctId: Map<string, PersonRecord>;
  byPk: Map<number, PersonRecord>;
  index: ListIndex;
  activity: ActivityEntry[];
  deletions: DeletionStatusRow[];
  /** reset_person_distinct_id calls: each distinct_id with when it was last reset (created on first use) */
  resets?: Map<string, number>;
}
