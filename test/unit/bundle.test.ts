// The bundle stays lazy: `--version` loads nothing but the entry file, and the command tree that
// every other invocation loads first (`--help`, and each command before it runs) holds none of
// the heavy dependencies; they are loaded by the commands that use them (docs/benchmarks.md).
// Checked twice: in the bundle's structure (esbuild's metafile, static imports) and in what a
// real run loads (a module-resolution hook), which also catches a dynamic import run at start-up.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

interface Metafile {
  outputs: Record<string, { entryPoint?: string; imports: { path: string; kind: string }[]; inputs: Record<string, unknown> }>;
}

/** Packages only a command that needs them may load. */
const HEAVY = ['undici', 'conf', 'ajv', 'cli-table3', 'ora', 'csv-parse', 'csv-stringify', 'cli-progress', '@inquirer'];
/** The only dependency the command tree itself needs. */
const START_UP_PACKAGES = ['commander'];

const dist = process.env.POSTHOG_PERSONS_TEST_DIST!;
let meta: Metafile;
/** meta.json names outputs relative to the project root (e.g. `/tmp/pp-dist-x/cli.js` → `../../tmp/…`). */
let outputByFile: Map<string, string>;

beforeAll(() => {
  meta = JSON.parse(readFileSync(join(dist, 'meta.json'), 'utf8')) as Metafile;
  outputByFile = new Map(Object.keys(meta.outputs).map((output) => [fileName(output), output]));
});

const fileName = (path: string): string => path.split('/').pop()!;

function outputFor(entryPoint: string): string {
  const found = Object.entries(meta.outputs).find(([, output]) => output.entryPoint === entryPoint);
  if (!found) throw new Error(`no output for ${entryPoint} in meta.json`);
  return found[0];
}

/** Every output loaded as soon as `output` is: itself and its static imports, transitively. */
function staticClosure(output: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path) || !meta.outputs[path]) return;
    seen.add(path);
    for (const imported of meta.outputs[path]!.imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(output);
  return [...seen];
}

const inputsOf = (outputs: string[]): string[] => outputs.flatMap((output) => Object.keys(meta.outputs[output]!.inputs));

/** `node_modules/@scope/name/…` or `node_modules/name/…` → the package name. */
function packagesOf(inputs: string[]): string[] {
  const names = inputs
    .map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1])
    .filter((name): name is string => name !== undefined);
  return [...new Set(names)].sort();
}

const heavyIn = (packages: string[]) => packages.filter((name) => HEAVY.some((heavy) => name === heavy || name.startsWith(`${heavy}/`)));

/**
 * Runs the built CLI with a module-resolution hook and returns the bundle files it loaded.
 * The hook sees every ESM import, static or dynamic, as it is resolved.
 */
function loadedFiles(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'pp-bundle-'));
  const log = join(dir, 'loaded.txt');
  writeFileSync(log, '');
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
  return result;
}
`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const run = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, join(dist, 'cli.js'), ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, POSTHOG_PERSONS_CONFIG_DIR: dir },
  });
  expect(run.status, run.stderr).toBe(0);
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => relative(dist, fileURLToPath(url)))
    .filter((file) => !file.startsWith('..'));
}

describe('the bundle (dist/meta.json)', () => {
  it('answers --version from the entry file alone', () => {
    const entry = outputFor('src/entry.ts');
    expect(staticClosure(entry)).toEqual([entry]);
    expect(inputsOf([entry])).toEqual(['src/entry.ts']);
  });

  it('loads no heavy dependency with the command tree', () => {
    const tree = staticClosure(outputFor('src/cli.ts'));
    const packages = packagesOf(inputsOf(tree));
    expect(heavyIn(packages)).toEqual([]);
    expect(packages).toEqual(START_UP_PACKAGES);
    // The sandbox (a server with generated data) is only for `sandbox` and --sandbox.
    expect(inputsOf(tree).filter((input) => input.startsWith('src/sandbox/'))).toEqual([]);
  });
});

describe('what a run loads (module-resolution hook)', () => {
  it('--version loads the entry file and nothing else', () => {
    expect(loadedFiles(['--version'])).toEqual(['cli.js']);
  });

  it.each(['--help', 'list --help', 'delete --help'])('`%s` loads no heavy dependency', (line) => {
    const files = loadedFiles(line.split(' '));
    const outputs = files.map((file) => {
      const output = outputByFile.get(fileName(file));
      if (!output) throw new Error(`${file} is not in meta.json`);
      return output;
    });
    expect(outputs).toContain(outputFor('src/cli.ts')); // the hook saw the command tree load
    expect(heavyIn(packagesOf(inputsOf(outputs)))).toEqual([]);
  });
});
