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
 *   the per-profile de-duplication guard (functions/domain/profiles/profile.ts). An event
 *   that guard cannot decide (`outside_dedup_window`) is kept in the failed-events store with
 *   its reason once the batch's writes have succeeded, never counted and never dropped.
 * - Tag time (`clock: 'event'`, historical replays): each profile is tagged as of its own
 *   newest event time, bounded by the newest receipt of the batch's events for it — never
 *   another person's event, never a time that has not come when its events arrived.
 * - Merge order makes every crash point safe: (1) the absorbed profile is frozen with
 *   `mergedInto` (conditional on the version read), (2) the survivor is written with the
 *   absorbed history and `absorbed += id`, (3) identities are re-pointed. A reader that
 *   finds a frozen profile not yet absorbed by its survivor finishes step (2) itself.
 */
import type { CleanEvent } from '../../../schemas/clean-event.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';
import type { Profile } from '../../../schemas/profile.ts';
import type { RuleSet } from '../../../schemas/tag-rules.ts';
import type { FailedEventSink } from '../shared/ports.ts';
import { absorb, applyEvent, canMerge, chooseSurvivor, dedupDecision, dedupSeal, newProfile } from './profile.ts';
import { identityKeyString, type IdentityKey, type ProfileStore } from './ports.ts';
import { anonProfileId, lookupKeysOf, userProfileId } from './profile-ids.ts';
import { forEachLimit } from '../shared/for-each-limit.ts';
import { evaluateTags, withAssignedTags } from '../tag/tags.ts';

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
  /** 'event': each profile's tags as of its newest event time (bounded by receipt); 'wall': as of now. */
  clock: 'event' | 'wall';
  /** Where events the de-duplication guard cannot decide are kept (the Tag handler passes its own). */
  failed?: FailedEventSink;
}

export interface UpdateReport {
  applied: number;
  duplicates: number;
  /** Events refused as `outside_dedup_window`, kept in `failed` (a count: the report is logged, the events hold personal data). */
  refused: number;
  profilesWritten: number;
  merges: number;
  identitiesClaimed: number;
  /**
   * Every live profile an event of the batch resolved to, written now or by an earlier
   * attempt (a duplicate): what Tag announces on the changes stream, so a retried batch
   * announces again what its first attempt wrote but could not announce.
   */
  profileIds: string[];
}

interface Entry {
  profile: Profile;
  /** Version as read from the store (0: not stored yet). */
  loadedVersion: number;
  dirty: boolean;
}

const MAX_CHAIN = 10;
/** Parallel writes per phase: enough to hide round-trip latency, few enough not to self-throttle. */
const WRITE_CONCURRENCY = 16;

