/**
 * Profiles: applying clean events to a profile, merging two profiles, and the
 * exactly-once-in-effect guard.
 *
 * Design:
 * - Pure: a profile in, a new profile out. The store decides nothing.
 * - Merges are commutative for counters (sums, min/max of instants, unions) so merging A
 *   into B equals merging B into A, and a retried merge is a no-op via `absorbed`.
 * - Instants are compared as numbers (Date.parse), never as text.
 * - Sums stay storable: every amount is bounded by Clean (MAX_AMOUNT, MAX_QUANTITY) and
 *   every sum saturates at MAX_SUM, far inside the numbers DynamoDB and its SDK write.
 * - Money is never added across currencies (schemas/profile.ts `currency`): each order's
 *   revenue goes to `revenueByCurrency[its currency]`; `revenue`, `returnedValue` and the
 *   months' revenue — what the tag rules and scores read — are sums in the profile's primary
 *   currency, the first one an order named; orders that name no currency count as in it.
 *
 * Exactly once in effect, under at-least-once delivery and client re-sends. The guarantee:
 *   for any number of deliveries of events with one messageId and one event time (Clean's
 *   `timestamp`), to a profile or to profiles later merged into it, its effects are applied
 *   at most once, and every delivery is either applied, a recognised duplicate (no effect),
 *   or refused with reason `outside_dedup_window` into the failed-events store — never
 *   dropped without a word, whatever the number of events of the person.
 * How (`dedup`, written in the same conditional write as the effects, so both or neither):
 * - Each applied event leaves a 48-bit hash of its messageId in the chunk of its receive
 *   hour; a chunk also records the newest event time among its events.
 * - Hashes are forgotten a chunk at a time: when received DEDUP_WINDOW_HOURS or more before
 *   the newest receive hour of the profile, or, oldest applied first, when the profile holds
 *   more than MAX_REMEMBERED. Forgetting a chunk raises the `seal` to the chunk's newest
 *   event time, so the seal is at or after the event time of every forgotten event.
 * - A delivery whose hash is remembered is a duplicate. One that is not remembered and whose
 *   event time is after the seal cannot have been applied before (it would be remembered,
 *   or its time would be at or before the seal): it is applied. One that is not remembered
 *   and at or before the seal might be a forgotten one: it is refused, with its reason.
 * - So the state is bounded (MAX_REMEMBERED × 8 characters plus ~14 per chunk: about 300
 *   bytes for a person with 30 events in two days) and the guarantee does not depend
 *   on a person being quiet; what a busy person pays is that an event arriving after later
 *   events have been forgotten (a backfill, a device that was offline for days) is refused
 *   rather than counted, and can be replayed to a person whose seal it is after.
 * - "One event time" holds for every re-delivery through the pipeline (the clean event is
 *   the same) and for client re-sends of events timed by the client (`timestamp`, or
 *   `originalTimestamp` without `sentAt`). An event timed by its receipt or by the
 *   clock-skew rule gets a slightly different time when re-sent; such a re-send is still
 *   recognised by its hash within DEDUP_WINDOW_HOURS of the first receipt (Segment's own
 *   de-duplication window is about a day).
 * - A hash collision (2^-48 per pair) would make a new event look like a duplicate: at
 *   MAX_REMEMBERED hashes, about one event in 10^11.
 * - v1 profiles' `applied` list is read as chunks whose newest event time is the profile's
 *   `lastSeen` (no later event was applied), and written empty from then on.
 * A per-event marker item would cost at least one write unit per event by itself; this
 * state rides in the profile write that carries the effects.
 */
import { createHash } from 'node:crypto';
import type { CleanEvent } from '../../../schemas/clean-event.ts';
import { consentEntriesOf, isConsentRecord, mergedConsent, withConsent } from '../privacy/consent.ts';
import { recordActivity, mergeActivity } from './activity-hours.ts';
import { PROFILE_SCHEMA_VERSION, isStorableNumber, type Aggregates, type CampaignContact, type DedupState, type Profile } from '../../../schemas/profile.ts';

