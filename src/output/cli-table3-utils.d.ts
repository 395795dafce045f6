// cli-table3 measures and truncates cells with its own `strlen` (string-width, ANSI stripped).
// The table renderer sizes columns with that same function so that its widths and cli-table3's
// truncation agree exactly, including for wide (CJK, emoji) characters. cli-table3 is pinned to
// 0.6.5 and has no `exports` map, so this internal path is stable for the pinned version.
declare module 'cli-table3/src/utils.js' {
  const utils: { strlen(text: string): number };
  export default utils;
}
