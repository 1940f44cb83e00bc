/** An in-memory ProfileStore with the same conditional semantics as the DynamoDB adapter, plus fault injection. */
import type { Profile, ScoresItem } from '../../schemas/profile.ts';
import { identityKeyString, type IdentityKey, type ProfileScanner, type ProfileStore } from '../../functions/domain/profiles/ports.ts';
import { type ScoreStore } from '../../functions/domain/score/ports.ts';

export class MemoryProfileStore implements ProfileStore, ProfileScanner {
  profiles = new Map<string, Profile>();
  identities = new Map<string, string>();
  writes = 0;
  /** Throw on the n-th next saveProfile call (1 = the next one). */
  failSaveAt?: number;
  /** Before the n-th next save, bump the stored version as a concurrent writer would. */
  concurrentWriteAt?: number;

  async getProfile(id: string) {
    const p = this.profiles.get(id);
    return p ? structuredClone(p) : undefined;
  }
  async getProfiles(ids: string[]) {
    const out = new Map<string, Profile>();
    for (const id of ids) {
      const p = this.profiles.get(id);
      if (p) out.set(id, structuredClone(p));
    }
    return out;
  }
  async findIdentities(keys: IdentityKey[]) {
    const out = new Map<string, string>();
    for (const k of keys) {
      const v = this.identities.get(identityKeyString(k));
      if (v) out.set(identityKeyString(k), v);
    }
    return out;
  }
  async claimIdentity(key: IdentityKey, profileId: string) {
    const ks = identityKeyString(key);
    const owner = this.identities.get(ks);
    if (owner) return { ok: false as const, profileId: owner };
    this.identities.set(ks, profileId);
    this.writes++;
    return { ok: true as const };
  }
  async repointIdentity(key: IdentityKey, from: string, to: string) {
    const ks = identityKeyString(key);
    const owner = this.identities.get(ks);
    if (owner === undefined || owner === from) this.identities.set(ks, to);
    this.writes++;
  }
  async saveProfile(profile: Profile, expectedVersion: number) {
    if (this.failSaveAt !== undefined && --this.failSaveAt === 0) {
      this.failSaveAt = undefined;
      throw new Error('injected: ProvisionedThroughputExceededException');
    }
    if (this.concurrentWriteAt !== undefined && --this.concurrentWriteAt === 0) {
      this.concurrentWriteAt = undefined;
      const current = this.profiles.get(profile.profileId);
      if (current) this.profiles.set(profile.profileId, { ...current, version: current.version + 1 });
    }
    const current = this.profiles.get(profile.profileId);
    const ok = expectedVersion === 0 ? current === undefined : current?.version === expectedVersion;
    if (!ok) return false;
    this.profiles.set(profile.profileId, structuredClone(profile));
    this.writes++;
    return true;
  }
  /** Pages of `limit` profiles, segments by position (id order), the cursor a position. */
  async scanProfiles(opts: { segment: number; totalSegments: number; cursor?: string; limit?: number }) {
    const all = [...this.profiles.values()].sort((a, b) => a.profileId.localeCompare(b.profileId)).filter((_, i) => i % opts.totalSegments === opts.segment);
    const start = Number(opts.cursor ?? 0);
    const end = start + (opts.limit ?? 1000);
    return { profiles: all.slice(start, end).map((p) => structuredClone(p)), ...(end < all.length ? { cursor: String(end) } : {}) };
  }
  live(): Profile[] {
    return [...this.profiles.values()].filter((p) => !p.mergedInto);
  }
}

/** An in-memory ScoreStore with the adapter's monotonic condition. */
export class MemoryScoreStore implements ScoreStore {
  items = new Map<string, ScoresItem>();
  writes = 0;
  failSaveAt?: number;
  constructor(private readonly profiles = new MemoryProfileStore()) {}
  async getProfilesWithScores(ids: string[]) {
    return { profiles: await this.profiles.getProfiles(ids), scores: await this.getScores(ids) };
  }
  async getScores(ids: string[]) {
    const out = new Map<string, ScoresItem>();
    for (const id of ids) {
      const s = this.items.get(id);
      if (s) out.set(id, structuredClone(s));
    }
    return out;
  }
  async saveScores(item: ScoresItem) {
    if (this.failSaveAt !== undefined && --this.failSaveAt === 0) {
      this.failSaveAt = undefined;
      throw new Error('injected: ProvisionedThroughputExceededException');
    }
    const current = this.items.get(item.profileId);
    if (current && current.profileVersion > item.profileVersion) return false;
    this.items.set(item.profileId, structuredClone(item));
    this.writes++;
    return true;
  }
  async deleteScores(profileId: string, profileVersion: number) {
    const current = this.items.get(profileId);
    if (!current || current.profileVersion > profileVersion) return false;
    this.items.delete(profileId);
    this.writes++;
    return true;
  }
}
