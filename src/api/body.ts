// Reading a response body with bounds: a size cap and a deadline for the whole body. undici's
// bodyTimeout only notices silence, so without these a server dripping one byte a second would
// hold a command for ever, and one sending without end would fill memory.
import type { Dispatcher } from 'undici';
import { ApiError } from '../errors.js';

/**
 * The largest response body read: 128 MiB. A page of 1,000 sandbox persons is 0.55 MB; 128 MiB
 * leaves room for 1,000 persons carrying about 130 KB each (large property sets and up to 1,000
 * distinct_ids), while a server that sends without end is stopped at about 200 MiB of memory
 * (measured: README, "Reliability and speed").
 */
export const MAX_BODY_BYTES = 128 * 1024 * 1024;

/** Thrown while reading a body that passed the size cap: not worth retrying. */
class BodyTooLargeError extends ApiError {}

/** Reads a response body whole, but at most `maxBytes`, and all of it within `deadlineMs` from the headers. */
export async function readBody(res: Dispatcher.ResponseData, maxBytes: number, deadlineMs: number, origin: string): Promise<string> {
  const tooLarge = () =>
    new BodyTooLargeError(`the response from ${origin} was larger than ${formatBytes(maxBytes)}; stopped reading it`, {
      status: res.statusCode,
      hint: 'No page of persons is that large: a server or proxy is sending something else; check --host.',
    });
  const declared = Number(headerValue(res.headers['content-length']));
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(() => {
    res.body.destroy(Object.assign(new Error('response body deadline'), { code: 'BODY_DEADLINE' }));
  }, deadlineMs);
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        res.body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk as Buffer);
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${bytes} bytes`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
