/**
 * Sources and write keys, Segment style: HTTP Basic auth with the write key as the user
 * name and an empty password. Keys are random 32-byte strings; only their sha256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SourceItem } from '../../../schemas/profile.ts';

export function newWriteKey(): string {
  return randomBytes(24).toString('base64url');
}

export function hashWriteKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** The write key from an `Authorization: Basic base64(key:)` header, or undefined. */
export function writeKeyFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const key = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
  return key.length >= 8 && key.length <= 256 ? key : undefined;
}

/** Where sources are kept (port; functions/adapters/dynamo-source-store.ts). */
export interface SourceStore {
  findByKeyHash(keyHash: string): Promise<SourceItem | undefined>;
  create(source: SourceItem): Promise<void>;
}
