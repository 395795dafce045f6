// `delete --where …` (and --email, --search, --properties): the persons a query selects, deleted
// by UUID through bulk_delete from a snapshot taken before the first write
// (src/bulk/engine/run-selection.ts); the batches are those of every delete (src/bulk/ops/delete.ts).
import type { Factory } from '../../factory.js';
import type { PersonsApi } from '../../api/persons.js';
import type { PersonQueryFlags } from '../../filters/person-query.js';
import { plural } from '../../output/message-text.js';
import { runFromSelection } from '../engine/run-selection.js';
import { deleteCore, describeDeletion, settingsOf, type DeletePlan, type DeleteRunOptions } from './delete.js';

export async function deleteSelected(
  factory: Factory,
  api: PersonsApi,
  plan: DeletePlan,
  options: DeleteRunOptions & { expect?: number },
  query: PersonQueryFlags,
): Promise<void> {
  const core = deleteCore(factory, api, plan, options, 'uuid');
  await runFromSelection(
    factory,
    api,
    core,
    {
      action: (whom) => describeDeletion(plan.flags, whom),
      requests: (toSend) => `${plural(Math.ceil(toSend / plan.batchSize), 'bulk_delete request')} of up to ${plan.batchSize.toLocaleString('en-US')}`,
      done: 'deleted',
      single: (uuid) => `${capitalize(describeDeletion(plan.flags, `person ${uuid}`, true))}?`,
      nothingDone: 'Nothing was deleted.',
    },
    query,
    options,
    settingsOf(plan),
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
