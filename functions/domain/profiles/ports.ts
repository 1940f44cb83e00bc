/**
 * Ports of the Profiles piece: the profile and identity store, and the scan over it.
 * Adapters in functions/adapters implement them with the AWS SDK; tests implement them in
 * memory. Adapters never swallow errors: a failed write throws, a lost race is a typed answer.
 */
import type { IdentityKind, Profile } from '../../../schemas/profile.ts';

export interface IdentityKey {
  kind: IdentityKind;
  value: string;
}
export const identityKeyString = (k: IdentityKey) => `${k.kind}#${k.value}`;

export interface ProfileStore {
  getProfile(profileId: string): Promise<Profile | undefined>;
  /** Reads many profiles at once (strongly consistent); absent ones are not in the map. */
  getProfiles(profileIds: string[]): Promise<Map<string, Profile>>;
  /**
   * Looks up identities; the map is keyed by identityKeyString. Missing keys are absent.
   * May be eventually consistent: a link missed here is found by the conditional claim.
   */
  findIdentities(keys: IdentityKey[]): Promise<Map<string, string>>;
  /** Creates the identity if it does not exist; otherwise reports who owns it. */
  claimIdentity(key: IdentityKey, profileId: string): Promise<{ ok: true } | { ok: false; profileId: string }>;
  /** Points an identity from one profile to another (no-op if it already points elsewhere than `from`). */
  repointIdentity(key: IdentityKey, from: string, to: string): Promise<void>;
  /**
   * Writes the profile if the stored version still equals `expectedVersion` (0: must not
   * exist yet). The stored version becomes `profile.version`. False when someone else won.
   */
  saveProfile(profile: Profile, expectedVersion: number): Promise<boolean>;
}

/** One page of a parallel scan over live and merged profiles (the scheduled re-scoring). */
export interface ProfileScanner {
  scanProfiles(opts: { segment: number; totalSegments: number; cursor?: string; limit?: number }): Promise<{ profiles: Profile[]; cursor?: string }>;
}

