/**
 * Profiles: applying clean events to a profile, merging two profiles, and the
 * exactly-once-in-effect guard.
 *
 * Design:
 * - Pure: a profile in, a new profile out. The store decides nothing.
 * - Exactly once in effect under at-least-once delivery: each applied event leaves a short
 *   hash of its messageId in `applied`, written in the same conditional write as its
 *   effect, so a re-delivered event is a no-op. The window is bounded (DEDUP_WINDOW_HOURS
 *   of receive time, at most MAX_APPLIED ids) to keep the item — and so each write's cost
 *   in write units — small; Segment de-duplicates over a similar 24-hour-scale window.
 *   A per-event marker item would cost at least one write unit per event by itself.
 * - Merges are commutative for counters (sums, min/max of instants, unions) so merging A
 *   into B equals merging B into A, and a retried merge is a no-op via `absorbed`.
 */
import { createHash } from 'node:crypto';
import type { CleanEvent } from '../../../schemas/clean-event.ts';
import { PROFILE_SCHEMA_VERSION, type Aggregates, type CampaignContact, type Profile } from '../../../schemas/profile.ts';

export const DEDUP_WINDOW_HOURS = 48;
export const MAX_APPLIED = 2000;
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

/** `applied` entries are `<12 hex of sha256(messageId)>:<receive hour, base 36>`. */
export function appliedKey(messageId: string): string {
  return createHash('sha256').update(messageId).digest('hex').slice(0, 12);
}

export function hasApplied(p: Profile, messageId: string): boolean {
  const k = appliedKey(messageId);
  return p.applied.some((e) => e.startsWith(k));
}

