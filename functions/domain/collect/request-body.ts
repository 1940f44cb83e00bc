/**
 * The request body as text, from the bytes and the Content-Encoding the client declared.
 *
 * Design:
 * - RudderStack's SDKs gzip their batches (`Content-Encoding: gzip`); Segment's send plain
 *   JSON. Any other coding (`br`, `deflate`, …) is refused with 415 rather than read as
 *   text: reading compressed bytes as JSON would answer a misleading invalid_json.
 * - Inflating is capped at the request limit plus one byte, so a small compressed bomb
 *   cannot exhaust memory; the bomb is a 413 like any oversized request.
 * - A refusal here is a result (collect.ts's `request_error`), not a throw: the caller keeps
 *   it in the failed-events store like every other refusal, with the first bytes only
 *   (`KEPT_BYTES`): enough to see what a client sent, bounded whatever it sent.
 */
import { gunzipSync } from 'node:zlib';
import type { RequestRefusal } from './collect.ts';

/** How much of a refused body is kept: ~4 KB of text, or 3 KB of binary as base64 (~4 KB). */
export const KEPT_BYTES = 4096;

const keptBinary = (bytes: Buffer, contentEncoding: string) => ({ contentEncoding, base64: bytes.subarray(0, (KEPT_BYTES / 4) * 3).toString('base64'), bytes: bytes.length });

/** The declared codings, outermost last, without `identity` (RFC 9110 §8.4). */
function codingsOf(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

export function readBody(bytes: Buffer, contentEncoding: string | undefined, maxBytes: number): { kind: 'text'; text: string } | RequestRefusal {
  const codings = codingsOf(contentEncoding);
  if (codings.length === 0) return { kind: 'text', text: bytes.toString('utf8') };
  if (codings.length > 1 || (codings[0] !== 'gzip' && codings[0] !== 'x-gzip')) {
    return {
      kind: 'request_error',
      status: 415,
      error: 'unsupported_media_type',
      reason: 'unsupported_encoding',
      issues: [{ field: 'Content-Encoding', rule: `must be gzip or identity, got ${JSON.stringify(String(contentEncoding).slice(0, 40))}` }],
      payload: keptBinary(bytes, String(contentEncoding).slice(0, 100)),
    };
  }
  try {
    return { kind: 'text', text: gunzipSync(bytes, { maxOutputLength: maxBytes + 1 }).toString('utf8') };
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      return {
        kind: 'request_error',
        status: 413,
        error: 'request_too_large',
        reason: 'too_large',
        issues: [{ field: '(body)', rule: `must be at most ${maxBytes} bytes once inflated` }],
        payload: keptBinary(bytes, 'gzip'),
      };
    }
    return {
      kind: 'request_error',
      status: 400,
      error: 'invalid_encoding',
      reason: 'invalid_encoding',
      issues: [{ field: '(body)', rule: 'Content-Encoding: gzip but the body is not gzip' }],
      payload: keptBinary(bytes, 'gzip'),
    };
  }
}
