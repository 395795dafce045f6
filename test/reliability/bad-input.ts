// The bad-input catalogue, as data: each case is a command line (with the files, stdin and
// environment it needs) that must exit 2 with a message naming the problem and send no request at
// all. bad-input.test.ts runs them; docs/reliability.md ("Bad input") lists them (reliability-doc.ts).

export type BadInputCategory =
  | 'flags'
  | '--where'
  | '--properties'
  | 'set-prop --json'
  | 'persons'
  | 'input files'
  | 'property files'
  | 'hosts'
  | 'keys'
  | 'config folder'
  | 'projects'
  | 'fields'
  | 'ranges'
  | 'conflicts'
  | 'confirmation';

export interface BadInput {
  id: string;
  category: BadInputCategory;
  /** the command line after `posthog-persons` */
  args: string[];
  /** files written into the working folder first: text, or bytes given as hex */
  files?: Record<string, string | { hex: string }>;
  stdin?: string;
  /** overrides of the environment (undefined removes a variable) */
  env?: Record<string, string | undefined>;
  /** a part of stderr that names the problem */
  message: string;
}

/** A key-shaped value some cases type where it does not belong: it must never be echoed. */
export const CATALOGUE_KEY = 'phx_badInputCatalogueKey0123456789abcdefAB';
const KEY = CATALOGUE_KEY;
const U = '01900000-0000-7000-8000-00000000b001';