export const DEDUP_WINDOW_HOURS = 48;
/** Hashes a profile remembers at most (16 KB of them; v1 kept as many, at 18 bytes each). */
export const MAX_REMEMBERED = 2000;
/** Hashes per chunk: small enough that forgetting the oldest chunk raises the seal little. */
const CHUNK = 128;
const HASH_CHARS = 8;
/** Saturation of every sum: far below 2^53 (the SDK's limit), so cents still add up near it. */
export const MAX_SUM = 1e13;
const MAX_MONTHS = 36;
const MAX_CATEGORIES = 20;
const HOUR = 3_600_000;

export function emptyAggregates(): Aggregates {
  return {
    events: 0,
    orders: 0,
    revenue: 0,
    items: 0,
    discountedOrders: 0,
    returns: 0,
    returnedValue: 0,
    months: {},
    categories: {},
    channels: {},
    revenueByCurrency: {},
  };
}

export function newProfile(profileId: string, now: string): Profile {
  return {
    schemaVersion: PROFILE_SCHEMA_VERSION,
    profileId,
    version: 0,
    createdAt: now,
    updatedAt: now,
    identities: { userIds: [], anonymousIds: [], emailHashes: [] },
    traits: {},
    aggregates: emptyAggregates(),
    tags: {},
    consent: {},
    applied: [],
    absorbed: [],
  };
}

/** v1 `applied` entries are `<12 hex of sha256(messageId)>:<receive hour, base 36>`. */
export function appliedKey(messageId: string): string {
  return createHash('sha256').update(messageId).digest('hex').slice(0, 12);
}

let lastHashed: { id: string; hash: string } | undefined;
/** The same 48 bits as appliedKey, in 8 base64url characters. */
export function dedupHash(messageId: string): string {
  // applyEvent asks twice for the same event (decision, then remembering): the last answer is kept.
  if (messageId !== lastHashed?.id) lastHashed = { id: messageId, hash: createHash('sha256').update(messageId).digest().subarray(0, 6).toString('base64url') };
  return lastHashed.hash;
}

interface Chunk {
  hour: number;
  /** Newest event time (epoch ms) of the chunk's events. */
  newest: number;
  hashes: string;
}
interface Remembered {
  chunks: Chunk[];
  /**
   * The chunks' hashes as a set, built from the chunks when first needed (setOf); null until
   * then, and again once rememberEvent has handed it on to the state it derived (rebuilt if
   * this older state is read again). Handing the set on instead of copying it keeps an event
   * O(1) for a person who remembers 2,000 events.
   */
  set: Set<string> | null;
  seal?: number;
}

const setOf = (r: Remembered): Set<string> => (r.set ??= new Set(r.chunks.flatMap(hashesOf)));

const parsed = new WeakMap<object, Remembered>();

function hashesOf(c: Chunk): string[] {
  const out: string[] = [];
  for (let i = 0; i + HASH_CHARS <= c.hashes.length; i += HASH_CHARS) out.push(c.hashes.slice(i, i + HASH_CHARS));
  return out;
}

function parseChunk(s: string): Chunk {
  const [hour, newest, hashes = ''] = s.split('.');
  return { hour: parseInt(hour, 36), newest: parseInt(newest, 36), hashes };
}
const formatChunk = (c: Chunk) => `${c.hour.toString(36)}.${c.newest.toString(36)}.${c.hashes}`;

/** What a profile remembers: its `dedup`, plus a v1 `applied` list folded in. */
function remembered(p: Profile): Remembered {
  const key = p.dedup ?? p.applied;
  const cached = parsed.get(key);
  if (cached && p.applied.length === 0) return cached;
  const chunks = (p.dedup?.buckets ?? []).map(parseChunk);
  if (p.applied.length > 0) {
    const lastSeen = p.aggregates.lastSeen ? Date.parse(p.aggregates.lastSeen) : 0;
    const byHour = new Map<number, string>();
    for (const e of p.applied) {
      const hour = parseInt(e.slice(13), 36);
      byHour.set(hour, (byHour.get(hour) ?? '') + Buffer.from(e.slice(0, 12), 'hex').toString('base64url'));
    }
    for (const [hour, hashes] of [...byHour].sort((a, b) => a[0] - b[0])) chunks.unshift({ hour, newest: lastSeen, hashes });
  }
  const r: Remembered = { chunks, set: null, seal: p.dedup?.seal };
  if (p.applied.length === 0) parsed.set(key, r);
  return r;
}

