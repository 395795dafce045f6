// The handle startSandbox() returns. It lives apart from types.ts because it names the store,
// and the store (through its options and seed) depends on the types in types.ts.

import type { SandboxStore } from './store.js';
import type { MutableSandboxOptions, RequestLogEntry, ScriptedFault } from './types.js';

export interface Sandbox {
  url: string;
  port: number;
  projectId: number;
  requests: RequestLogEntry[];
  clearRequests(): void;
  writes(): RequestLogEntry[];
  script(...faults: ScriptedFault[]): void;
  setOptions(patch: MutableSandboxOptions): void;
  /**
   * Calls `listener` with each API request once its answer is made and before it is sent, so a
   * test can change the project between two pages of a listing; returns the unsubscribe function.
   */
  afterAnswer(listener: (entry: RequestLogEntry) => void): () => void;
  store: SandboxStore;
  close(): Promise<void>;
}