export async function updateProfiles(events: CleanEvent[], deps: UpdateDeps): Promise<UpdateReport> {
  const { store } = deps;
  const nowIso = deps.now().toISOString();
  const entries = new Map<string, Entry>();
  const repoints: { key: IdentityKey; from: string; to: string }[] = [];
  const report: UpdateReport = { applied: 0, duplicates: 0, refused: 0, profilesWritten: 0, merges: 0, identitiesClaimed: 0, profileIds: [] };
  const touched = new Set<string>();

  // Reads first, batched: every identity link and every profile the batch may touch.
  const owners = await store.findIdentities(events.flatMap(lookupKeysOf));
  const candidates = new Set<string>(owners.values());
  for (const e of events) {
    if (e.userId) candidates.add(userProfileId(e.userId));
    if (e.anonymousId) candidates.add(anonProfileId(e.anonymousId));
    if (e.type === 'alias' && e.previousId) candidates.add(userProfileId(e.previousId)).add(anonProfileId(e.previousId));
  }
  const prefetched = await store.getProfiles([...candidates]);
  const known = (id: string) => entries.has(id) || prefetched.has(id);

  async function load(profileId: string): Promise<Entry> {
    let entry = entries.get(profileId);
    if (!entry) {
      // Candidates were all read in one batch (absent there means absent); others — reached
      // through mergedInto or a lost identity race — are read now.
      const stored = candidates.has(profileId) ? prefetched.get(profileId) : await store.getProfile(profileId);
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
    // Derived ids need no item: the frozen profile's mergedInto leads there. Linked ones are re-pointed.
    const keys: IdentityKey[] = [
      ...ids.anonymousIds.map((value) => ({ kind: 'anon' as const, value })),
      ...ids.emailHashes.map((value) => ({ kind: 'email' as const, value })),
    ];
    for (const key of keys) {
      const owner = owners.get(identityKeyString(key));
      if (owner === other.profile.profileId) {
        owners.set(identityKeyString(key), survivor.profile.profileId);
        repoints.push({ key, from: other.profile.profileId, to: survivor.profile.profileId });
      }
    }
  }

  /** Merges two profiles unless they belong to different known users; returns the survivor. */
  function mergeIfSamePerson(target: Entry, other: Entry, userId: string | undefined, alias: boolean): Entry {
    if (other === target) return target;
    const asTarget =
      userId && !target.profile.identities.userIds.includes(userId)
        ? { ...target.profile, identities: { ...target.profile.identities, userIds: [...target.profile.identities.userIds, userId] } }
        : target.profile;
    // alias is the caller saying two ids are one person: it may join two known users.
    if (!alias && !canMerge(asTarget, other.profile)) return target;
    const [s] = chooseSurvivor(asTarget, other.profile);
    if (s === asTarget) {
      merge(target, other);
      return target;
    }
    merge(other, target);
    return other;
  }

  /** Links an identity to the target with a conditional put; a lost race merges with the winner. */
  async function link(key: IdentityKey, target: Entry, e: CleanEvent): Promise<Entry> {
    const ks = identityKeyString(key);
    const owner = owners.get(ks);
    if (owner !== undefined) {
      // Already linked: to this profile, or to one that must merge with it.
      const ownerEntry = await canonical(owner);
      return mergeIfSamePerson(target, ownerEntry, e.userId, e.type === 'alias');
    }
    const claim = await store.claimIdentity(key, target.profile.profileId);
    if (claim.ok) {
      owners.set(ks, target.profile.profileId);
      report.identitiesClaimed += 1;
      return target;
    }
    owners.set(ks, claim.profileId);
    return mergeIfSamePerson(target, await canonical(claim.profileId), e.userId, e.type === 'alias');
  }

  async function resolve(e: CleanEvent): Promise<Entry> {
    const alias = e.type === 'alias';
    const related: Entry[] = [];
    const add = async (id: string) => {
      const entry = await canonical(id);
      if (!related.includes(entry)) related.push(entry);
    };
    const anonOwner = e.anonymousId ? owners.get(identityKeyString({ kind: 'anon', value: e.anonymousId })) : undefined;
    if (anonOwner) await add(anonOwner);
    // Also the derived anonymous profile: if a crash froze it before its survivor absorbed it,
    // following its mergedInto here finishes the merge.
    if (e.anonymousId && known(anonProfileId(e.anonymousId))) await add(anonProfileId(e.anonymousId));
    const emailOwner = e.emailHash ? owners.get(identityKeyString({ kind: 'email', value: e.emailHash })) : undefined;
    if (emailOwner) await add(emailOwner);
    if (alias && e.previousId) {
      const prevOwner = owners.get(identityKeyString({ kind: 'anon', value: e.previousId }));
      if (prevOwner) await add(prevOwner);
      for (const id of [anonProfileId(e.previousId), userProfileId(e.previousId)]) if (known(id)) await add(id);
    }

    let target: Entry;
    if (e.userId) {
      // A known user's profile is derived from the userId; it absorbs the anonymous history.
      target = await canonical(userProfileId(e.userId));
    } else if (related.length > 0) {
      target = related.reduce((a, b) => (chooseSurvivor(a.profile, b.profile)[0] === a.profile ? a : b));
    } else {
      target = await load(anonProfileId(e.anonymousId!));
    }
    for (const other of related) target = mergeIfSamePerson(target, other, e.userId, alias);

    // Links that cannot be derived from the profile id: written once, conditionally.
    if (e.anonymousId && target.profile.profileId !== anonProfileId(e.anonymousId) && owners.get(identityKeyString({ kind: 'anon', value: e.anonymousId })) !== target.profile.profileId) {
      target = await link({ kind: 'anon', value: e.anonymousId }, target, e);
    }
    if (e.emailHash && owners.get(identityKeyString({ kind: 'email', value: e.emailHash })) !== target.profile.profileId) {
      target = await link({ kind: 'email', value: e.emailHash }, target, e);
    }
    return target;
  }
  /** Newest receipt (epoch ms) of the batch's events per profile they resolved to. */
  const receipts = new Map<string, number>();
  const refused: FailedEvent[] = [];
  for (const e of events) {
    const entry = await resolve(e);
    const id = entry.profile.profileId;
    touched.add(id);
    receipts.set(id, Math.max(receipts.get(id) ?? -Infinity, Date.parse(e.receivedAt)));
    const decision = dedupDecision(entry.profile, e);
    if (decision === 'duplicate') {
      report.duplicates += 1;
      continue;
    }
    if (decision === 'outside_window') {
      const seal = new Date(dedupSeal(entry.profile)!).toISOString();
      const detail = `timestamp ${e.timestamp} is not after ${seal}, the newest event time of profile ${id} whose message ids it no longer remembers (${e.messageId} may be one of them): counting it could count it twice`;
      refused.push({ v: 1, stage: 'tag', reason: 'outside_dedup_window', detail, at: nowIso, messageId: e.messageId, sourceId: e.sourceId, payload: e });
      continue;
    }
    entry.profile = applyEvent(entry.profile, e);
    entry.dirty = true;
    report.applied += 1;
  }

  /** The instant a live profile's tags are evaluated as of (see the module comment). */
  const asOfFor = (p: Profile): Date => {
    if (deps.clock !== 'event') return deps.now();
    // Its own receipts and those of profiles it absorbed in this batch.
    let bound = -Infinity;
    for (const [id, at] of receipts) if (id === p.profileId || entries.get(id)?.profile.mergedInto === p.profileId) bound = Math.max(bound, at);
    if (!Number.isFinite(bound)) bound = deps.now().getTime();
    const lastSeen = p.aggregates.lastSeen ? Date.parse(p.aggregates.lastSeen) : NaN;
    return new Date(Number.isFinite(lastSeen) ? Math.min(lastSeen, bound) : bound);
  };
  const dirty = [...entries.values()].filter((x) => x.dirty);
  const save = async (entry: Entry) => {
    const p = entry.profile;
    const asOf = p.mergedInto ? undefined : asOfFor(p);
    const toSave: Profile = !asOf
      ? { ...p, version: entry.loadedVersion + 1, updatedAt: nowIso }
      : {
          ...p,
          version: entry.loadedVersion + 1,
          updatedAt: nowIso,
          tags: withAssignedTags(p.tags, evaluateTags(p.aggregates, asOf, deps.ruleSet)),
          tagsRuleSet: deps.ruleSetId,
          tagsAsOf: asOf.toISOString(),
        };
    if (!(await store.saveProfile(toSave, entry.loadedVersion))) throw new ConflictError(p.profileId);
    entry.profile = toSave;
    entry.loadedVersion = toSave.version;
    entry.dirty = false;
    report.profilesWritten += 1;
  };
  // Frozen (absorbed) profiles first, then the rest, then identity links: the merge order of
  // the module comment. Within a phase the writes are independent items, so they run in parallel.
  // An absorbed profile that was never stored (created and merged in this batch: a visitor's
  // first session with its login) is not written when the identity links claimed above lead
  // every id it had to its survivor: then nothing needs its frozen item to find the survivor
  // (every event with its anonymousId is on this shard, Clean's partition key, and resolves
  // through the link; a retry finds the link and never creates it again).
  const linkedAway = (x: Entry) => {
    const to = x.profile.mergedInto!;
    const survivor = entries.get(to);
    // A link still to be re-pointed (written after the profiles) would lead to nothing if a crash came first.
    if (!survivor || survivor.profile.mergedInto || x.profile.identities.userIds.length > 0 || repoints.some((r) => r.from === x.profile.profileId)) return false;
    const keys = [...x.profile.identities.anonymousIds.map((value) => ({ kind: 'anon' as const, value })), ...x.profile.identities.emailHashes.map((value) => ({ kind: 'email' as const, value }))];
    return keys.every((k) => owners.get(identityKeyString(k)) === to);
  };
  await forEachLimit(dirty.filter((x) => x.profile.mergedInto && (x.loadedVersion > 0 || !linkedAway(x))), WRITE_CONCURRENCY, save);
  await forEachLimit(dirty.filter((x) => !x.profile.mergedInto), WRITE_CONCURRENCY, save);
  await forEachLimit(repoints, WRITE_CONCURRENCY, (r) => store.repointIdentity(r.key, r.from, r.to));
  // After the writes: an attempt that loses a race is re-run, and refuses again from fresh reads.
  if (refused.length > 0) await deps.failed?.put(refused);
  report.refused = refused.length;
  // A profile absorbed later in the batch is announced as the profile that absorbed it.
  report.profileIds = [...new Set([...touched].map((id) => entries.get(id)?.profile.mergedInto ?? id))];
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