function serialise(r: Remembered): DedupState {
  const state: DedupState = { buckets: r.chunks.map(formatChunk), ...(r.seal !== undefined ? { seal: r.seal } : {}) };
  parsed.set(state, r);
  return state;
}

/** Forgets chunks out of the window, then the oldest applied beyond MAX_REMEMBERED, raising the seal over them. */
function forget(r: Remembered): Remembered {
  const newestHour = r.chunks.reduce((m, c) => Math.max(m, c.hour), -Infinity);
  let seal = r.seal;
  const sealOver = (c: Chunk) => {
    seal = seal === undefined ? c.newest : Math.max(seal, c.newest);
  };
  const kept: Chunk[] = [];
  for (const c of r.chunks) {
    if (c.hour <= newestHour - DEDUP_WINDOW_HOURS) sealOver(c);
    else kept.push(c);
  }
  let count = kept.reduce((n, c) => n + c.hashes.length / HASH_CHARS, 0);
  while (count > MAX_REMEMBERED) {
    const c = kept.shift()!;
    sealOver(c);
    count -= c.hashes.length / HASH_CHARS;
  }
  if (kept.length === r.chunks.length && seal === r.seal) return r;
  return { chunks: kept, set: null, seal };
}

export type DedupDecision = 'new' | 'duplicate' | 'outside_window';

/** Whether an event is new to the profile, a duplicate, or undecidable (see the module comment). */
export function dedupDecision(p: Profile, e: CleanEvent): DedupDecision {
  const r = remembered(p);
  if (setOf(r).has(dedupHash(e.messageId))) return 'duplicate';
  if (r.seal !== undefined && !(Date.parse(e.timestamp) > r.seal)) return 'outside_window';
  return 'new';
}

export function hasApplied(p: Profile, messageId: string): boolean {
  return setOf(remembered(p)).has(dedupHash(messageId));
}

/** The seal of a profile (epoch ms), for a refusal's detail. */
export const dedupSeal = (p: Profile): number | undefined => remembered(p).seal;

function rememberEvent(p: Profile, e: CleanEvent): DedupState {
  const r = remembered(p);
  const hash = dedupHash(e.messageId);
  const hour = Math.floor(Date.parse(e.receivedAt) / HOUR);
  const t = Date.parse(e.timestamp);
  const chunks = r.chunks.slice();
  const last = chunks.at(-1);
  if (last && last.hour === hour && last.hashes.length < CHUNK * HASH_CHARS) chunks[chunks.length - 1] = { hour, newest: Math.max(last.newest, t), hashes: last.hashes + hash };
  else chunks.push({ hour, newest: t, hashes: hash });
  const set = setOf(r).add(hash);
  r.set = null;
  return serialise(forget({ chunks, set, seal: r.seal }));
}

function mergeRemembered(a: Profile, b: Profile): DedupState {
  const ra = remembered(a);
  const rb = remembered(b);
  const chunks: Chunk[] = [...ra.chunks];
  for (const c of rb.chunks) {
    const fresh = hashesOf(c).filter((h) => !setOf(ra).has(h)).join('');
    if (fresh) chunks.push({ ...c, hashes: fresh });
  }
  chunks.sort((x, y) => x.hour - y.hour);
  const seal = ra.seal === undefined ? rb.seal : rb.seal === undefined ? ra.seal : Math.max(ra.seal, rb.seal);
  return serialise(forget({ chunks, set: new Set([...setOf(ra), ...setOf(rb)]), seal }));
}

