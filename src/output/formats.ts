// The output formats every command offers with -o/--output: the one list the flags, the renderer
// and the help text share. Kept apart from render.ts so declaring a flag loads no renderer.
export type OutputFormat = 'table' | 'tsv' | 'json' | 'jsonl' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'tsv', 'json', 'jsonl', 'csv'];
