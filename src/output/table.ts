// The `table` format: aligned columns for people to read, in the borderless style of `gh`
// (a header row, two spaces between columns, no grid). Drawn by cli-table3, which is loaded only
// when a table is actually printed, so `--help` and piped output never pay for it.

import type { Column } from './columns.js';
import type { OutputSink } from './sink.js';
import { escapeForTerminal } from './escape.js';
import { plainText } from './values.js';

/**
 * Rows are buffered to compute column widths, in blocks of this many. Widths are computed per
 * block, so on a list longer than this the columns of later blocks can line up differently from
 * the first one; that is the price of memory that stays flat for `list --all` of any size. The
 * header is printed once, above the first block.
 */
export const TABLE_BLOCK_ROWS = 1000;

/**
 * cli-table3 lays out cells with a check that is quadratic in the number of rows (it supports
 * row spans), so a block is drawn in slices of this many rows with the block's column widths.
 */
const DRAW_SLICE_ROWS = 100;

const COLUMN_GAP = 2;
/** A truncated column keeps at least its header and this many characters. */
const MIN_TRUNCATED_WIDTH = 5;

export interface TableRendererOptions<T> {
  fields: Column<T>[];
  sink: OutputSink;
  /** Bold header. The caller decides (terminal, NO_COLOR); the renderer never guesses. */
  color: boolean;
  /** Terminal width; rows are truncated with "…" to fit. Undefined: never truncate. */
  width?: number;
}

type TableModule = typeof import('cli-table3');
type Measure = (text: string) => number;
let tableLibrary: Promise<{ Table: TableModule; strlen: Measure }> | undefined;

function loadTableLibrary(): Promise<{ Table: TableModule; strlen: Measure }> {
  tableLibrary ??= Promise.all([import('cli-table3'), import('cli-table3/src/utils.js')]).then(
    ([table, utils]) => ({ Table: table.default, strlen: utils.default.strlen }),
  );
  return tableLibrary;
}

export class TableRenderer<T> {
  readonly #options: TableRendererOptions<T>;
  readonly #headers: string[];
  #rows: string[][] = [];
  #headerWritten = false;

  constructor(options: TableRendererOptions<T>) {
    this.#options = options;
    this.#headers = options.fields.map((field) => escapeForTerminal(field.header ?? field.name.toUpperCase()));
  }

  async add(record: T): Promise<void> {
    // Keep the cell text only, not the record, so a block costs what it prints. Cells are one
    // line with control characters shown, never sent (server data must not drive the terminal).
    this.#rows.push(this.#options.fields.map((field) => escapeForTerminal(plainText(field.get(record)))));
    if (this.#rows.length >= TABLE_BLOCK_ROWS) await this.#flushBlock();
  }

  async finish(): Promise<void> {
    if (this.#rows.length > 0) await this.#flushBlock();
  }

  async #flushBlock(): Promise<void> {
    const rows = this.#rows;
    this.#rows = [];
    const { Table, strlen } = await loadTableLibrary();
    const { fields, color, width } = this.#options;

    // Printable ASCII is one column a character; only other text needs string-width (slow).
    const measure = (text: string) => (PRINTABLE_ASCII.test(text) ? text.length : strlen(text));
    const headerWidths = this.#headers.map(measure);
    const natural = headerWidths.slice();
    for (const row of rows) {
      row.forEach((cell, i) => {
        const cellWidth = measure(cell);
        if (cellWidth > natural[i]!) natural[i] = cellWidth;
      });
    }
    const minimum = natural.map((w, i) => Math.min(w, Math.max(headerWidths[i]!, MIN_TRUNCATED_WIDTH)));
    const fixed = fields.map((field) => field.fixedWidth === true);
    // A width that is not a positive number (no terminal, unknown size) means "do not truncate".
    const available =
      width !== undefined && Number.isFinite(width) && width > 0 ? width - COLUMN_GAP * (fields.length - 1) : undefined;
    const colWidths = fitColumnWidths(natural, minimum, fixed, available);

    for (let start = 0; start < rows.length; start += DRAW_SLICE_ROWS) {
      const head = this.#headerWritten
        ? []
        : this.#headers.map((header) => (color ? `\u001b[1m${header}\u001b[22m` : header));
      this.#headerWritten = true;
      const table = new Table({
        head,
        colWidths,
        wordWrap: false,
        truncate: '…',
        chars: BORDERLESS,
        // No cli-table3 colouring: it decides by itself whether colour is supported, and this
        // renderer must follow the caller's `color` flag exactly.
        style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [], compact: true },
      });
      for (const row of rows.slice(start, start + DRAW_SLICE_ROWS)) table.push(row);
      // cli-table3 pads the last column too; trailing blanks only get in the way of copy and paste.
      const lines = table.toString().split('\n').map((line) => line.trimEnd());
      await this.#options.sink.write(lines.join('\n') + '\n');
    }
  }
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

const BORDERLESS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: ' '.repeat(COLUMN_GAP),
};

/**
 * Column widths that fit `available` characters (gaps excluded). Flexible columns give way first,
 * the widest ones first (each is capped at one common width, as large as fits); fixed columns are
 * cut only when the flexible ones at their minimum still do not fit. When even the minimums do
 * not fit, the minimums are returned and the terminal wraps the line.
 */
export function fitColumnWidths(
  natural: number[],
  minimum: number[],
  fixed: boolean[],
  available: number | undefined,
): number[] {
  if (available === undefined || sum(natural) <= available) return natural.slice();
  const flexibleOnly = capWidths(natural, minimum, fixed.map((isFixed) => !isFixed), available);
  if (sum(flexibleOnly) <= available) return flexibleOnly;
  return capWidths(natural, minimum, natural.map(() => true), available);
}

/** Caps the shrinkable columns at the largest common width C for which the total fits. */
function capWidths(natural: number[], minimum: number[], shrinkable: boolean[], available: number): number[] {
  const widthsAt = (cap: number) =>
    natural.map((w, i) => (shrinkable[i] ? Math.max(minimum[i]!, Math.min(w, cap)) : w));
  // The total only grows with the cap, so binary search finds the largest cap that fits.
  let low = 0;
  let high = Math.max(...natural);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (sum(widthsAt(mid)) <= available) low = mid;
    else high = mid - 1;
  }
  return widthsAt(low);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
