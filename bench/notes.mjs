// What the report says when a bar does not hold: the analysis behind each miss (from profiles,
// module-load lists and V8's heap statistics taken while making the CLI fast), printed only for
// the bars that fail in the run, next to that run's figures.
import { mib, percent, seconds } from './lib/stats.mjs';

const START_UP = `Any ES module that prints one line already costs about 1.1x \`node -e 0\` here (Node's ES
  module loader and the creation of stdout; the \`--version\` row shows that floor). The rest is V8
  compiling and running commander (about 120 KB) and the command tree (about 80 KB: every
  command's flags, which the root help lists), then commander formatting the help. Nothing else is
  loaded (test/unit/bundle.test.ts), and what remains is compilation, which Node 20 cannot cache
  for ES modules. What would fix it: \`module.enableCompileCache()\` on Node 22 and later (a cache
  of compiled code between runs), a lighter argument parser than commander, or a help text
  rendered at build time for the piped case (fast, but a second source of truth for the help).`;

function exportNote(results, format) {
  const large = results.export[1] ?? results.export[0];
  const cli = large.variants[`list -o ${format}`];
  const raw = large.variants['raw undici loop'];
  return `The CLI is bound by its own CPU: ${seconds(cli.cpuMs.median)} of CPU for ${seconds(cli.wall.median)} of wall time at
  ${large.size.toLocaleString('en-US')} persons, against ${seconds(raw.cpuMs.median)} for the raw loop, which only copies bytes and spends
  the rest of its ${seconds(raw.wall.median)} waiting for the sandbox. Per page of 1,000 the CLI must decode about half a
  megabyte of UTF-8, \`JSON.parse\` it and serialise every person again (\`JSON.stringify\` for jsonl,
  the columns for csv): about 4 ms of CPU a page that the raw loop does not spend, and that one
  JavaScript thread cannot overlap with itself. (Copying the server's bytes instead would change
  the output, e.g. \`1.0\` and escaped characters, from one server to the next.) Already done: the
  next page is requested while the current one is written and its response is read in between
  (the event loop turns every 200 persons), output is encoded straight into 64 KiB UTF-8 blocks,
  CSV rows are stringified in batches, and undici's parser is not recompiled by TurboFan. What
  would fix the rest: decoding, parsing and rendering in a worker thread, so that the main thread
  only moves bytes (as the raw loop does) while the second core parses. A prototype of that
  (2026-11-26, not kept) reached 79% for jsonl and 86% for csv in a full run, with the worker
  then the bottleneck (JSON.parse, JSON.stringify, UTF-8 decoding) and the sandbox sharing the
  two cores; it needed the main thread to read \`next\` from the raw bytes to keep one page ahead.`;
}

function memoryNote(results, format) {
  const [small, large, bigger] = results.export;
  const name = `list -o ${format}`;
  const plateau = bigger
    ? ` At ${bigger.size.toLocaleString('en-US')} persons it is ${mib(bigger.variants[name].peakRssKiB.median)}, against
  ${mib(large.variants[name].peakRssKiB.median)} at ${large.size.toLocaleString('en-US')}: the peak stops growing, well under 150 MiB.`
    : '';
  return `The difference between ${small.size.toLocaleString('en-US')} and ${large.size.toLocaleString('en-US')} persons is V8's young generation, not
  data kept: V8 starts it with 1 MiB semi-spaces and doubles them, up to 16 MiB each, as objects
  survive collections. A short run ends before it has grown to its maximum, a long one reaches it
  (V8's heap statistics at the peak, 10,000 against 100,000 persons: new space 16 MiB against
  32 MiB, the rest of the heap within a few MiB).${plateau} The CLI holds one page and the
  next one's response at a time. What would fix the ratio: a smaller young generation
  (\`--max-semi-space-size\`), which V8 only takes when node starts (NODE_OPTIONS; set from inside
  the process it is ignored, checked), at some cost in collections.`;
}

const NOTES = {
  'posthog-persons --version': () =>
    `\`--version\` is answered by the entry file without loading anything else; a miss means the
  machine's noise exceeded the margin (compare with the floor of any ES module, about 1.1x).`,
  'posthog-persons --help': () => START_UP,
  get: (results) =>
    `\`get\` loads the command tree, the settings, the HTTP layer (undici's Agent only) and the
  renderer, and sends one request (${results.get.requestsPerGet.toFixed(0)} per run here). ${START_UP}`,
  'export-jsonl': (results) => exportNote(results, 'jsonl'),
  'export-csv': (results) => exportNote(results, 'csv'),
  'delete-memory': (results) => {
    const [small, large] = results.deleteMemory.rows;
    const perId = ((large.peakRssKiB.median - small.peakRssKiB.median) * 1024) / (large.persons - small.persons);
    return `Peak RSS grows by about ${Math.round(perId)} bytes an identifier (${mib(small.peakRssKiB.median)} at
  ${small.persons.toLocaleString('en-US')}, ${mib(large.peakRssKiB.median)} at ${large.persons.toLocaleString('en-US')}). The file is streamed twice and the runner holds a few
  batches; the duplicate index costs each identifier's UTF-8 bytes plus 16 to 24 bytes, outside the
  JavaScript heap. Growth beyond that is V8's young generation sizing up over a longer run: see
  the analysis under "Bulk delete memory", and compare the runs' min–max for noise.`;
  },
  'memory-jsonl': (results) => memoryNote(results, 'jsonl'),
  'memory-csv': (results) => memoryNote(results, 'csv'),
  delete: () =>
    '`delete --from-file` did not send exactly one bulk_delete per 1,000 identifiers: see the request log breakdown below.',
  rate: (results) =>
    `The run took ${percent(results.rate.wallMs / results.rate.boundMs)} of the time the limit allows, with ${results.rate.failed} failed ids;
  see the statuses below for 429s and retries.`,
};

export function notesFor(failing, results) {
  const lines = failing.map((id) => `- **${id}**: ${NOTES[id]?.(results) ?? 'no analysis written for this miss.'}`);
  return `### Bars that do not hold in this run\n\n${lines.join('\n')}`;
}
