// The one place that makes text safe to show on a terminal. Names, distinct_ids, property values
// and error details come from whoever sends events to PostHog, so they can hold control
// characters: ESC starts sequences that clear the screen (`\x1b[2J`), retitle the window
// (`\x1b]0;…\x07`) or move the cursor, CR returns to the start of the line and lets a crafted
// name overwrite what a prompt asks, and the C1 range (`\u009b` is a one-byte CSI) does the same
// on terminals that honour it. Every human-facing view (tables, the `get` card, previews, prompts,
// summaries, warnings and errors) shows such characters as visible escapes instead; the machine
// formats (json, jsonl, csv, tsv) keep the data exact and never pass through here.

// C0 controls (U+0000-U+001F), DEL (U+007F), the C1 controls (U+0080-U+009F), and the
// bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which make a
// terminal show the text after them reordered (a name could turn round what a prompt says).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// The same without LF, for whole messages whose own line breaks are meant.
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  const hex = code.toString(16).padStart(2, '0');
  // C0 and DEL as \xHH (how shells and editors show them), the others as \uHHHH.
  return code < 0x80 ? `\\x${hex}` : `\\u${hex.padStart(4, '0')}`;
}

/**
 * Text as a terminal may show it: one line, and every control character (tab, LF and CR
 * included) written visibly, e.g. ESC as `\x1b`, BEL as `\x07`, CSI as `\u009b`, LF as `\n`.
 * Other text, backslashes included, is left as it is.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(CONTROL, visible);
}

/**
 * The same for a whole message of the tool's own, which may span lines on purpose: LF is kept,
 * every other control character is escaped. The last guard of stderr (`IOStreams.err`); values
 * from the server are escaped with escapeForTerminal where they are put into a message, so that a
 * line feed inside one cannot forge a line of its own.
 */
export function escapeLinesForTerminal(text: string): string {
  return text.replace(CONTROL_EXCEPT_LF, visible);
}
