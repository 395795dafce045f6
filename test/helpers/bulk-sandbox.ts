// A sandbox of numbered persons for the bulk-run tests that kill, signal or lock a run: each file
// names its persons with its own prefix and UUID block, so files never touch each other's data.
// Before each test the persons deleted by the previous one come back, the latency is reset and
// the request log is empty.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

/**
 * Registers the hooks and hands the started sandbox to `started`. `prefix` starts the
 * distinct_ids (`kill-0001`); `uuidBlock` is the three hex digits after the UUIDs' leading 0.
 */
export function useBulkSandbox(
  persons: number,
  prefix: string,
  uuidBlock: string,
  started: (sandbox: Sandbox) => void,
): { did: (i: number) => string; uuidOf: (i: number) => string } {
  let sandbox: Sandbox | undefined;
  const did = (i: number) => `${prefix}-${String(i).padStart(4, '0')}`;
  const uuidOf = (i: number) => `0${uuidBlock}0000-0000-7000-8000-${String(i).padStart(12, '0')}`;
  beforeAll(async () => {
    sandbox = await startSandbox({ persons: 0, writeLagMs: 0 });
    started(sandbox);
  });
  beforeEach(() => {
    sandbox!.setOptions({ latencyMs: 0 });
    for (let i = 0; i < persons; i++) {
      if (!sandbox!.store.person(uuidOf(i))) sandbox!.store.addPerson({ uuid: uuidOf(i), distinctIds: [did(i)] });
    }
    sandbox!.clearRequests();
  });
  afterAll(() => sandbox?.close());
  return { did, uuidOf };
}
