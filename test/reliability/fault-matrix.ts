// The fault matrix, as data: each row is one fault the sandbox injects (or a closed port, or a
// real server answer), the command that meets it, and what the user must see. fault-matrix.test.ts
// runs every row; docs/reliability.md ("Fault matrix") is rendered from these rows
// (reliability-doc.ts), and a test fails when the two disagree.
//
// Placeholders, replaced when a row runs: {url} the sandbox, {target} a second server on another
// origin, {closed} a port nobody listens on, {dir} the row's working folder.
import type { ScriptedFault } from '../../src/sandbox/index.js';

/** The person every row's sandbox holds (besides nothing else), so bodies and output are fixed. */
export const FIXTURE = {
  pk: 101,
  uuid: '01900000-0000-7000-8000-00000000f001',
  distinctIds: ['matrix-user', 'matrix-device'],
  properties: { email: 'matrix@example.com', plan: 'free' },
  createdAt: '2024-01-01T00:00:00.000Z',
} as const;

/** A uuid no person has. */
export const MISSING_UUID = '01900000-0000-7000-8000-0000000000ff';

export interface FaultRow {
  id: string;
  /** the fault, as the quality bar names it */
  fault: string;
  /** what the quality bar expects */
  bar: string;
  /** scripted on the sandbox before the command runs */
  faults?: ScriptedFault[];
  /** the command (after `posthog-persons`) */
  args: string[];
  env?: Record<string, string>;
  /** the key to use instead of the full-access sandbox key */
  key?: 'read' | 'wrong';
  /** 'closed-port' points the CLI at a port nobody listens on */
  target?: 'sandbox' | 'closed-port';
  /** a row that needs more than the generic checks (see fault-matrix.test.ts) */
  special?: 'backoff-gaps' | 'all-workers-pause' | 'redirect-target';
  expect: {
    code: number;
    /** exact stdout; '' when omitted */
    stdout?: string;
    /** exact stderr */
    stderr: string;
    /**
     * What the server saw, in order: "route status" per request from the sandbox request log,
     * then the fault it played when that was more than a status ("reset", "html", …).
     * For a closed port: the attempts the --debug log shows.
     */
    log: string[];
    /** retries of the failing request (attempts after the first) */
    retries: number;
    /** the run takes at least this long (a wait that must really happen) */
    minMs?: number;
  };
}

const LIST = ['list', '--limit', '1', '--fields', 'uuid'];
/** A second person uuid, only ever in scripted answers. */
const OTHER_UUID = '01900000-0000-7000-8000-00000000f002';

/** A list page as PostHog shapes it, for scripted answers ({url} is filled in when the row runs). */
function page(uuids: string[], next: string | null): unknown {
  return {
    results: uuids.map((uuid) => ({
      type: 'person',
      id: uuid,
      uuid,
      name: uuid,
      distinct_ids: [`d-${uuid.slice(-4)}`],
      properties: {},
      is_identified: false,
      created_at: FIXTURE.createdAt,
    })),
    next,
    previous: null,
  };
}
const listOk = `${FIXTURE.uuid}\n`;
const persons = '/persons/';
const retrieve = `/persons/${FIXTURE.uuid}/`;

const fiveXx = (status: number, detail: string): FaultRow => ({
  id: `${status}`,
  fault: `${status} on every attempt`,
  bar: 'retry requests that are safe to repeat; clear error and exit 1 after the last try',
  faults: [{ path: persons, kind: 'status', status, times: 3 }],
  args: ['--retries', '2', ...LIST],
  expect: {
    code: 1,
    stderr: `error: PostHog answered ${status}: ${detail}\nPostHog is having trouble; try again later.\n`,
    log: [`list ${status}`, `list ${status}`, `list ${status}`],
    retries: 2,
  },
});

