// The ceiling for `list --all`: the least a client on this stack can do to export every person.
// Plain undici, one page at a time, each page written to stdout as the raw bytes received; the
// only parsing is finding the `next` link at the end of the page. No rendering, no JSON.parse.
//
// usage: node raw-export.mjs <host> <project> <page size>   (key in POSTHOG_PERSONAL_API_KEY)
import { Agent } from 'undici';

const [host, project, pageSize] = process.argv.slice(2);
const dispatcher = new Agent();
const headers = { authorization: `Bearer ${process.env.POSTHOG_PERSONAL_API_KEY}` };
const origin = new URL(host).origin;

function write(buffer) {
  if (process.stdout.write(buffer)) return undefined;
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

let path = `/api/projects/${project}/persons/?limit=${pageSize}`;
while (path) {
  const res = await dispatcher.request({ origin, path, method: 'GET', headers });
  const chunks = [];
  for await (const chunk of res.body) chunks.push(chunk);
  const page = Buffer.concat(chunks);
  if (res.statusCode !== 200) throw new Error(`${res.statusCode}: ${page.toString('utf8', 0, 300)}`);
  await write(page);
  await write('\n');
  // The page ends with ..."next":"<url>"|null,"previous":...}; only that tail is decoded.
  const tail = page.toString('utf8', page.lastIndexOf('"next":'));
  const next = /^"next":("(?:[^"\\]|\\.)*"|null)/.exec(tail)?.[1];
  if (next === undefined) throw new Error('no "next" in the page');
  path = next === 'null' ? null : (() => {
    const url = new URL(JSON.parse(next));
    return url.pathname + url.search;
  })();
}
await dispatcher.close();
