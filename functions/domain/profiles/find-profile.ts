/**
 * Finds the live profile for an id a person or an operator knows: `user:<id>`,
 * `anon:<id>`, `email:<hash>`, `profile:<id>`, or a bare id (a userId). Profile ids are
 * derived from user and anonymous ids (functions/domain/profiles/update-profiles.ts); linked ones
 * are looked up. Merged profiles are followed to their survivor.
 */
import type { Profile } from '../../../schemas/profile.ts';
import { identityKeyString, type IdentityKey, type ProfileStore } from './ports.ts';
import { anonProfileId, userProfileId } from './profile-ids.ts';

export async function findProfile(store: ProfileStore, id: string): Promise<Profile | undefined> {
  const m = /^(user|anon|email|profile):(.+)$/.exec(id);
  const [kind, value] = m ? [m[1], m[2]] : ['user', id];
  let profileId: string | undefined;
  if (kind === 'profile') profileId = value;
  else if (kind === 'user') profileId = userProfileId(value);
  else {
    const key: IdentityKey = { kind: kind as IdentityKey['kind'], value };
    profileId = (await store.findIdentities([key])).get(identityKeyString(key)) ?? (kind === 'anon' ? anonProfileId(value) : undefined);
  }
  let profile = profileId ? await store.getProfile(profileId) : undefined;
  for (let i = 0; profile?.mergedInto && i < 10; i++) profile = await store.getProfile(profile.mergedInto);
  return profile;
}