const round2 = (n: number) => Math.round(n * 100) / 100;
/** A sum that saturates at ±MAX_SUM and never keeps a magnitude too small to store. */
const add = (a: number, b: number, round = round2) => Math.max(-MAX_SUM, Math.min(MAX_SUM, round(a + b)));
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;
const ms = (iso: string) => Date.parse(iso);
const minIso = (a?: string, b?: string) => (!a ? b : !b ? a : ms(a) <= ms(b) ? a : b);
const maxIso = (a?: string, b?: string) => (!a ? b : !b ? a : ms(a) >= ms(b) ? a : b);
const addUnique = (list: string[], v?: string) => (v && !list.includes(v) ? [...list, v] : list);

function topN(map: Record<string, number>, n: number): Record<string, number> {
  const entries = Object.entries(map);
  if (entries.length <= n) return map;
  return Object.fromEntries(entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n));
}

function lastMonths(months: Aggregates['months']): Aggregates['months'] {
  const keys = Object.keys(months).sort();
  if (keys.length <= MAX_MONTHS) return months;
  return Object.fromEntries(keys.slice(-MAX_MONTHS).map((k) => [k, months[k]]));
}

/** Whether an amount in `currency` belongs to the primary-currency sums (see the module comment). */
const inPrimary = (primary: string | undefined, currency: string | undefined) => currency === undefined || primary === undefined || currency === primary;

function applyToAggregates(a: Aggregates, e: CleanEvent): Aggregates {
  const next: Aggregates = {
    ...a,
    months: { ...a.months },
    categories: { ...a.categories },
    channels: { ...a.channels },
    revenueByCurrency: { ...a.revenueByCurrency },
    events: a.events + 1,
    firstSeen: minIso(a.firstSeen, e.timestamp),
    lastSeen: maxIso(a.lastSeen, e.timestamp),
  };
  if (e.channel) next.channels[e.channel] = (next.channels[e.channel] ?? 0) + 1;
  // Part 2.. of an order sent in parts adds revenue and items, not another order.
  const newOrder = (e.order?.part ?? 1) === 1 ? 1 : 0;
  if (e.order && e.event === 'Order Completed') {
    const primary = a.currency ?? e.currency;
    const counted = inPrimary(primary, e.currency) ? e.order.revenue : 0;
    const month = e.timestamp.slice(0, 7);
    const m = next.months[month] ?? { orders: 0, revenue: 0 };
    next.months[month] = { orders: m.orders + newOrder, revenue: add(m.revenue, counted) };
    next.months = lastMonths(next.months);
    next.orders += newOrder;
    next.revenue = add(next.revenue, counted);
    if (e.currency) next.revenueByCurrency[e.currency] = add(next.revenueByCurrency[e.currency] ?? 0, e.order.revenue);
    next.items = add(next.items, e.order.products.reduce((s, p) => s + p.quantity, 0), round6);
    if (newOrder && ((e.order.discount ?? 0) > 0 || e.order.coupon)) next.discountedOrders += 1;
    for (const p of e.order.products) {
      if (p.category) next.categories[p.category] = add(next.categories[p.category] ?? 0, p.quantity, round6);
    }
    next.categories = topN(next.categories, MAX_CATEGORIES);
    next.firstOrderAt = minIso(a.firstOrderAt, e.timestamp);
    next.lastOrderAt = maxIso(a.lastOrderAt, e.timestamp);
    if (primary) next.currency = primary;
  } else if (e.order && (e.event === 'Order Refunded' || e.event === 'Order Cancelled')) {
    next.returns += newOrder;
    if (inPrimary(a.currency, e.currency)) next.returnedValue = add(next.returnedValue, Math.abs(e.order.revenue));
  }
  return next;
}

/**
 * Applies one event. Returns the same object when the event is not applied: a duplicate, or
 * outside the de-duplication window (callers tell which by dedupDecision).
 */
