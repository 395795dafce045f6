// The part of undici the HTTP layer uses: its Agent and the Agent's request() method.
//
// Why not `import { Agent } from 'undici'`: undici's index evaluates all of undici (fetch,
// WebSocket, EventSource, cookies, caches, mocks) and, through their use of the global Headers,
// Node's own bundled copy of undici as well. Measured on `get`: about 35 ms of CPU at start-up,
// a quarter of the command, for code no command runs. These three modules are all that
// `new Agent(...).request(...)` needs.
import { setFlagsFromString } from 'node:v8';
import type { Agent as UndiciAgent } from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';
import request from 'undici/lib/api/api-request.js';

// undici's index puts its request API on Dispatcher.prototype; loaded directly, the Agent does
// not have it yet. The same function, so nothing changes when the full index is loaded too.
const prototype = DispatcherClass.prototype as { request?: unknown };
prototype.request ??= request;

// undici parses HTTP with llhttp compiled to WebAssembly. V8 compiles it with its baseline
// compiler (Liftoff), then soon compiles it again with TurboFan on background threads: measured
// at 35 MB of extra peak RSS, and about 70 ms that Node spends waiting for those threads before
// it exits, for a parser that here reads a few headers and skips over bodies. Liftoff's code is
// enough. Set before the first connection, when undici compiles llhttp; the CLI runs no other
// WebAssembly.
setFlagsFromString('--liftoff-only');

export const Agent: typeof UndiciAgent = AgentClass;
