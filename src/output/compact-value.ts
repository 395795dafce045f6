// A value inside a one-line change description (timeline's and activity's `changes` column):
// strings bare, integers as their exact digits, everything else as compact JSON.
import { isExactNumber, stringifyExact } from '../json/exact-number.js';

export function compactValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isExactNumber(value)) return value.text;
  return stringifyExact(value) ?? 'null';
}