export function applyEvent(p: Profile, e: CleanEvent): Profile {
  if (dedupDecision(p, e) !== 'new') return p;
  const isNewer = !p.aggregates.lastSeen || ms(e.timestamp) >= ms(p.aggregates.lastSeen);
  const next: Profile = {
    ...p,
    identities: {
      userIds: addUnique(p.identities.userIds, e.userId),
      anonymousIds: addUnique(p.identities.anonymousIds, e.anonymousId),
      emailHashes: addUnique(p.identities.emailHashes, e.emailHash),
    },
    aggregates: isConsentRecord(e) ? p.aggregates : applyToAggregates(p.aggregates, e),
    dedup: rememberEvent(p, e),
    applied: [],
  };
  next.aggregates = withActivity(next.aggregates, e, p.timezone);
  if (e.type === 'identify' && Object.keys(e.traits).length > 0) {
    // Newer traits win; an older event only fills traits that are not set yet.
    next.traits = isNewer ? { ...p.traits, ...e.traits } : { ...e.traits, ...p.traits };
  }
  // Consent is a history ordered by each statement's own time (domain/privacy/consent.ts), not "newer event wins".
  const said = consentEntriesOf(e);
  if (said.length > 0) ({ consent: next.consent, consentHistory: next.consentHistory } = withConsent(p, said));
  if (e.timezone && (isNewer || !p.timezone)) next.timezone = e.timezone;
  const contact = campaignContactOf(e);
  if (contact && (!p.campaignContact || ms(contact.at) >= ms(p.campaignContact.at))) next.campaignContact = contact;
  return next;
}

/**
 * Person activity (track, page, screen) into the hours-of-week histogram, in local time. Not
 * activity: a campaign's own contact, and a consent record (an unsubscribe click or a CLI/API
 * statement says nothing about when the person reads mail).
 */
function withActivity(a: Aggregates, e: CleanEvent, profileZone: string | undefined): Aggregates {
  const active = (e.type === 'track' && e.event !== CAMPAIGN_CONTACTED && !isConsentRecord(e)) || e.type === 'page' || e.type === 'screen';
  if (!active) return a;
  return { ...a, activityHours: recordActivity(a.activityHours, e.timestamp, e.timezone ?? profileZone ?? 'UTC') };
}

/** The event name campaign contacts (and their outcomes) arrive as. */
export const CAMPAIGN_CONTACTED = 'Campaign Contacted';
const CONTACT_KEYS = new Set(['campaign_id', 'channel', 'outcome']);
const OUTCOMES: Record<string, CampaignContact['outcome']> = { converted: 'converted', yes: 'converted', subscribed: 'converted', declined: 'declined', no: 'declined' };

/** A "Campaign Contacted" event as the profile keeps it: scalar properties become the context. */
export function campaignContactOf(e: CleanEvent): CampaignContact | undefined {
  if (e.type !== 'track' || e.event !== CAMPAIGN_CONTACTED) return undefined;
  const props = e.properties;
  const context: CampaignContact['context'] = {};
  for (const [k, v] of Object.entries(props)) if (!CONTACT_KEYS.has(k) && (typeof v === 'string' || (typeof v === 'number' && isStorableNumber(v)))) context[k] = v;
  const outcome = typeof props.outcome === 'string' ? OUTCOMES[props.outcome.toLowerCase()] : undefined;
  return {
    campaign: typeof props.campaign_id === 'string' && props.campaign_id ? props.campaign_id : 'unknown',
    at: e.timestamp,
    ...(typeof props.channel === 'string' ? { channel: props.channel } : {}),
    ...(outcome ? { outcome } : {}),
    context,
  };
}

function sumMaps(a: Record<string, number>, b: Record<string, number>, round = round2): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = add(out[k] ?? 0, v, round);
  return out;
}

/**
 * `a` absorbs `b`. Primary-currency sums add when both have the same primary currency (or
 * one has none); otherwise `b` contributes what it holds in `a`'s primary currency plus its
 * orders that named no currency, and its months add their orders but not their revenue
 * (months do not record currencies).
 */