export const FAULT_MATRIX: FaultRow[] = [
  {
    id: '429-retry-after',
    fault: '429 with `Retry-After: 4`',
    bar: 'wait that long, announce a long wait, retry, finish',
    faults: [{ path: persons, kind: 'status', status: 429, headers: { 'Retry-After': '4' } }],
    args: LIST,
    expect: {
      code: 0,
      stdout: listOk,
      stderr: 'Rate limited by PostHog (429); retrying in 4.0 s (attempt 2 of 6).\n',
      log: ['list 429', 'list 200'],
      retries: 1,
      minMs: 4000,
    },
  },
  {
    id: '429-no-retry-after',
    fault: '429 without `Retry-After`, twice',
    bar: 'back off exponentially with jitter, retry',
    faults: [{ path: persons, kind: 'status', status: 429, times: 2 }],
    // A 400 ms base makes the schedule measurable: waits in [200, 400] then [400, 800] ms.
    env: { POSTHOG_PERSONS_BACKOFF_MS: '400' },
    special: 'backoff-gaps',
    args: LIST,
    expect: { code: 0, stdout: listOk, stderr: '', log: ['list 429', 'list 429', 'list 200'], retries: 2, minMs: 600 },
  },
  {
    id: '429-exhausted',
    fault: '429 on every attempt',
    bar: 'exit 6 once the retries are spent, saying what to do',
    faults: [{ path: persons, kind: 'status', status: 429, headers: { 'Retry-After': '1' }, times: 3 }],
    args: ['--retries', '2', ...LIST],
    expect: {
      code: 6,
      stderr:
        'error: PostHog kept rate limiting the requests (429): Request was throttled. Expected available in 1 second. Retry-After was 1 s.\n' +
        'Wait a minute and rerun (bulk runs: with --resume), or lower --rate-limit so the run stays under the limit.\n',
      log: ['list 429', 'list 429', 'list 429'],
      retries: 2,
      minMs: 2000,
    },
  },
  {
    id: '429-bulk-all-workers',
    fault: '429 with `Retry-After: 1` on a bulk delete with 4 requests in flight (sandbox latency 300 ms)',
    bar: 'every worker waits, the batch is retried, nothing is lost',
    faults: [{ path: '/persons/bulk_delete/', kind: 'status', status: 429, headers: { 'Retry-After': '1' } }],
    special: 'all-workers-pause',
    // --no-lookup: the round of four concurrent bulk_delete requests is what this row watches
    args: ['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '50', '--concurrency', '4', '--no-lookup'],
    expect: {
      code: 0,
      stderr:
        'About to delete the persons of 400 distinct_ids from ids.txt, in project 1 at {url}:\n' +
        '  400 rows: 400 unique identifiers, 0 blank, 0 duplicates\n' +
        '  8 bulk_delete requests of up to 50, 4 at a time.\n' +
        'Journal: {dir}/ids.txt.delete.journal.jsonl\n' +
        'Done (by distinct_id):\n' +
        '  requested            400\n' +
        '  found                400\n' +
        '  deleted              400\n' +
        '  queued for deletion    0\n' +
        '  not found              0\n' +
        '  failed                 0\n' +
        '  skipped                0\n' +
        'Journal: {dir}/ids.txt.delete.journal.jsonl\n',
      // eight batches, one of them refused once and sent again
      log: ['bulk_delete 429', ...Array<string>(8).fill('bulk_delete 202')],
      retries: 1,
      minMs: 1000,
    },
  },
  fiveXx(500, 'A server error occurred.'),
  fiveXx(502, 'A server error occurred.'),
  fiveXx(503, 'Service temporarily unavailable, try again later.'),
  fiveXx(504, 'A server error occurred.'),
  {
    id: '503-then-ok',
    fault: '503 twice, then the answer',
    bar: 'retry and finish',
    faults: [{ path: persons, kind: 'status', status: 503, times: 2 }],
    args: LIST,
    expect: { code: 0, stdout: listOk, stderr: '', log: ['list 503', 'list 503', 'list 200'], retries: 2 },
  },
  {
    id: '503-retry-after',
    fault: '503 with `Retry-After: 1` (a database failover), then the answer',
    bar: 'honour Retry-After on a 503 too, retry, finish',
    faults: [{ path: persons, kind: 'status', status: 503, headers: { 'Retry-After': '1' } }],
    args: LIST,
    expect: { code: 0, stdout: listOk, stderr: '', log: ['list 503', 'list 200'], retries: 1, minMs: 1000 },
  },
  {
    id: '500-split',
    fault: '500 on `split` (not safe to repeat)',
    bar: 'no retry of a request that is not safe to repeat; exit 1',
    faults: [{ method: 'POST', path: `/persons/${FIXTURE.uuid}/split/`, kind: 'status', status: 500 }],
    args: ['split', FIXTURE.uuid, '--keep', 'matrix-user', '--yes'],
    expect: {
      code: 1,
      stderr: 'error: PostHog answered 500: A server error occurred.\nPostHog is having trouble; try again later.\n',
      log: ['retrieve 200', 'split 500'],
      retries: 0,
    },
  },
  {
    id: 'reset-mid-body',
    fault: 'connection reset in the middle of the body',
    bar: 'same as 5xx',
    faults: [{ path: persons, kind: 'reset-mid-body', times: 3 }],
    args: ['--retries', '2', ...LIST],
    expect: {
      code: 1,
      stderr:
        'error: could not complete the request to {url}: the connection was closed unexpectedly\n' +
        'The connection dropped before the answer was complete (PostHog, a proxy or the network); try again later.\n',
      log: ['list 200 reset-mid-body', 'list 200 reset-mid-body', 'list 200 reset-mid-body'],
      retries: 2,
    },
  },
  {
    id: 'reset-mid-body-then-ok',
    fault: 'connection reset in the middle of the body, once',
    bar: 'same as 5xx: retry and finish',
    faults: [{ path: persons, kind: 'reset-mid-body' }],
    args: LIST,
    expect: { code: 0, stdout: listOk, stderr: '', log: ['list 200 reset-mid-body', 'list 200'], retries: 1 },
  },
  {
    id: 'reset',
    fault: 'connection reset before any answer',
    bar: 'same as 5xx',
    faults: [{ path: persons, kind: 'reset', times: 3 }],
    args: ['--retries', '2', ...LIST],
    expect: {
      code: 1,
      stderr:
        'error: could not complete the request to {url}: the connection was closed unexpectedly\n' +
        'The connection dropped before the answer was complete (PostHog, a proxy or the network); try again later.\n',
      log: ['list 0 reset', 'list 0 reset', 'list 0 reset'],
      retries: 2,
    },
  },
  {
    id: 'connection-refused',
    fault: 'connection refused (nothing listens on the port)',
    bar: 'same as 5xx',
    target: 'closed-port',
    args: ['--retries', '2', ...LIST],
    expect: {
      code: 1,
      stderr: 'error: could not complete the request to {closed}: connection refused\nCheck --host and your network connection.\n',
      log: ['connect refused', 'connect refused', 'connect refused'],
      retries: 2,
    },
  },
  {
    id: 'slow-headers',
    fault: 'response headers slower than the timeout (`--timeout 1`, headers after 3 s)',
    bar: 'retry, then exit 1 naming the timeout',
    faults: [{ path: persons, kind: 'slow-headers', delayMs: 3000, times: 2 }],
    args: ['--timeout', '1', '--retries', '1', ...LIST],
    expect: {
      code: 1,
      stderr:
        'error: could not complete the request to {url}: no response within the 1 s timeout\n' +
        'PostHog may be slow or unreachable; try again later, or raise --timeout.\n',
      log: ['list 200 slow-headers', 'list 200 slow-headers'],
      retries: 1,
      minMs: 2000,
    },
  },
  {
    id: 'truncated-json',
    fault: 'a 200 whose JSON body stops half-way',
    bar: 'exit 1 with the status and the first bytes, no stack trace',
    faults: [{ path: retrieve, kind: 'truncated-json' }],
    args: ['get', FIXTURE.uuid],
    expect: {
      code: 1,
      stderr:
        'error: PostHog answered 200 with a body that is not valid JSON: "{\\"id\\":101,\\"name\\":\\"matrix@example.com\\",\\"distinct_ids\\":[\\"matrix-user\\",\\"matrix-device\\"],\\"properties\\":{\\"email\\":\\"matrix@examp…"\n' +
        'A proxy or load balancer in front of PostHog may have answered instead; check --host.\n',
      log: ['retrieve 200 truncated-json'],
      retries: 0,
    },
  },
  {
    id: 'html-502',
    fault: 'an HTML error page from a proxy, status 502, on every attempt',
    bar: 'exit 1 with the status and the first bytes, no stack trace',
    faults: [{ path: persons, kind: 'html', status: 502, times: 3 }],
    args: ['--retries', '2', ...LIST],
    expect: {
      code: 1,
      stderr:
        'error: PostHog answered 502 with an HTML page: "<html> <head><title>502 Bad Gateway</title></head> <body> <center><h1>502 Bad Gateway</h1></center> <hr><center>nginx</c…"\n' +
        'PostHog or a proxy in front of it is having trouble; try again later.\n',
      log: ['list 502 html', 'list 502 html', 'list 502 html'],
      retries: 2,
    },
  },
  {
    id: 'non-json-200',
    fault: 'a 200 with a body that is not JSON',
    bar: 'exit 1 with the status and the first bytes, no stack trace',
    faults: [{ path: persons, kind: 'non-json' }],
    args: LIST,
    expect: {
      code: 1,
      stderr:
        'error: PostHog answered 200 with a body that is not valid JSON: "OK"\n' +
        'A proxy or load balancer in front of PostHog may have answered instead; check --host.\n',
      log: ['list 200 non-json'],
      retries: 0,
    },
  },
  {
    id: '401',
    fault: '401: a key PostHog does not know',
    bar: "exit 4 with the server's detail and what to do; no retry",
    key: 'wrong',
    args: LIST,
    expect: {
      code: 4,
      stderr:
        'error: PostHog rejected the API key (401): Personal API key found in request Authorization header is invalid.\n' +
        'Check the key, or create a personal API key under Settings > Personal API keys and run `posthog-persons auth login`.\n',
      log: ['list 401'],
      retries: 0,
    },
  },
  {
    id: '403',
    fault: '403: a read-only key writes a property',
    bar: "exit 4 with the server's detail and what to do; no retry",
    key: 'read',
    args: ['set-prop', FIXTURE.uuid, 'plan', 'pro'],
    expect: {
      code: 4,
      stderr:
        "error: PostHog refused the request (403): API key missing required scope 'person:write'\n" +
        'Create a personal API key that has the person:write scope (person:write also grants person:read).\n',
      log: ['retrieve 200', 'update_property 403'],
      retries: 0,
    },
  },
  {
    id: '404-person',
    fault: '404: no such person',
    bar: 'exit 5 naming what was looked up',
    args: ['get', MISSING_UUID, '--by', 'uuid'],
    expect: {
      code: 5,
      stderr: `error: no person with UUID ${MISSING_UUID} in project 1 at {url}\nWithout --by uuid, a UUID is also tried as a distinct_id.\n`,
      log: ['retrieve 404'],
      retries: 0,
    },
  },
  {
    id: '404-project',
    fault: '404: no such project',
    bar: 'exit 5 naming what was looked up',
    args: ['--project', '4242', ...LIST],
    expect: {
      code: 5,
      stderr:
        'error: project 4242 not found at {url}\n' +
        'Check --project (the numeric id in PostHog under Settings > Project) and --host (US and EU are separate).\n',
      log: ['list 404'],
      retries: 0,
    },
  },
  {
    id: '404-other',
    fault: '404 from a proxy on a list request',
    bar: 'exit 5 naming what was looked up',
    faults: [{ path: persons, kind: 'status', status: 404 }],
    args: LIST,
    expect: {
      code: 5,
      stderr: 'error: not found (404): Not found. (GET /api/projects/1/persons/)\n',
      log: ['list 404'],
      retries: 0,
    },
  },
  {
    id: 'redirect-get',
    fault: '302 to another origin on a read',
    bar: 'not followed with the key',
    faults: [{ path: persons, kind: 'redirect', status: 302, location: '{target}/api/projects/1/persons/' }],
    special: 'redirect-target',
    args: LIST,
    expect: {
      code: 1,
      stderr:
        'error: PostHog answered 302 redirecting to {target}; not followed, because the request carries your API key\n' +
        'Check --host: if the API lives at {target}, use that as the host.\n',
      log: ['list 302 redirect'],
      retries: 0,
    },
  },
  {
    id: 'redirect-post',
    fault: '307 to another origin on `bulk_delete` (a 307 would resend the body)',
    bar: 'not followed with the key',
    faults: [{ method: 'POST', path: '/persons/bulk_delete/', kind: 'redirect', status: 307, location: '{target}/api/projects/1/persons/bulk_delete/' }],
    special: 'redirect-target',
    args: ['delete', FIXTURE.uuid, '--by', 'uuid', '--yes'],
    expect: {
      code: 1,
      stderr:
        'Failed, nothing was deleted (by uuid):\n' +
        '  requested            1\n' +
        '  found                0\n' +
        '  deleted              0\n' +
        '  queued for deletion  0\n' +
        '  not found            0\n' +
        '  failed               1\n' +
        '  skipped              0\n' +
        'error: PostHog answered 307 redirecting to {target}; not followed, because the request carries your API key\n' +
        'Check --host: if the API lives at {target}, use that as the host.\n',
      log: ['retrieve 200', 'bulk_delete 307 redirect'],
      retries: 0,
    },
  },
  {
    id: 'redirect-same-origin',
    fault: '307 to another path on the same origin',
    bar: 'followed (the key stays on its host)',
    faults: [{ path: persons, kind: 'redirect', status: 307, location: '{url}/api/projects/1/persons/?limit=1' }],
    args: LIST,
    expect: { code: 0, stdout: listOk, stderr: '', log: ['list 307 redirect', 'list 200'], retries: 0 },
  },
  {
    id: 'body-drip',
    fault: 'a body dripping one byte a second (`--timeout 2`)',
    bar: 'an overall deadline for the body, not only an inactivity timeout: exit 1 naming the timeout',
    faults: [{ path: persons, kind: 'drip', delayMs: 1000 }],
    args: ['--timeout', '2', '--retries', '0', ...LIST],
    expect: {
      code: 1,
      stderr:
        'error: could not complete the request to {url}: the response body did not arrive in full within the 2 s timeout\n' +
        'PostHog may be slow or unreachable; try again later, or raise --timeout.\n',
      log: ['list 200 drip'],
      retries: 0,
    },
  },
  {
    id: 'body-endless',
    fault: 'a body that never ends',
    bar: 'reading stops at the 128 MiB cap: exit 1, memory bounded',
    faults: [{ path: persons, kind: 'endless' }],
    args: LIST,
    expect: {
      code: 1,
      stderr:
        'error: the response from {url} was larger than 128 MiB; stopped reading it\n' +
        'No page of persons is that large: a server or proxy is sending something else; check --host.\n',
      log: ['list 200 endless'],
      retries: 0,
    },
  },
  {
    id: 'redirect-loop',
    fault: 'a redirect back to the URL asked for, every time (a loop)',
    bar: 'a clear message, no retry',
    faults: [{ path: persons, kind: 'redirect', status: 307, location: '{url}/api/projects/1/persons/?limit=1', times: 10 }],
    args: LIST,
    expect: {
      code: 1,
      stderr:
        'error: PostHog redirected the request in a loop (back to /api/projects/1/persons/?limit=1); stopped following it\n' +
        'Check --host: a proxy or load balancer in front of PostHog may be misconfigured.\n',
      log: ['list 307 redirect', 'list 307 redirect'],
      retries: 0,
    },
  },
  {
    id: 'next-relative',
    fault: '`list --all`: a relative `next` link',
    bar: 'resolved against the request URL, on the same origin only',
    faults: [{ path: persons, kind: 'status', status: 200, body: page([FIXTURE.uuid], '/api/projects/1/persons/?limit=1&offset=1') }],
    args: ['list', '--all', '--page-size', '1', '--fields', 'uuid'],
    expect: { code: 0, stdout: listOk, stderr: '', log: ['list 200', 'list 200'], retries: 0 },
  },
  {
    id: 'next-not-a-url',
    fault: '`list --all`: a `next` link that is not a URL',
    bar: 'a clear message, not "unexpected failure"',
    faults: [{ path: persons, kind: 'status', status: 200, body: page([FIXTURE.uuid], 'http://[::1') }],
    args: ['list', '--all', '--page-size', '1', '--fields', 'uuid'],
    expect: {
      code: 1,
      stdout: listOk,
      stderr:
        'error: the server\'s next link is not a URL: "http://[::1"\n' +
        'The server (or a proxy in front of it) does not page as PostHog does; check --host.\n',
      log: ['list 200'],
      retries: 0,
    },
  },
  {
    id: 'next-repeats',
    fault: '`list --all`: `next` asks again for an offset already read',
    bar: 'stops with a clear error instead of paging for ever',
    faults: [
      { path: persons, kind: 'status', status: 200, body: page([FIXTURE.uuid], '{url}/api/projects/1/persons/?limit=1&offset=1') },
      { path: persons, kind: 'status', status: 200, body: page([OTHER_UUID], '{url}/api/projects/1/persons/?limit=1&offset=1') },
    ],
    args: ['list', '--all', '--page-size', '1', '--fields', 'uuid'],
    expect: {
      code: 1,
      stdout: `${FIXTURE.uuid}\n${OTHER_UUID}\n`,
      stderr:
        'error: the server\'s next link asks again for a page already read (/api/projects/1/persons/?limit=1&offset=1); stopped, as following it would never end\n' +
        'The server (or a proxy in front of it) does not page as PostHog does; check --host.\n',
      log: ['list 200', 'list 200'],
      retries: 0,
    },
  },
  {
    id: 'next-same-page',
    fault: '`list --all`: the server ignores the offset (the same page twice)',
    bar: 'stops with a clear error; the page is not printed twice',
    faults: [
      { path: persons, kind: 'status', status: 200, body: page([FIXTURE.uuid], '{url}/api/projects/1/persons/?limit=1&offset=1') },
      { path: persons, kind: 'status', status: 200, body: page([FIXTURE.uuid], '{url}/api/projects/1/persons/?limit=1&offset=2') },
    ],
    args: ['list', '--all', '--page-size', '1', '--fields', 'uuid'],
    expect: {
      code: 1,
      stdout: listOk,
      stderr:
        'error: the server answered the same page twice (/api/projects/1/persons/?limit=1&offset=1 held exactly the page before it); it seems to ignore the offset, so following next would never end\n' +
        'The server (or a proxy in front of it) does not page as PostHog does; check --host.\n',
      log: ['list 200', 'list 200'],
      retries: 0,
    },
  },
  {
    id: 'summary-found-too-many',
    fault: '`bulk_delete` summary that lies: 30 persons found of 1 identifier sent',
    bar: 'a clear message; the counts are not trusted',
    faults: [{ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 200, body: { persons_found: 30, persons_deleted: 30, persons_queued_for_deletion: 0 } }],
    args: ['delete', FIXTURE.uuid, '--by', 'uuid', '--yes'],
    expect: {
      code: 1,
      stderr:
        'Failed, nothing was deleted (by uuid):\n' +
        '  requested            1\n' +
        '  found                0\n' +
        '  deleted              0\n' +
        '  queued for deletion  0\n' +
        '  not found            0\n' +
        '  failed               1\n' +
        '  skipped              0\n' +
        "error: PostHog's bulk_delete answer does not add up (persons_found 30 for 1 identifier sent); its counts are not trusted\n" +
        'The server, or a proxy in front of it, is not answering as PostHog does; check --host. The persons may have been deleted all the same; sending the deletion again is harmless.\n',
      log: ['retrieve 200', 'bulk_delete 200'],
      retries: 0,
    },
  },
  {
    id: 'summary-negative',
    fault: '`bulk_delete` summary with negative counts',
    bar: 'a clear message; the counts are not trusted',
    faults: [{ method: 'POST', path: '/persons/bulk_delete/', kind: 'status', status: 200, body: { persons_found: -2, persons_deleted: -2, persons_queued_for_deletion: 0 } }],
    args: ['delete', FIXTURE.uuid, '--by', 'uuid', '--yes'],
    expect: {
      code: 1,
      stderr:
        'Failed, nothing was deleted (by uuid):\n' +
        '  requested            1\n' +
        '  found                0\n' +
        '  deleted              0\n' +
        '  queued for deletion  0\n' +
        '  not found            0\n' +
        '  failed               1\n' +
        '  skipped              0\n' +
        "error: PostHog's bulk_delete answer does not add up (persons_found -2 is not a count; persons_deleted -2 is not a count); its counts are not trusted\n" +
        'The server, or a proxy in front of it, is not answering as PostHog does; check --host. The persons may have been deleted all the same; sending the deletion again is harmless.\n',
      log: ['retrieve 200', 'bulk_delete 200'],
      retries: 0,
    },
  },
];
