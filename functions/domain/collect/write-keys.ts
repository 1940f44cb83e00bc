/**
 * Sources and write keys, Segment style. A key arrives in one of three places:
 * - HTTP Basic auth with the write key as the user name and an empty password (every SDK
 *   that can set a header; the API Gateway authorizer reads only this);
 * - a `writeKey` field of the JSON body, which Segment's tracking spec allows and which is
 *   all a client has when it cannot set headers (navigator.sendBeacon, analytics.js classic);
 * - a `writeKey` query parameter: RudderStack's browser SDK puts it there on its sendBeacon
 *   batches (`/beacon/v1/batch?writeKey=…`, body without a key) and on `/sourceConfig`.
 * Keys are random 32-byte strings; only their sha256 is stored.
 *
 * One verifier (`makeWriteKeyVerifier`) serves both the authorizer and the collect function
 * (which checks the key of the browser paths itself, see collect-events.ts): same lookup,
 * same answers, and the same cache lifetime as the authorizer's API Gateway cache (5 minutes),
 * refusals included, so a page hammering with a bad key costs one store read per 5 minutes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SourceItem } from '../../../schemas/profile.ts';
import { UnauthorizedError, UnavailableError } from '../shared/errors.ts';

export function newWriteKey(): string {
  return randomBytes(24).toString('base64url');
}

export function hashWriteKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

const plausibleKey = (key: string) => key.length >= 8 && key.length <= 256;

/** The write key from an `Authorization: Basic base64(key:)` header, or undefined. */
export function writeKeyFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const key = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
  return plausibleKey(key) ? key : undefined;
}

/** The `writeKey` of a parsed request body (a single event or a batch), or undefined. */
export function writeKeyFromBody(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const key = (body as { writeKey?: unknown }).writeKey;
  return typeof key === 'string' && plausibleKey(key) ? key : undefined;
}

/** The `writeKey` query parameter, or undefined (a query is an object of strings, so the body rule applies). */
export function writeKeyFromQuery(query: Record<string, string | undefined> | undefined): string | undefined {
  return writeKeyFromBody(query);
}

/** Where sources are kept (port; functions/adapters/dynamo-source-store.ts). */
export interface SourceStore {
  findByKeyHash(keyHash: string): Promise<SourceItem | undefined>;
  create(source: SourceItem): Promise<void>;
}

export type KeyCheck = { ok: true; sourceId: string } | { ok: false; reason: 'unknown' | 'disabled' };
export type WriteKeyVerifier = (key: string) => Promise<KeyCheck>;

/** API Gateway's authorizer cache lifetime (lib/constructs/collect.ts), used for the in-process cache too. */
export const KEY_CACHE_MS = 5 * 60_000;

/**
 * A verifier with a bounded in-process cache (oldest entry evicted first), keyed by the
 * key's hash so no key is held in memory longer than the request. A store failure is
 * thrown, not cached: the caller answers "retry".
 */
export function makeWriteKeyVerifier(
  sources: Pick<SourceStore, 'findByKeyHash'>,
  opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): WriteKeyVerifier {
  const ttl = opts.ttlMs ?? KEY_CACHE_MS;
  const max = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { until: number; check: KeyCheck }>();
  return async (key) => {
    const hash = hashWriteKey(key);
    const hit = cache.get(hash);
    if (hit && hit.until > now()) return hit.check;
    const source = await sources.findByKeyHash(hash);
    const check: KeyCheck = !source ? { ok: false, reason: 'unknown' } : source.disabled ? { ok: false, reason: 'disabled' } : { ok: true, sourceId: source.sourceId };
    cache.delete(hash);
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(hash, { until: now() + ttl, check });
    return check;
  };
}

export const KEY_REQUIRED = 'a write key is required: HTTP Basic auth with the key as user name, "writeKey" in the JSON body, or ?writeKey= in the URL';

/**
 * The source a write key names, for the routes whose function checks the key itself: none,
 * unknown or disabled is UnauthorizedError (401, the same answer for unknown and disabled, so
 * it tells a prober nothing); a store failure is UnavailableError (503: retry).
 */
export async function sourceIdOfKey(key: string | undefined, verify: WriteKeyVerifier): Promise<string> {
  if (key === undefined) throw new UnauthorizedError(KEY_REQUIRED);
  const check = await verify(key).catch((err) => {
    throw Object.assign(new UnavailableError('the write key could not be checked; retry'), { cause: err });
  });
  if (!check.ok) throw new UnauthorizedError('the write key is not valid (unknown or disabled source)');
  return check.sourceId;
}