function pruneApplied(entries: string[]): string[] {
  const hourOf = (e: string) => parseInt(e.slice(13), 36);
  const newest = entries.reduce((m, e) => Math.max(m, hourOf(e)), 0);
  return entries.filter((e) => hourOf(e) > newest - DEDUP_WINDOW_HOURS).slice(-MAX_APPLIED);
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const minIso = (a?: string, b?: string) => (!a ? b : !b ? a : a < b ? a : b);
const maxIso = (a?: string, b?: string) => (!a ? b : !b ? a : a > b ? a : b);
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

function applyToAggregates(a: Aggregates, e: CleanEvent): Aggregates {
  const next: Aggregates = {
    ...a,
    months: { ...a.months },
    categories: { ...a.categories },
    channels: { ...a.channels },
    events: a.events + 1,
    firstSeen: minIso(a.firstSeen, e.timestamp),
    lastSeen: maxIso(a.lastSeen, e.timestamp),
  };
  if (e.channel) next.channels[e.channel] = (next.channels[e.channel] ?? 0) + 1;
  // Part 2.. of an order sent in parts adds revenue and items, not another order.
  const newOrder = (e.order?.part ?? 1) === 1 ? 1 : 0;
  if (e.order && e.event === 'Order Completed') {
    const month = e.timestamp.slice(0, 7);
    const m = next.months[month] ?? { orders: 0, revenue: 0 };
    next.months[month] = { orders: m.orders + newOrder, revenue: round2(m.revenue + e.order.revenue) };
    next.months = lastMonths(next.months);
    next.orders += newOrder;
    next.revenue = round2(next.revenue + e.order.revenue);
    next.items += e.order.products.reduce((s, p) => s + p.quantity, 0);
    if (newOrder && ((e.order.discount ?? 0) > 0 || e.order.coupon)) next.discountedOrders += 1;
    for (const p of e.order.products) {
      if (p.category) next.categories[p.category] = (next.categories[p.category] ?? 0) + p.quantity;
    }
    next.categories = topN(next.categories, MAX_CATEGORIES);
    next.firstOrderAt = minIso(a.firstOrderAt, e.timestamp);
    next.lastOrderAt = maxIso(a.lastOrderAt, e.timestamp);
    if (e.currency) next.currency = e.currency;
  } else if (e.order && (e.event === 'Order Refunded' || e.event === 'Order Cancelled')) {
    next.returns += newOrder;
    next.returnedValue = round2(next.returnedValue + Math.abs(e.order.revenue));
  }
  return next;
}

/**
 * Applies one event. Returns the same object when the event was already applied
 * (so callers can tell a duplicate by identity).
 */
export function applyEvent(p: Profile, e: CleanEvent): Profile {
  if (hasApplied(p, e.messageId)) return p;
  const hour = Math.floor(Date.parse(e.receivedAt) / HOUR).toString(36);
  const isNewer = !p.aggregates.lastSeen || e.timestamp >= p.aggregates.lastSeen;
  const next: Profile = {
    ...p,
    identities: {
      userIds: addUnique(p.identities.userIds, e.userId),
      anonymousIds: addUnique(p.identities.anonymousIds, e.anonymousId),
      emailHashes: addUnique(p.identities.emailHashes, e.emailHash),
    },
    aggregates: applyToAggregates(p.aggregates, e),
    applied: pruneApplied([...p.applied, `${appliedKey(e.messageId)}:${hour}`]),
  };
  if (e.type === 'identify' && Object.keys(e.traits).length > 0) {
    // Newer traits win; an older event only fills traits that are not set yet.
    next.traits = isNewer ? { ...p.traits, ...e.traits } : { ...e.traits, ...p.traits };
  }
  if (e.consent) next.consent = isNewer ? { ...p.consent, ...e.consent } : { ...e.consent, ...p.consent };
  if (e.timezone && (isNewer || !p.timezone)) next.timezone = e.timezone;
  const contact = campaignContactOf(e);
  if (contact && (!p.campaignContact || contact.at >= p.campaignContact.at)) next.campaignContact = contact;
  return next;
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
  for (const [k, v] of Object.entries(props)) if (!CONTACT_KEYS.has(k) && (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) context[k] = v;
  const outcome = typeof props.outcome === 'string' ? OUTCOMES[props.outcome.toLowerCase()] : undefined;
  return {
    campaign: typeof props.campaign_id === 'string' && props.campaign_id ? props.campaign_id : 'unknown',
    at: e.timestamp,
    ...(typeof props.channel === 'string' ? { channel: props.channel } : {}),
    ...(outcome ? { outcome } : {}),
    context,
  };
}

function sumMaps(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

export function mergeAggregates(a: Aggregates, b: Aggregates): Aggregates {
  const months = { ...a.months };
  for (const [k, v] of Object.entries(b.months)) {
    const m = months[k] ?? { orders: 0, revenue: 0 };
    months[k] = { orders: m.orders + v.orders, revenue: round2(m.revenue + v.revenue) };
  }
  return {
    events: a.events + b.events,
    orders: a.orders + b.orders,
    revenue: round2(a.revenue + b.revenue),
    items: a.items + b.items,
    discountedOrders: a.discountedOrders + b.discountedOrders,
    returns: a.returns + b.returns,
    returnedValue: round2(a.returnedValue + b.returnedValue),
    firstSeen: minIso(a.firstSeen, b.firstSeen),
    lastSeen: maxIso(a.lastSeen, b.lastSeen),
    firstOrderAt: minIso(a.firstOrderAt, b.firstOrderAt),
    lastOrderAt: maxIso(a.lastOrderAt, b.lastOrderAt),
    months: lastMonths(months),
    categories: topN(sumMaps(a.categories, b.categories), MAX_CATEGORIES),
    channels: sumMaps(a.channels, b.channels),
    currency: a.currency ?? b.currency,
  };
}

/** The survivor absorbs the other's history; a no-op if it already did. */
export function absorb(survivor: Profile, other: Profile): Profile {
  if (survivor.absorbed.includes(other.profileId) || survivor.profileId === other.profileId) return survivor;
  const survivorNewer = (survivor.aggregates.lastSeen ?? '') >= (other.aggregates.lastSeen ?? '');
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
    consent: survivorNewer ? { ...other.consent, ...survivor.consent } : { ...survivor.consent, ...other.consent },
    timezone: survivorNewer ? survivor.timezone ?? other.timezone : other.timezone ?? survivor.timezone,
    campaignContact: (survivor.campaignContact?.at ?? '') >= (other.campaignContact?.at ?? '') ? survivor.campaignContact : other.campaignContact,
    aggregates: mergeAggregates(survivor.aggregates, other.aggregates),
    applied: pruneApplied(union(survivor.applied, other.applied)),
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
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? [a, b] : [b, a];
  return a.profileId < b.profileId ? [a, b] : [b, a];
}

/** Two profiles that each hold a different userId are different people: never merge them. */
export function canMerge(a: Profile, b: Profile): boolean {
  const ua = a.identities.userIds;
  const ub = b.identities.userIds;
  return ua.length === 0 || ub.length === 0 || ua.some((u) => ub.includes(u));
}
