/**
 * Tag stage: resolve each clean event to one canonical profile, apply it, re-evaluate tags,
 * and write every touched profile once per batch.
 *
 * Design (no transactions: dynalite has none, and single-item writes are cheaper):
 * - Identity items (`ID#<kind>#<value>` → profileId) are claimed with a conditional put,
 *   so two shards that see a new person at once agree on one profile.
 * - Profile writes are coalesced: one conditional write per touched profile per batch,
 *   guarded by `version` (optimistic concurrency). A lost race throws ConflictError; the
 *   caller re-runs the batch from fresh reads, and events already written are skipped by
 *   the per-profile `applied` guard (functions/domain/profile.ts).
 * - Merge order makes every crash point safe: (1) the absorbed profile is frozen with
 *   `mergedInto` (conditional on the version read), (2) the survivor is written with the
 *   absorbed history and `absorbed += id`, (3) identities are re-pointed. A reader that
 *   finds a frozen profile not yet absorbed by its survivor finishes step (2) itself.
 */
import type { CleanEvent } from '../../schemas/clean-event.ts';
import type { Profile } from '../../schemas/profile.ts';
import type { RuleSet } from '../../schemas/tag-rules.ts';
import { absorb, applyEvent, canMerge, chooseSurvivor, newProfile } from './profile.ts';
import { identityKeyString, type IdentityKey, type ProfileStore } from './ports.ts';
import { evaluateTags } from './tags.ts';

export class ConflictError extends Error {
  constructor(readonly profileId: string) {
    super(`profile ${profileId} was changed concurrently`);
  }
}

export interface UpdateDeps {
  store: ProfileStore;
  ruleSet: RuleSet;
  ruleSetId: string;
  now: () => Date;
  newId: () => string;
  /** 'event': tags as of the newest event time in the batch; 'wall': as of now. */
  clock: 'event' | 'wall';
}

export interface UpdateReport {
  applied: number;
  duplicates: number;
  profilesWritten: number;
  merges: number;
  identitiesClaimed: number;
}

interface Entry {
  profile: Profile;
  /** Version as read from the store (0: not stored yet). */
  loadedVersion: number;
  dirty: boolean;
}

export function identityKeysOf(e: CleanEvent): IdentityKey[] {
  const keys: IdentityKey[] = [];
  if (e.userId) keys.push({ kind: 'user', value: e.userId });
  if (e.anonymousId) keys.push({ kind: 'anon', value: e.anonymousId });
  if (e.emailHash) keys.push({ kind: 'email', value: e.emailHash });
  return keys;
}

const MAX_CHAIN = 10;

