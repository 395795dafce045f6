// The bundle's entry (dist/cli.js). A bare `--version` is answered here, before the command tree
// is loaded: scripts and CI steps call it to check that the tool is installed, and loading
// commander and every command's flags would more than double its cost (see docs/benchmarks.md).
// Everything else goes to src/cli.ts, which builds the program, runs it and maps errors.
declare const __VERSION__: string;

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  // Exactly what commander prints for it (program.version(), see src/program.ts), exit code 0.
  process.stdout.write(`${typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev'}\n`);
} else {
  await import('./cli.js');
}
