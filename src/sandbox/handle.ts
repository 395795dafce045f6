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
  store: SandboxStore;
  close(): Promise<void>;
}