export const BAD_INPUTS: BadInput[] = [
  // flags and commands
  { id: 'unknown-command', category: 'flags', args: ['lsit'], message: "unknown command 'lsit'" },
  { id: 'unknown-flag', category: 'flags', args: ['list', '--emial', 'a@b.c'], message: "unknown option '--emial'" },
  { id: 'no-key-flag', category: 'flags', args: ['list', '--api-key', KEY], message: "unknown option '--api-key'" },
  { id: 'no-key-flag-equals', category: 'flags', args: ['list', `--api-key=${KEY}`], message: "unknown option '--api-key=phx_badI…efAB'" },
  { id: 'missing-argument', category: 'flags', args: ['get'], message: "missing required argument 'person'" },
  { id: 'extra-argument', category: 'flags', args: ['list', 'extra'], message: "too many arguments for 'list'" },
  { id: 'output-format', category: 'flags', args: ['list', '-o', 'xml'], message: "argument 'xml' is invalid. Allowed choices are table, tsv, json, jsonl, csv" },
  { id: 'by-kind', category: 'flags', args: ['get', 'someone', '--by', 'email'], message: 'invalid --by "email": use uuid, distinct-id or id' },
  { id: 'status-choice', category: 'flags', args: ['deletion-status', '--status', 'done'], message: "argument 'done' is invalid. Allowed choices are pending, completed, all" },
  { id: 'completion-shell', category: 'flags', args: ['completion', 'powershell'], message: "'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish" },
  { id: 'wait-seconds', category: 'flags', args: ['set-prop', 'someone', 'plan', 'pro', '--wait=soon'], message: '--wait takes a whole number of seconds, not "soon"' },
  { id: 'timeline-date', category: 'flags', args: ['timeline', 'someone', '--from', 'yesterday-ish'], message: '--from "yesterday-ish" is not a date' },
  { id: 'timeline-order', category: 'flags', args: ['timeline', 'someone', '--from', '2024-02-01', '--to', '2024-01-01'], message: '--from 2024-02-01 is after --to 2024-01-01' },

  // ranges
  { id: 'page-size-0', category: 'ranges', args: ['list', '--page-size', '0'], message: '--page-size must be between 1 and 1000' },
  { id: 'page-size-1001', category: 'ranges', args: ['list', '--all', '--page-size', '1001'], message: '--page-size must be between 1 and 1000' },
  { id: 'limit-text', category: 'ranges', args: ['list', '--limit', 'ten'], message: '--limit must be a whole number, not "ten"' },
  { id: 'limit-0', category: 'ranges', args: ['activity', '--limit', '0'], message: '--limit must be at least 1' },
  { id: 'offset-negative', category: 'ranges', args: ['list', '--offset', '-1'], message: '--offset must be at least 0' },
  { id: 'batch-size-0', category: 'ranges', args: ['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '0'], files: { 'ids.txt': 'a\n' }, message: '--batch-size must be between 1 and 1000' },
  { id: 'batch-size-1001', category: 'ranges', args: ['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '1001'], files: { 'ids.txt': 'a\n' }, message: '--batch-size must be between 1 and 1000' },
  { id: 'batch-size-fraction', category: 'ranges', args: ['delete', '--from-file', 'ids.txt', '--yes', '--batch-size', '2.5'], files: { 'ids.txt': 'a\n' }, message: '--batch-size must be a whole number, not "2.5"' },
  { id: 'concurrency-17', category: 'ranges', args: ['delete', '--from-file', 'ids.txt', '--yes', '--concurrency', '17'], files: { 'ids.txt': 'a\n' }, message: '--concurrency must be between 1 and 16' },
  { id: 'timeout-0', category: 'ranges', args: ['--timeout', '0', 'list'], message: '--timeout must be between 1 and 3600' },
  { id: 'retries-21', category: 'ranges', args: ['--retries', '21', 'list'], message: '--retries must be between 0 and 20' },
  { id: 'rate-limit-negative', category: 'ranges', args: ['--rate-limit=-5', 'list'], message: '--rate-limit must be between 0 and 100000' },

  // conflicting flags
  { id: 'all-and-limit', category: 'conflicts', args: ['list', '--all', '--limit', '5'], message: '--all and --limit cannot be used together' },
  { id: 'count-and-all', category: 'conflicts', args: ['list', '--count', '--all'], message: '--count and --all cannot be used together' },
  { id: 'count-and-fields', category: 'conflicts', args: ['list', '--count', '--fields', 'uuid'], message: '--count prints a single number; it cannot be combined with --fields or --output' },
  { id: 'split-keep-and-only', category: 'conflicts', args: ['split', 'someone', '--keep', 'a', '--only', 'b', '--yes'], message: '--keep and --only cannot be used together' },
  { id: 'delete-args-and-file', category: 'conflicts', args: ['delete', 'someone', '--from-file', 'ids.txt', '--yes'], files: { 'ids.txt': 'a\n' }, message: 'give persons as arguments or --from-file, not both' },
  { id: 'delete-nothing', category: 'conflicts', args: ['delete', '--yes'], message: 'nothing to delete: give one or more persons, or --from-file PATH, or a query (--where, --email, --search, --properties)' },
  { id: 'keep-person-alone', category: 'conflicts', args: ['delete', 'someone', '--keep-person', '--yes'], message: '--keep-person keeps the persons: use it with --delete-events or --delete-recordings' },
  { id: 'column-without-file', category: 'conflicts', args: ['delete', 'someone', '--column', 'email', '--yes'], message: '--column only applies to --from-file' },
  { id: 'file-by-id', category: 'conflicts', args: ['delete', '--from-file', 'ids.txt', '--by', 'id', '--yes'], files: { 'ids.txt': 'a\n' }, message: '--from-file reads distinct_ids or person UUIDs' },
  { id: 'sandbox-and-host', category: 'conflicts', args: ['--sandbox', '--host', 'eu', 'list'], message: '--sandbox cannot be combined with --host' },
  { id: 'resume-without-journal', category: 'conflicts', args: ['delete', '--from-file', 'ids.txt', '--resume', '--yes'], files: { 'ids.txt': 'a\n' }, message: 'no journal at' },

  // confirmation
  { id: 'delete-needs-yes', category: 'confirmation', args: ['delete', 'someone'], message: 'refusing to delete persons without confirmation: there is no terminal to confirm on' },
  { id: 'file-needs-yes', category: 'confirmation', args: ['delete', '--from-file', 'ids.txt'], files: { 'ids.txt': 'a\n' }, message: 'refusing to delete persons without confirmation' },
  { id: 'split-needs-yes', category: 'confirmation', args: ['split', 'someone', '--keep', 'a'], message: 'refusing to split a person without confirmation: there is no terminal to confirm on' },

  // --where
  { id: 'where-no-operator', category: '--where', args: ['list', '--where', 'plan'], message: 'invalid --where expression "plan": no operator' },
  { id: 'where-empty-key', category: '--where', args: ['list', '--where', '=scale'], message: 'invalid --where expression "=scale": the property key is empty' },
  { id: 'where-not-a-number', category: '--where', args: ['list', '--where', 'age>thirty'], message: 'invalid --where expression "age>thirty": "thirty" is not a number' },
  { id: 'where-hex', category: '--where', args: ['list', '--where', 'age<=0x1f'], message: '"0x1f" is not a number' },
  { id: 'where-empty-contains', category: '--where', args: ['list', '--where', 'name~'], message: 'invalid --where expression "name~": the value is empty' },
  { id: 'where-second-bad', category: '--where', args: ['list', '--where', 'plan=scale', '--where', 'age>='], message: 'invalid --where expression "age>=": "" is not a number' },

  // --properties
  { id: 'properties-not-json', category: '--properties', args: ['list', '--properties', "[{key:'plan'}]"], message: '--properties is not valid JSON' },
  { id: 'properties-not-array', category: '--properties', args: ['list', '--properties', '{"key":"plan","value":"scale"}'], message: '--properties must be a JSON array of property filters' },
  { id: 'properties-no-key', category: '--properties', args: ['list', '--properties', '[{"value":"scale"}]'], message: 'has no "key" string' },

  // set-prop --json values
  { id: 'json-bare-word', category: 'set-prop --json', args: ['set-prop', 'someone', 'plan', 'scale', '--json'], message: '--json: the value "scale" is not valid JSON' },
  { id: 'json-unclosed', category: 'set-prop --json', args: ['set-prop', 'someone', 'address', '{"city":"Berlin"', '--json'], message: 'is not valid JSON' },
  { id: 'json-single-quotes', category: 'set-prop --json', args: ['set-prop', 'someone', 'tags', "['a','b']", '--json'], message: `--json: the value "['a','b']" is not valid JSON` },
  { id: 'property-key-empty', category: 'set-prop --json', args: ['set-prop', 'someone', ' ', '1', '--json'], message: 'the property key is empty' },
  { id: 'unset-key-empty', category: 'set-prop --json', args: ['unset-prop', 'someone', 'plan', ''], message: 'the property key is empty' },

  // persons
  { id: 'person-empty', category: 'persons', args: ['get', ''], message: 'the person is empty' },
  { id: 'person-not-uuid', category: 'persons', args: ['get', 'user_1', '--by', 'uuid'], message: '"user_1" is not a UUID (--by uuid)' },
  { id: 'person-not-id', category: 'persons', args: ['get', '12a', '--by', 'id'], message: '"12a" is not a numeric person id (--by id)' },
  { id: 'deletion-status-uuid', category: 'persons', args: ['deletion-status', 'user_1'], message: '"user_1" is not a person UUID' },
  { id: 'split-keep-empty', category: 'persons', args: ['split', 'someone', '--keep', '', '--yes'], message: '--keep is empty' },

  // input files for delete --from-file
  { id: 'file-missing', category: 'input files', args: ['delete', '--from-file', 'nope.csv', '--yes'], message: 'nope.csv: no such file' },
  { id: 'file-folder', category: 'input files', args: ['delete', '--from-file', 'folder', '--yes'], files: { 'folder/x': '' }, message: 'folder is a folder, not a file' },
  { id: 'file-empty', category: 'input files', args: ['delete', '--from-file', 'ids.txt', '--yes'], files: { 'ids.txt': '' }, message: 'no identifiers in ids.txt' },
  { id: 'file-blank-lines', category: 'input files', args: ['delete', '--from-file', 'ids.txt', '--yes'], files: { 'ids.txt': '\n  \n\t\n' }, message: 'no identifiers in ids.txt' },
  { id: 'file-not-utf8', category: 'input files', args: ['delete', '--from-file', 'ids.txt', '--yes'], files: { 'ids.txt': { hex: '616c6963650a626fff620a' } }, message: 'ids.txt line 2: not UTF-8 text' },
  { id: 'csv-unclosed-quote', category: 'input files', args: ['delete', '--from-file', 'ids.csv', '--yes'], files: { 'ids.csv': 'distinct_id,email\nalice,a@x.com\n"bob,b@x.com\n' }, message: 'ids.csv line 3: unclosed quote' },
  { id: 'csv-quote-inside', category: 'input files', args: ['delete', '--from-file', 'ids.csv', '--yes'], files: { 'ids.csv': 'distinct_id,email\nal"ice,a@x.com\n' }, message: 'ids.csv line 2: a double quote inside an unquoted cell' },
  { id: 'csv-extra-cell', category: 'input files', args: ['delete', '--from-file', 'ids.csv', '--yes'], files: { 'ids.csv': 'distinct_id,email\nalice,a@x.com\nbob,b@x.com,extra\n' }, message: 'ids.csv line 3: 3 cells but the header has 2' },
  { id: 'csv-no-column', category: 'input files', args: ['delete', '--from-file', 'ids.csv', '--column', 'user', '--yes'], files: { 'ids.csv': 'distinct_id,email\nalice,a@x.com\n' }, message: 'no column "user"; the columns are distinct_id, email' },
  { id: 'csv-no-id-column', category: 'input files', args: ['delete', '--from-file', 'ids.csv', '--yes'], files: { 'ids.csv': 'name,email\nAlice,a@x.com\n' }, message: 'no "distinct_id" or "uuid" column; the columns are name, email' },
  { id: 'csv-not-uuid', category: 'input files', args: ['delete', '--from-file', 'ids.csv', '--by', 'uuid', '--yes'], files: { 'ids.csv': `uuid\n${U}\nnot-a-uuid\n` }, message: 'ids.csv line 3: "not-a-uuid" is not a UUID (--by uuid)' },
  { id: 'jsonl-bad-json', category: 'input files', args: ['delete', '--from-file', 'ids.jsonl', '--yes'], files: { 'ids.jsonl': '{"distinct_id":"alice"}\n{"distinct_id":"bob"\n' }, message: 'ids.jsonl line 2: not valid JSON' },
  { id: 'jsonl-not-object', category: 'input files', args: ['delete', '--from-file', 'ids.jsonl', '--yes'], files: { 'ids.jsonl': '{"distinct_id":"alice"}\n["bob"]\n' }, message: 'ids.jsonl line 2: not a JSON object' },
  { id: 'jsonl-missing-key', category: 'input files', args: ['delete', '--from-file', 'ids.jsonl', '--yes'], files: { 'ids.jsonl': '{"distinct_id":"alice"}\n{"email":"b@x.com"}\n' }, message: 'ids.jsonl line 2: no "distinct_id" key' },
  { id: 'jsonl-null', category: 'input files', args: ['delete', '--from-file', 'ids.jsonl', '--yes'], files: { 'ids.jsonl': '{"distinct_id":"alice"}\n{"distinct_id":null}\n' }, message: 'ids.jsonl line 2: "distinct_id" must be a string or an integer, not null' },
  { id: 'jsonl-float-id', category: 'input files', args: ['delete', '--from-file', 'ids.jsonl', '--yes'], files: { 'ids.jsonl': '{"distinct_id":"alice"}\n{"distinct_id":1.5}\n' }, message: 'ids.jsonl line 2: "distinct_id" must be a string or an integer, not the number 1.5' },
  { id: 'csv-kind-unnamed', category: 'input files', args: ['delete', '--from-file', 'ids.csv', '--yes'], files: { 'ids.csv': 'person\nalice\n' }, message: 'ids.csv line 1: the column "person" does not say whether it holds distinct_ids or person UUIDs' },
  { id: 'csv-kind-contradicted', category: 'input files', args: ['delete', '--from-file', 'ids.csv', '--by', 'distinct-id', '--yes'], files: { 'ids.csv': `uuid\n${U}\n` }, message: 'ids.csv line 1: the column "uuid" holds person UUIDs, but --by distinct-id says distinct_ids' },
  { id: 'csv-json-array', category: 'input files', args: ['delete', '--from-file', 'ids.csv', '--yes'], files: { 'ids.csv': 'distinct_ids\n"[""alice"",""a1""]"\n' }, message: 'ids.csv line 2: "[\\"alice\\",\\"a1\\"]" is a JSON array, which matches no person' },
  { id: 'plain-with-column', category: 'input files', args: ['delete', '--from-file', 'ids.txt', '--column', 'email', '--yes'], files: { 'ids.txt': 'alice\nbob\n' }, message: '--column needs CSV or JSON Lines input' },
  { id: 'stdin-not-uuid', category: 'input files', args: ['delete', '--from-file', '-', '--by', 'uuid', '--yes'], stdin: `${U}\nbob\n`, message: 'line 2: "bob" is not a UUID (--by uuid)' },

  // input files for set-prop / unset-prop --from-file
  { id: 'props-no-columns', category: 'property files', args: ['set-prop', '--from-file', 'p.csv', '--yes'], files: { 'p.csv': 'distinct_id\nava\n' }, message: 'p.csv: no property columns besides "distinct_id"' },
  { id: 'props-header-twice', category: 'property files', args: ['set-prop', '--from-file', 'p.csv', '--yes'], files: { 'p.csv': 'distinct_id,plan,plan\nava,a,b\n' }, message: 'p.csv line 1: column "plan" appears twice in the header' },
  { id: 'props-json-cell', category: 'property files', args: ['set-prop', '--from-file', 'p.csv', '--json', '--yes'], files: { 'p.csv': 'distinct_id,seats\nava,five\n' }, message: 'p.csv line 2, column "seats": "five" is not valid JSON' },
  { id: 'props-conflict', category: 'property files', args: ['set-prop', '--from-file', 'p.csv', '--yes'], files: { 'p.csv': 'distinct_id,plan\nava,a\nava,b\n' }, message: 'p.csv line 3: "ava" appears again with different properties (first on line 2)' },
  { id: 'props-args-and-file', category: 'property files', args: ['set-prop', 'ava', 'plan', '--from-file', 'p.csv', '--yes'], files: { 'p.csv': 'distinct_id,plan\nava,a\n' }, message: 'with --from-file, the persons and properties come from the file: give no arguments' },
  { id: 'props-batch-size', category: 'property files', args: ['set-prop', '--from-file', 'p.csv', '--yes', '--batch-size', '5000'], files: { 'p.csv': 'distinct_id,plan\nava,a\n' }, message: '--batch-size must be between 1 and 200' },
  { id: 'unset-file-no-keys', category: 'property files', args: ['unset-prop', '--from-file', 'p.csv', '--yes'], files: { 'p.csv': 'distinct_id\nava\n' }, message: 'give the property keys to remove' },
  { id: 'props-file-needs-yes', category: 'property files', args: ['set-prop', '--from-file', 'p.csv'], files: { 'p.csv': 'distinct_id,plan\nava,a\n' }, message: 'without confirmation' },

  // hosts
  { id: 'host-plain-http', category: 'hosts', args: ['--host', 'http://posthog.example.com', 'list'], message: 'refusing plain http:// to posthog.example.com' },
  { id: 'host-plain-http-env', category: 'hosts', args: ['list'], env: { POSTHOG_HOST: 'http://10.0.0.8:8000' }, message: 'refusing plain http:// to 10.0.0.8 (from environment POSTHOG_HOST)' },
  { id: 'host-ingestion', category: 'hosts', args: ['--host', 'https://eu.i.posthog.com', 'list'], message: `"eu.i.posthog.com" is PostHog's ingestion host` },
  { id: 'host-scheme', category: 'hosts', args: ['--host', 'ftp://posthog.example.com', 'list'], message: 'only https:// URLs are supported' },
  { id: 'host-credentials', category: 'hosts', args: ['--host', 'https://me:hunter2@posthog.example.com', 'list'], message: 'invalid host "https://***@posthog.example.com" (from flag --host): credentials in the URL are not allowed' },
  { id: 'host-password-at', category: 'hosts', args: ['--host', 'https://me:p@ss@posthog.example.com', 'list'], message: 'invalid host "https://***@posthog.example.com" (from flag --host): credentials in the URL are not allowed' },
  { id: 'host-query', category: 'hosts', args: ['--host', 'https://posthog.example.com/?team=1', 'list'], message: 'a host URL cannot have a query or fragment' },
  { id: 'host-not-url', category: 'hosts', args: ['--host', 'https://exa mple.com', 'list'], message: 'invalid host "https://exa mple.com" (from flag --host): not a URL' },
  { id: 'host-empty', category: 'hosts', args: ['--host', ' ', 'list'], message: 'the host is empty' },

  // keys
  { id: 'key-project-key', category: 'keys', args: ['list'], env: { POSTHOG_PERSONAL_API_KEY: 'phc_projectKeyForEventsOnly0123456789abcd' }, message: 'is a project API key (phc_…), which can only send events' },
  { id: 'key-white-space', category: 'keys', args: ['list'], env: { POSTHOG_PERSONAL_API_KEY: 'phx_two words' }, message: 'contains white space' },
  { id: 'key-file-missing', category: 'keys', args: ['--api-key-file', 'key.txt', 'list'], message: '--api-key-file key.txt: cannot read the file (ENOENT)' },
  { id: 'key-file-empty', category: 'keys', args: ['--api-key-file', 'key.txt', 'list'], files: { 'key.txt': '\n' }, message: '--api-key-file key.txt: the file is empty' },
  { id: 'key-file-is-the-key', category: 'keys', args: ['--api-key-file', KEY, 'list'], message: 'looks like the key itself' },
  { id: 'key-login-flag', category: 'keys', args: ['auth', 'login', '--api-key-file', 'key.txt'], files: { 'key.txt': `${KEY}\n` }, message: 'auth login reads the key from stdin (--with-token) or a hidden prompt, not --api-key-file' },
  { id: 'key-login-empty-stdin', category: 'keys', args: ['auth', 'login', '--with-token', '--host', 'eu', '--project', '1'], stdin: '', message: '--with-token: stdin was empty' },
  { id: 'key-login-project-key', category: 'keys', args: ['auth', 'login', '--with-token', '--host', 'eu', '--project', '1'], stdin: 'phc_projectKeyForEventsOnly0123456789abcd\n', message: 'is a project API key (phc_…)' },

  { id: 'key-header-char', category: 'keys', args: ['list'], env: { POSTHOG_PERSONAL_API_KEY: 'phx_abcdefghij\u0007klmnopqrstuvwxyz0123456789' }, message: 'contains a character that cannot be sent in an HTTP header (U+0007 at position 15)' },
  { id: 'key-file-utf16', category: 'keys', args: ['--api-key-file', 'key.txt', 'list'], files: { 'key.txt': { hex: 'fffe' + Buffer.from('phx_abcdefghijklmnopqrstuvwxyz0123456789\r\n', 'utf16le').toString('hex') } }, message: '--api-key-file key.txt: the key is UTF-16 encoded text' },

  // config folder (relative to the working folder of the case)
  { id: 'config-folder-is-a-file', category: 'config folder', args: ['auth', 'login', '--with-token', '--host', 'eu', '--project', '1'], files: { cfg: 'not a folder\n' }, env: { POSTHOG_PERSONS_CONFIG_DIR: 'cfg' }, stdin: `${KEY}\n`, message: 'cannot save profiles in cfg: it is a file, not a folder' },
  { id: 'config-file-corrupt', category: 'config folder', args: ['list'], files: { 'cfg/config.json': '{"profiles": ' }, env: { POSTHOG_PERSONS_CONFIG_DIR: 'cfg', POSTHOG_PERSONAL_API_KEY: undefined }, message: 'cannot read the profile store cfg/config.json: it is not valid JSON' },

  // projects
  { id: 'project-word', category: 'projects', args: ['--project', 'web', 'list'], message: 'invalid project "web" (from flag --project): a project is a numeric id or @current' },
  { id: 'project-zero', category: 'projects', args: ['--project', '0', 'list'], message: 'invalid project "0"' },
  { id: 'project-env', category: 'projects', args: ['list'], env: { POSTHOG_PROJECT_ID: '12 34' }, message: 'invalid project "12 34" (from environment POSTHOG_PROJECT_ID)' },
  { id: 'project-missing', category: 'projects', args: ['list'], env: { POSTHOG_PROJECT_ID: undefined }, message: 'no project: PostHog needs to know which project the persons are in' },

  // field names
  { id: 'field-unknown', category: 'fields', args: ['list', '--fields', 'uuid,emial'], message: 'unknown field "emial" in --fields; valid fields: uuid, id, name' },
  { id: 'field-empty', category: 'fields', args: ['list', '--fields', ''], message: '--fields is empty' },
  { id: 'field-twice', category: 'fields', args: ['get', 'someone', '--fields', 'uuid,uuid'], message: 'field "uuid" is given twice in --fields' },

  // query-selected bulk runs (delete/set-prop/unset-prop --where …)
  { id: 'delete-query-and-file', category: 'conflicts', args: ['delete', '--from-file', 'ids.txt', '--where', 'plan=free', '--yes'], files: { 'ids.txt': 'a\n' }, message: 'give persons as arguments, --from-file or a query (--where, --email, --search, --properties), only one of them: got --from-file and a query' },
  { id: 'expect-without-query', category: 'conflicts', args: ['delete', 'someone', '--expect', '3', '--yes'], message: '--expect applies to a query selection' },
  { id: 'delete-where-no-operator', category: '--where', args: ['delete', '--where', 'plan', '--yes'], message: 'invalid --where expression "plan": no operator' },
];
