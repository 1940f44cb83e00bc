/**
 * Finds the live profile for an id a person or an operator knows: `user:<id>`,
 * `anon:<id>`, `email:<hash>`, `profile:<id>`, or a bare id (a userId first, then a
 * profile id). Merged profiles are followed to their survivor.
 */
import type { Profile } from '../../schemas/profile.ts';
import { identityKeyString, type IdentityKey, type ProfileStore } from './ports.ts';

export async function findProfile(store: ProfileStore, id: string): Promise<Profile | undefined> {
  const m = /^(user|anon|email|profile):(.+)$/.exec(id);
  let profile: Profile | undefined;
  if (m && m[1] === 'profile') profile = await store.getProfile(m[2]);
  else {
    const key: IdentityKey = m ? { kind: m[1] as IdentityKey['kind'], value: m[2] } : { kind: 'user', value: id };
    const owner = (await store.findIdentities([key])).get(identityKeyString(key));
    profile = owner ? await store.getProfile(owner) : m ? undefined : await store.getProfile(id);
  }
  for (let i = 0; profile?.mergedInto && i < 10; i++) profile = await store.getProfile(profile.mergedInto);
  return profile;
}
