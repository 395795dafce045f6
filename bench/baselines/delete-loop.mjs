// What other persons CLIs do to delete a list of persons: one `DELETE /persons/{uuid}/` a person.
// Plain undici, with as many requests in flight as `delete` uses by default (4), and the UUIDs
// handed to it for free (a real tool would first have to look each distinct_id up).
//
// usage: node delete-loop.mjs <host> <project> <uuids file> [concurrency]
//        prints one JSON line: { requests, statuses }
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';

const [host, project, file, concurrencyArg] = process.argv.slice(2);
const uuids = readFileSync(file, 'utf8').split('\n').filter(Boolean);
const concurrency = Number(concurrencyArg ?? 4);
const dispatcher = new Agent({ connections: concurrency });
const origin = new URL(host).origin;
const headers = { authorization: `Bearer ${process.env.POSTHOG_PERSONAL_API_KEY}` };
const statuses = {};
let requests = 0;
let next = 0;

async function worker() {
  while (next < uuids.length) {
    const uuid = uuids[next++];
    const res = await dispatcher.request({ origin, path: `/api/projects/${project}/persons/${uuid}/`, method: 'DELETE', headers });
    await res.body.dump();
    requests++;
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
  }
}

await Promise.all(Array.from({ length: concurrency }, worker));
await dispatcher.close();
process.stdout.write(`${JSON.stringify({ requests, statuses })}\n`);