export async function updateProfiles(events: CleanEvent[], deps: UpdateDeps): Promise<UpdateReport> {
  const { store } = deps;
  const nowIso = deps.now().toISOString();
  const entries = new Map<string, Entry>();
  const repoints: { key: IdentityKey; from: string; to: string }[] = [];
  const report: UpdateReport = { applied: 0, duplicates: 0, profilesWritten: 0, merges: 0, identitiesClaimed: 0 };

  async function load(profileId: string): Promise<Entry> {
    let entry = entries.get(profileId);
    if (!entry) {
      const stored = await store.getProfile(profileId);
      // An identity may point at a profile whose first write was lost in a crash: start it afresh.
      entry = stored
        ? { profile: stored, loadedVersion: stored.version, dirty: false }
        : { profile: newProfile(profileId, nowIso), loadedVersion: 0, dirty: true };
      entries.set(profileId, entry);
    }
    return entry;
  }

  /** Follows `mergedInto` to the live profile, finishing any merge a crash left half done. */
  async function canonical(profileId: string): Promise<Entry> {
    let entry = await load(profileId);
    for (let i = 0; entry.profile.mergedInto && i < MAX_CHAIN; i++) {
      const frozen = entry.profile;
      const survivor = await load(frozen.mergedInto!);
      if (!survivor.profile.absorbed.includes(frozen.profileId)) {
        survivor.profile = absorb(survivor.profile, frozen);
        survivor.dirty = true;
      }
      entry = survivor;
    }
    return entry;
  }

  function merge(survivor: Entry, other: Entry): void {
    survivor.profile = absorb(survivor.profile, other.profile);
    survivor.dirty = true;
    other.profile = { ...other.profile, mergedInto: survivor.profile.profileId };
    other.dirty = true;
    report.merges += 1;
    const ids = other.profile.identities;
    const keys: IdentityKey[] = [
      ...ids.userIds.map((value) => ({ kind: 'user' as const, value })),
      ...ids.anonymousIds.map((value) => ({ kind: 'anon' as const, value })),
      ...ids.emailHashes.map((value) => ({ kind: 'email' as const, value })),
    ];
    for (const key of keys) repoints.push({ key, from: other.profile.profileId, to: survivor.profile.profileId });
  }

  /** Merges two profiles unless they belong to different known users; returns the survivor. */
  function mergeIfSamePerson(target: Entry, other: Entry, userId?: string): Entry {
    if (other === target) return target;
    const asTarget = userId && !target.profile.identities.userIds.includes(userId)
      ? { ...target.profile, identities: { ...target.profile.identities, userIds: [...target.profile.identities.userIds, userId] } }
      : target.profile;
    if (!canMerge(asTarget, other.profile)) return target;
    const [s] = chooseSurvivor(asTarget, other.profile);
    if (s === asTarget) {
      merge(target, other);
      return target;
    }
    merge(other, target);
    return other;
  }

  const cache = new Map<string, string>();
  async function resolve(e: CleanEvent): Promise<Entry> {
    const keys = identityKeysOf(e);
    if (e.type === 'alias' && e.previousId) {
      // previousId is whatever id the person had before: an anonymousId or an older userId.
      keys.push({ kind: 'anon', value: e.previousId }, { kind: 'user', value: e.previousId });
    }
    const missing = keys.filter((k) => !cache.has(identityKeyString(k)));
    if (missing.length > 0) {
      const found = await store.findIdentities(missing);
      for (const [k, v] of found) cache.set(k, v);
    }
    const owners: Entry[] = [];
    for (const k of keys) {
      const owner = cache.get(identityKeyString(k));
      if (owner) {
        const entry = await canonical(owner);
        if (!owners.includes(entry)) owners.push(entry);
      }
    }
    let target: Entry;
    if (e.userId) {
      // The event's own userId decides where it goes. A profile of another known user is
      // never taken over; an anonymous one may become this user.
      target =
        owners.find((o) => o.profile.identities.userIds.includes(e.userId!)) ??
        owners.find((o) => o.profile.identities.userIds.length === 0) ??
        (await load(deps.newId()));
    } else if (owners.length > 0) {
      target = owners.reduce((a, b) => (chooseSurvivor(a.profile, b.profile)[0] === a.profile ? a : b));
    } else {
      target = await load(deps.newId());
    }
    for (const other of owners) target = mergeIfSamePerson(target, other, e.userId);
    // Claim the event's identities that nobody owns yet.
    for (const k of identityKeysOf(e)) {
      const ks = identityKeyString(k);
      if (cache.has(ks)) continue;
      const claim = await store.claimIdentity(k, target.profile.profileId);
      if (claim.ok) {
        cache.set(ks, target.profile.profileId);
        report.identitiesClaimed += 1;
      } else {
        // Another shard claimed it first: merge with that profile if we may.
        cache.set(ks, claim.profileId);
        target = mergeIfSamePerson(target, await canonical(claim.profileId), e.userId);
      }
    }
    return target;
  }

  let newestEvent = '';
  for (const e of events) {
    const entry = await resolve(e);
    const next = applyEvent(entry.profile, e);
    if (next === entry.profile) {
      report.duplicates += 1;
      continue;
    }
    entry.profile = next;
    entry.dirty = true;
    report.applied += 1;
    if (e.timestamp > newestEvent) newestEvent = e.timestamp;
  }

  const asOf = deps.clock === 'event' && newestEvent ? new Date(newestEvent) : deps.now();
  const ordered = [...entries.values()].filter((x) => x.dirty);
  // Frozen (absorbed) profiles first: see the merge order in the module comment.
  ordered.sort((a, b) => Number(!!b.profile.mergedInto) - Number(!!a.profile.mergedInto));
  for (const entry of ordered) {
    const p = entry.profile;
    const toSave: Profile = p.mergedInto
      ? { ...p, version: entry.loadedVersion + 1, updatedAt: nowIso }
      : {
          ...p,
          version: entry.loadedVersion + 1,
          updatedAt: nowIso,
          tags: evaluateTags(p.aggregates, asOf, deps.ruleSet),
          tagsRuleSet: deps.ruleSetId,
          tagsAsOf: asOf.toISOString(),
        };
    if (!(await store.saveProfile(toSave, entry.loadedVersion))) throw new ConflictError(p.profileId);
    entry.profile = toSave;
    entry.loadedVersion = toSave.version;
    entry.dirty = false;
    report.profilesWritten += 1;
  }
  for (const r of repoints) await store.repointIdentity(r.key, r.from, r.to);
  return report;
}

/** Runs updateProfiles, re-reading and retrying on lost races (events already written are skipped). */
export async function updateProfilesWithRetry(events: CleanEvent[], deps: UpdateDeps, attempts = 4): Promise<UpdateReport> {
  for (let i = 1; ; i++) {
    try {
      return await updateProfiles(events, deps);
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= attempts) throw err;
    }
  }
}
