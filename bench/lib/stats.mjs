// Small statistics and formatting helpers for the benchmark report.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), runs: values.length };
}

export const ms = (value) => `${value.toFixed(1)} ms`;
export const seconds = (valueMs) => `${(valueMs / 1000).toFixed(2)} s`;
export const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
export const int = (value) => Math.round(value).toLocaleString('en-US');
export const ratio = (value) => `${value.toFixed(2)}x`;
export const percent = (value) => `${(value * 100).toFixed(0)}%`;

/** "median (min–max)" for a summary of milliseconds. */
export function msRange(s) {
  return `${s.median.toFixed(1)} ms (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
}

export function verdict(holds) {
  return holds ? 'holds' : '**does not hold**';
}
