/**
 * Profile ids and the identities that must be looked up: shared by the Tag stage's identity
 * resolution, the profile reader (find-profile.ts) and every piece that addresses a person.
 */
import type { CleanEvent } from '../../../schemas/clean-event.ts';
import type { IdentityKey } from './ports.ts';

/**
 * Profile ids are derived from the person's primary id, so the common case needs no
 * identity item (and no write for one): a known user's profile is `u-<userId>`, an
 * anonymous visitor's is `a-<anonymousId>`. Identity items exist only for the links
 * that cannot be derived: an anonymousId or email that belongs to another profile.
 */
export const userProfileId = (userId: string) => `u-${userId}`;
export const anonProfileId = (anonymousId: string) => `a-${anonymousId}`;

/** Identities whose owner must be looked up (a userId's profile id is derived, not looked up). */
export function lookupKeysOf(e: CleanEvent): IdentityKey[] {
  const keys: IdentityKey[] = [];
  if (e.anonymousId) keys.push({ kind: 'anon', value: e.anonymousId });
  if (e.emailHash) keys.push({ kind: 'email', value: e.emailHash });
  // alias: previousId is whatever id the person had before, an anonymousId or an older userId.
  if (e.type === 'alias' && e.previousId) keys.push({ kind: 'anon', value: e.previousId });
  return keys;
}