export function mergeAggregates(a: Aggregates, b: Aggregates): Aggregates {
  const same = inPrimary(a.currency, b.currency);
  const bInA = same ? b.revenue : add(b.revenue - (b.revenueByCurrency[b.currency!] ?? 0), b.revenueByCurrency[a.currency!] ?? 0);
  const months = { ...a.months };
  for (const [k, v] of Object.entries(b.months)) {
    const m = months[k] ?? { orders: 0, revenue: 0 };
    months[k] = { orders: m.orders + v.orders, revenue: same ? add(m.revenue, v.revenue) : m.revenue };
  }
  return {
    events: a.events + b.events,
    orders: a.orders + b.orders,
    revenue: add(a.revenue, bInA),
    items: add(a.items, b.items, round6),
    discountedOrders: a.discountedOrders + b.discountedOrders,
    returns: a.returns + b.returns,
    returnedValue: same ? add(a.returnedValue, b.returnedValue) : a.returnedValue,
    firstSeen: minIso(a.firstSeen, b.firstSeen),
    lastSeen: maxIso(a.lastSeen, b.lastSeen),
    firstOrderAt: minIso(a.firstOrderAt, b.firstOrderAt),
    lastOrderAt: maxIso(a.lastOrderAt, b.lastOrderAt),
    months: lastMonths(months),
    categories: topN(sumMaps(a.categories, b.categories, round6), MAX_CATEGORIES),
    channels: sumMaps(a.channels, b.channels),
    currency: a.currency ?? b.currency,
    revenueByCurrency: sumMaps(a.revenueByCurrency, b.revenueByCurrency),
    ...(a.activityHours || b.activityHours ? { activityHours: mergeActivity(a.activityHours, b.activityHours) } : {}),
  };
}

/** The survivor absorbs the other's history; a no-op if it already did. */
export function absorb(survivor: Profile, other: Profile): Profile {
  if (survivor.absorbed.includes(other.profileId) || survivor.profileId === other.profileId) return survivor;
  const seen = (p: Profile) => (p.aggregates.lastSeen ? ms(p.aggregates.lastSeen) : -Infinity);
  const survivorNewer = seen(survivor) >= seen(other);
  const union = (x: string[], y: string[]) => [...new Set([...x, ...y])];
  return {
    ...survivor,
    createdAt: minIso(survivor.createdAt, other.createdAt)!,
    identities: {
      userIds: union(survivor.identities.userIds, other.identities.userIds),
      anonymousIds: union(survivor.identities.anonymousIds, other.identities.anonymousIds),
      emailHashes: union(survivor.identities.emailHashes, other.identities.emailHashes),
    },
    traits: survivorNewer ? { ...other.traits, ...survivor.traits } : { ...survivor.traits, ...other.traits },
    ...mergedConsent(survivor, other),
    timezone: survivorNewer ? survivor.timezone ?? other.timezone : other.timezone ?? survivor.timezone,
    campaignContact: !other.campaignContact || (survivor.campaignContact && ms(survivor.campaignContact.at) >= ms(other.campaignContact.at)) ? survivor.campaignContact : other.campaignContact,
    aggregates: mergeAggregates(survivor.aggregates, other.aggregates),
    dedup: mergeRemembered(survivor, other),
    applied: [],
    absorbed: union(union(survivor.absorbed, other.absorbed), [other.profileId]),
  };
}

/**
 * Which of two profiles survives a merge: a profile with a userId beats an anonymous one;
 * then the older one; then the smaller id (deterministic, so concurrent merges agree).
 */
export function chooseSurvivor(a: Profile, b: Profile): [survivor: Profile, other: Profile] {
  const known = (p: Profile) => (p.identities.userIds.length > 0 ? 1 : 0);
  if (known(a) !== known(b)) return known(a) > known(b) ? [a, b] : [b, a];
  if (ms(a.createdAt) !== ms(b.createdAt)) return ms(a.createdAt) < ms(b.createdAt) ? [a, b] : [b, a];
  return a.profileId < b.profileId ? [a, b] : [b, a];
}

/** Two profiles that each hold a different userId are different people: never merge them. */
export function canMerge(a: Profile, b: Profile): boolean {
  const ua = a.identities.userIds;
  const ub = b.identities.userIds;
  return ua.length === 0 || ub.length === 0 || ua.some((u) => ub.includes(u));
}
