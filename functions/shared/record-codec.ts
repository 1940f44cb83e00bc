/**
 * How events travel in stream records. Kinesis on-demand bills every record rounded up to
 * 1 KB, and an order event with its products is 2–3 KB of JSON but well under 1 KB
 * gzipped; so records over COMPRESS_FROM bytes are gzipped. Readers tell the two apart by
 * gzip's magic bytes (JSON never starts with 0x1f 0x8b), so older plain records stay readable.
 * A record's JSON is one item (an object) or a bundle of items (a JSON array, in order):
 * the sink bundles the records of one put that share a partition key
 * (functions/adapters/kinesis-event-sink.ts); readers expand a bundle with itemsOf.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

/** Below this a record is already one billing unit: compressing would only cost CPU. */
export const COMPRESS_FROM = 900;
/** A decoded record larger than Kinesis's 1 MiB record limit cannot be genuine. */
const MAX_DECODED = 1024 * 1024;

export function encodeRecord(data: unknown): Buffer {
  return encodeJson(JSON.stringify(data));
}

/** JSON text already serialised → record data. */
export function encodeJson(text: string): Buffer {
  const json = Buffer.from(text);
  return json.length < COMPRESS_FROM ? json : gzipSync(json, { level: 6 });
}

/** The items of a parsed record: a bundle's elements, or the record itself. */
export const itemsOf = (parsed: unknown): unknown[] => (Array.isArray(parsed) ? parsed : [parsed]);

/** The record's text. Throws on corrupt gzip; callers keep such a record with its reason. */
export function decodeRecord(base64: string): string {
  const raw = Buffer.from(base64, 'base64');
  if (raw.length > 2 && raw[0] === 0x1f && raw[1] === 0x8b) return gunzipSync(raw, { maxOutputLength: MAX_DECODED }).toString('utf8');
  return raw.toString('utf8');
}
