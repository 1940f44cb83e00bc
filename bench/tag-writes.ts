/**
 * Tag's DynamoDB write units per event on the clickstream, in one process and in seconds: the
 * lever-by-lever measurement the full pipeline replay (bench/pipeline-replay.ts) is too slow
 * for on a shared machine. The clickstream's events go through Clean's domain code, onto two
 * shards by Clean's partition key (as the local platform has two), and through Tag's
 * updateProfiles in batches of up to `--batch` per shard in turn, against an in-memory
 * profile store that bills each profile write as DynamoDB does (the larger of the old and new
 * item, rounded up to 1 KB; sizes by the developer guide's rules) and each identity claim as
 * one unit. It checks the reconciliation (every event counted once) too.
 * `--key user-first` uses the partition key Clean had before (userId, then anonymousId).
 *
 *   npx tsx bench/tag-writes.ts [--users 2000] [--days 7] [--seed 1] [--batch 1000] [--key user-first]
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { clickstreamRequests } from '../datasets/clickstream.ts';
import { cleanEnvelope } from '../functions/domain/clean/clean.ts';
import { partitionKeyOfClean } from '../functions/domain/clean/clean-batch.ts';
import { updateProfiles } from '../functions/domain/profiles/update-profiles.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../functions/domain/tag/tags.ts';
import { MemoryProfileStore } from '../tests/helpers/memory-profile-store.ts';
import type { CleanEvent } from '../schemas/clean-event.ts';
import type { Profile } from '../schemas/profile.ts';

const { values } = parseArgs({ options: { users: { type: 'string', default: '2000' }, days: { type: 'string', default: '7' }, seed: { type: 'string', default: '1' }, batch: { type: 'string', default: '1000' }, key: { type: 'string', default: 'clean' } } });
const batch = Number(values.batch);

/** An item's size as DynamoDB bills it (developer guide, "Item sizes"). */
function itemBytes(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (typeof v === 'number') return Math.ceil(String(Math.abs(v)).replace(/[.e].*$|^0+/g, '').length / 2) + 1;
  if (typeof v === 'boolean' || v === null) return 1;
  if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + 1 + itemBytes(x), 0);
  if (v && typeof v === 'object') return 3 + Object.entries(v).reduce((n, [k, x]) => (x === undefined ? n : n + 1 + Buffer.byteLength(k) + itemBytes(x)), 0);
  return 0;
}
const stored = (p: Profile) => itemBytes({ pk: `P#${p.profileId}`, sk: 'PROFILE', ...(JSON.parse(JSON.stringify(p)) as object) });

const store = new MemoryProfileStore();
const m = { writeUnits: 0, profileWrites: 0, claims: 0, over1kb: 0, largest: 0 };
const save = store.saveProfile.bind(store);
store.saveProfile = async (p, expected) => {
  const old = store.profiles.get(p.profileId);
  const size = Math.max(stored(p), old ? stored(old) : 0);
  m.largest = Math.max(m.largest, size);
  if (size > 1024) m.over1kb += 1;
  const ok = await save(p, expected);
  if (ok) {
    m.writeUnits += Math.ceil(size / 1024);
    m.profileWrites += 1;
  }
  return ok;
};
const claim = store.claimIdentity.bind(store);
store.claimIdentity = async (k, id) => {
  const r = await claim(k, id);
  if (r.ok) {
    m.writeUnits += 1;
    m.claims += 1;
  }
  return r;
};

const keyOf = values.key === 'user-first' ? (e: CleanEvent) => e.userId ?? e.anonymousId ?? e.messageId : partitionKeyOfClean;
const receivedAt = '2026-11-01T01:00:00.000Z';
const shards: CleanEvent[][] = [[], []];
let events = 0;
for (const request of clickstreamRequests({ seed: Number(values.seed), users: Number(values.users), days: Number(values.days) })) {
  for (const e of request) {
    const r = cleanEnvelope({ v: 1, sourceId: 'bench', receivedAt, event: e });
    if (r.kind !== 'clean') throw new Error(`Clean refused ${e.messageId}: ${r.kind}`);
    events += 1;
    shards[createHash('md5').update(keyOf(r.event)).digest()[0] & 1].push(r.event);
  }
}
const deps = { store, ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID, now: () => new Date(receivedAt), clock: 'wall' as const };
for (let i = 0; i < Math.max(...shards.map((s) => s.length)); i += batch) for (const s of shards) if (i < s.length) await updateProfiles(s.slice(i, i + batch), deps);
const live = [...store.profiles.values()].filter((p) => !p.mergedInto);
const counted = live.reduce((n, p) => n + p.aggregates.events, 0);
console.log(
  `clickstream ${values.users} users × ${values.days} days, seed ${values.seed}, Tag batches of ${batch}, key ${values.key}: ${events} events, counted ${counted} (${counted === events ? 'reconciles' : 'DOES NOT reconcile'}); ` +
    `${(m.writeUnits / events).toFixed(3)} WU/event (${m.writeUnits} WU: ${m.profileWrites} profile writes, ${m.claims} identity claims); ${store.profiles.size} profile items (${live.length} live); writes of items over 1 KB ${m.over1kb}, largest ${m.largest} B`,
);
