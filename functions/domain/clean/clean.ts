/**
 * Clean: one raw envelope in, one of three outcomes out:
 *   clean    → a normalised CleanEvent for the clean stream
 *   filtered → bot or test traffic: kept in the failed-events store with its reason, not profiled
 *   invalid  → can never be processed: kept in the failed-events store with field and rule
 *
 * Design:
 * - Pure and synchronous; hashing uses node:crypto (no AWS SDK). The same code runs in
 *   Lambda, the local platform and tests.
 * - Timestamps follow Segment's clock-skew rule: without an explicit `timestamp`,
 *   timestamp = receivedAt − (sentAt − originalTimestamp), so a device with a wrong clock
 *   still lands its events at the right instant. An explicit `timestamp` more than
 *   MAX_AHEAD_MS ahead of receipt is a wrong clock too: corrected the same way from `sentAt`
 *   when the event has one, refused (`invalid_timestamp`) when it has not, and so is any
 *   result still ahead of receipt (an event timed after it was sent). Impossible calendar
 *   dates (`2024-02-30`) and years past 9999 are refused by the schema, never rolled over.
 *   Everything is stored as UTC ISO 8601 with a four-digit year, so instants also sort as text.
 * - Money: numeric strings are coerced ("12.50" → 12.5), a value that is not a finite
 *   number is a schema violation naming the field. Amounts are bounded (MAX_AMOUNT,
 *   MAX_QUANTITY: `out_of_range`) so that a profile's sums stay finite and storable; an
 *   Order Completed with negative revenue is refused (`negative_revenue`: refunds are
 *   Order Refunded); currency codes are upper-cased and must be ISO 4217 codes in use
 *   (`invalid_currency`).
 * - Content that could never be stored is refused here with a reason instead of failing
 *   Tag's write forever (and reaching the on-failure destination without one): keys that
 *   name JavaScript's object machinery (`__proto__`, `constructor`, `prototype`) anywhere in
 *   the event (`reserved_key`: a spread or assignment turns `__proto__` into a prototype,
 *   and the DynamoDB marshaller takes an own `constructor` for a class instance and throws),
 *   and numbers in traits outside DynamoDB's range as the SDK writes it (`out_of_range`).
 * - The PII policy runs before anything leaves this module, so no later stage sees a field
 *   the policy drops.
 * - An identify's traits are `traits`, or, when it has none, `context.traits`: where
 *   RudderStack's browser SDK puts them.
 */
import { createHash } from 'node:crypto';
import { rawEnvelopeSchema, segmentEventSchema, parseTimestamp, MAX_TIMESTAMP_MS, isCalendarTimestamp, isCurrencyCode } from '../../../schemas/events.ts';
import type { CleanEvent, CleanProduct } from '../../../schemas/clean-event.ts';
import type { FailureReason } from '../../../schemas/failed-event.ts';
import { DEFAULT_PII_POLICY, type PiiPolicy } from '../../../schemas/pii-policy.ts';
import { isStorableNumber } from '../../../schemas/profile.ts';

type InvalidReason = Extract<
  FailureReason,
  'schema_violation' | 'unsupported_version' | 'reserved_key' | 'out_of_range' | 'invalid_timestamp' | 'invalid_currency' | 'negative_revenue'
>;

export type CleanResult =
  | { kind: 'clean'; event: CleanEvent }
  | { kind: 'filtered'; reason: Extract<FailureReason, 'bot_traffic' | 'test_traffic'>; detail: string; messageId: string }
  | { kind: 'invalid'; reason: InvalidReason; detail: string; messageId?: string };

/**
 * How far ahead of its receipt an event may say it happened: device clocks drift by
 * seconds to minutes; an event hours ahead would make its person look active "in the future"
 * and, with the event clock, re-tag them as of a time that has not come.
 */
export const MAX_AHEAD_MS = 10 * 60_000;
/**
 * Largest order amount (revenue, total, price, discount) in any currency: a trillion units
 * is beyond any real order even in currencies of small units (VND, IDR), and keeps a
 * lifetime of sums far below 2^53, the largest number the DynamoDB SDK writes exactly.
 */
export const MAX_AMOUNT = 1e12;
export const MAX_QUANTITY = 1e6;
/** Keys that are JavaScript's object machinery rather than data (see the module comment). */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** DynamoDB nests documents at most 32 levels; traits sit two levels down in a profile item. */
const MAX_TRAITS_DEPTH = 24;
/** 0001-01-01T00:00:00Z: `toISOString()` writes earlier years with a sign. */
const MIN_TIMESTAMP_MS = -62_135_596_800_000;

export interface CleanOptions {
  policy?: PiiPolicy;
  salt?: string;
}

/** Spec event names (Segment e-commerce, email, mobile specs), matched case-insensitively. */
const SPEC_EVENTS = [
  'Order Completed',
  'Order Refunded',
  'Order Cancelled',
  'Product Viewed',
  'Product Added',
  'Product Removed',
  'Checkout Started',
  'Products Searched',
  'Email Delivered',
  'Email Opened',
  'Email Link Clicked',
  'Email Bounced',
  'Email Marked as Spam',
  'Unsubscribed',
  'Application Opened',
  'Push Notification Tapped',
];
const SPEC_BY_KEY = new Map(SPEC_EVENTS.map((n) => [n.toLowerCase().replace(/[\s_]+/g, ' '), n]));
const ORDER_EVENTS = new Set(['Order Completed', 'Order Refunded', 'Order Cancelled']);

const BOT_UA = /bot\b|crawler|spider|crawling|slurp|headlesschrome|phantomjs|lighthouse|pingdom|uptimerobot|python-requests|curl\//i;

class FieldError extends Error {
  constructor(readonly field: string, rule: string, readonly reason: InvalidReason = 'schema_violation') {
    super(`${field}: ${rule}`);
  }
}

/**
 * The first part of `value` that could never be stored, or undefined. Iterative (an
 * explicit stack), so depth is no risk here; `numbers` also checks numbers against
 * DynamoDB's range (only for what a profile stores whole: traits).
 */
function unstorable(value: unknown, root: string, opts: { numbers: boolean; maxDepth: number }): FieldError | undefined {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'number') {
      if (opts.numbers && !isStorableNumber(v)) return new FieldError(path, `${v} is outside the range a profile can store (|n| ≤ 2^53 − 1, and 0 or |n| ≥ 1e-130)`, 'out_of_range');
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= opts.maxDepth) return new FieldError(path, `is nested more than ${opts.maxDepth} levels deep`, 'schema_violation');
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const k of Object.keys(v)) {
      if (RESERVED_KEYS.has(k.trim())) return new FieldError(`${path}.${k}`, 'is a reserved key (__proto__, constructor and prototype cannot be stored)', 'reserved_key');
      stack.push({ v: (v as Record<string, unknown>)[k], path: `${path}.${k}`, depth: depth + 1 });
    }
  }
  return undefined;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function hashValue(value: string, salt = ''): string {
  return createHash('sha256').update(salt).update(value).digest('hex');
}

/** Keeps the last two characters: enough for a person to recognise their own number. */
export function maskValue(value: string): string {
  const s = String(value);
  return s.length <= 2 ? '**' : '*'.repeat(s.length - 2) + s.slice(-2);
}

function trimDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.trim();
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => trimDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k.trim()] = trimDeep(v, depth + 1);
  return out;
}

function applyPolicy(event: Record<string, unknown>, policy: PiiPolicy, salt: string): void {
  for (const [path, action] of Object.entries(policy.fields)) {
    if (action === 'keep') continue;
    const parts = path.split('.');
    let holder: unknown = event;
    for (const p of parts.slice(0, -1)) {
      holder = holder && typeof holder === 'object' ? (holder as Record<string, unknown>)[p] : undefined;
    }
    if (!holder || typeof holder !== 'object') continue;
    const obj = holder as Record<string, unknown>;
    const key = parts[parts.length - 1];
    if (!(key in obj)) continue;
    if (action === 'drop') delete obj[key];
    else if (action === 'hash') obj[key] = hashValue(normaliseEmail(String(obj[key])), salt);
    else obj[key] = maskValue(String(obj[key]));
  }
}

export function toNumber(value: unknown, field: string, fallback?: number): number {
  if (value === undefined || value === null || value === '') {
    if (fallback !== undefined) return fallback;
    throw new FieldError(field, 'is required');
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.replace(/,/g, '')) : NaN;
  if (!Number.isFinite(n)) throw new FieldError(field, `must be a number, got ${JSON.stringify(value).slice(0, 40)}`);
  return n;
}

/** A number within ±max; amounts are kept to 6 decimals, so no sum of them underflows DynamoDB. */
function bounded(n: number, field: string, max: number): number {
  if (Math.abs(n) > max) throw new FieldError(field, `must be at most ${max} in magnitude, got ${n}`, 'out_of_range');
  return Math.round(n * 1e6) / 1e6;
}

function normaliseEventName(name: string): string {
  const collapsed = name.replace(/\s+/g, ' ').trim();
  return SPEC_BY_KEY.get(collapsed.toLowerCase().replace(/_/g, ' ')) ?? collapsed;
}

function normaliseCurrency(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const c = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!isCurrencyCode(c)) throw new FieldError('properties.currency', `must be an ISO 4217 code in use, such as EUR; got ${JSON.stringify(value).slice(0, 20)}`, 'invalid_currency');
  return c;
}

/** Checked zone names: constructing an Intl.DateTimeFormat costs ~0.1 ms, most of Clean's time per event. */
const zoneChecks = new Map<string, boolean>();
function validTimeZone(tz: unknown): string | undefined {
  if (typeof tz !== 'string' || tz.length === 0 || tz.length > 64) return undefined;
  let ok = zoneChecks.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    if (zoneChecks.size < 1000) zoneChecks.set(tz, ok);
  }
  return ok ? tz : undefined;
}

/**
 * The event's instant (see the module comment): the client's time, corrected for its clock's
 * skew from `sentAt` when it has no explicit `timestamp` or when that is far ahead of receipt.
 */
function eventTime(e: Record<string, unknown>, receivedAt: Date): Date {
  const limit = receivedAt.getTime() + MAX_AHEAD_MS;
  const at = (v: unknown) => parseTimestamp(v as string | number).getTime();
  const deskewed = (client: number) => receivedAt.getTime() - (at(e.sentAt) - client);
  const client = e.timestamp ?? e.originalTimestamp;
  let t: number;
  if (client === undefined) t = receivedAt.getTime();
  else if (e.sentAt !== undefined && (e.timestamp === undefined || at(client) > limit)) t = deskewed(at(client));
  else t = at(client);
  if (t > limit) {
    const field = e.timestamp !== undefined ? 'timestamp' : 'originalTimestamp';
    const why = e.sentAt === undefined ? 'and there is no sentAt to correct it from' : 'even after correcting the clock skew from sentAt (the event is timed after it was sent)';
    throw new FieldError(field, `is more than ${MAX_AHEAD_MS / 60_000} minutes ahead of the time it was received (${receivedAt.toISOString()}) ${why}`, 'invalid_timestamp');
  }
  if (!(t >= MIN_TIMESTAMP_MS && t <= MAX_TIMESTAMP_MS)) {
    throw new FieldError('timestamp', 'after correcting the clock skew it falls outside years 0001–9999', 'invalid_timestamp');
  }
  return new Date(t);
}

function channelOf(type: string, name: string | undefined, context: Record<string, unknown>): string | undefined {
  if (name) {
    if (/^Email /.test(name) || name === 'Unsubscribed') return 'email';
    if (/^Push /.test(name)) return 'push';
    if (/^SMS /i.test(name)) return 'sms';
  }
  if (typeof context.channel === 'string' && context.channel !== 'server') return context.channel.toLowerCase();
  if (type === 'screen' || context.device || context.os) return 'mobile';
  if (type === 'page' || context.page || context.userAgent) return 'web';
  return undefined;
}

function orderOf(name: string, properties: Record<string, unknown>): CleanEvent['order'] {
  const rawProducts = Array.isArray(properties.products) ? properties.products : [];
  const products: CleanProduct[] = rawProducts.map((p, i) => {
    if (!p || typeof p !== 'object') throw new FieldError(`properties.products[${i}]`, 'must be an object');
    const prod = p as Record<string, unknown>;
    const id = prod.product_id ?? prod.sku ?? prod.id;
    if (id === undefined || id === '') throw new FieldError(`properties.products[${i}].product_id`, 'is required');
    const price = `properties.products[${i}].price`;
    const quantity = `properties.products[${i}].quantity`;
    return {
      productId: String(id),
      name: typeof prod.name === 'string' ? prod.name : undefined,
      category: typeof prod.category === 'string' && prod.category ? prod.category : undefined,
      price: bounded(toNumber(prod.price, price, 0), price, MAX_AMOUNT),
      quantity: bounded(toNumber(prod.quantity, quantity, 1), quantity, MAX_QUANTITY),
    };
  });
  const sum = products.reduce((s, p) => s + p.price * p.quantity, 0);
  const revenueField = properties.revenue !== undefined && properties.revenue !== null ? 'properties.revenue' : properties.total !== undefined && properties.total !== null ? 'properties.total' : 'properties.products';
  const revenue = bounded(toNumber(properties.revenue ?? properties.total, revenueField, Math.round(sum * 100) / 100), revenueField, MAX_AMOUNT);
  if (name === 'Order Completed' && revenue < 0) {
    throw new FieldError(revenueField, `is ${revenue}: an Order Completed cannot have negative revenue (send a refund as Order Refunded)`, 'negative_revenue');
  }
  const discount = properties.discount === undefined || properties.discount === null ? undefined : bounded(toNumber(properties.discount, 'properties.discount'), 'properties.discount', MAX_AMOUNT);
  return {
    orderId: properties.order_id === undefined ? undefined : String(properties.order_id),
    revenue,
    products,
    discount,
    coupon: typeof properties.coupon === 'string' && properties.coupon ? properties.coupon : undefined,
    part: properties.part === undefined ? undefined : Math.max(1, Math.trunc(bounded(toNumber(properties.part, 'properties.part'), 'properties.part', MAX_QUANTITY))),
  };
}

export function cleanEnvelope(input: unknown, options: CleanOptions = {}): CleanResult {
  const policy = options.policy ?? DEFAULT_PII_POLICY;
  const salt = options.salt ?? '';
  const messageIdOf = (x: unknown) =>
    typeof (x as { event?: { messageId?: unknown } })?.event?.messageId === 'string'
      ? ((x as { event: { messageId: string } }).event.messageId)
      : undefined;
  if ((input as { v?: unknown })?.v !== 1) {
    return { kind: 'invalid', reason: 'unsupported_version', detail: `v: envelope version ${String((input as { v?: unknown })?.v)} is not known`, messageId: messageIdOf(input) };
  }
  const env = rawEnvelopeSchema.safeParse(input);
  if (!env.success) {
    const i = env.error.issues[0];
    return { kind: 'invalid', reason: 'schema_violation', detail: `${i.path.join('.')}: ${i.message}`, messageId: messageIdOf(input) };
  }
  const messageId = env.data.event.messageId;
  // Before zod and before any copy: a parsed or spread `__proto__` would already be gone.
  const rawEvent = (input as { event: Record<string, unknown> }).event;
  const unsafe = unstorable(rawEvent, 'event', { numbers: false, maxDepth: Number.POSITIVE_INFINITY });
  if (unsafe) return { kind: 'invalid', reason: unsafe.reason, detail: unsafe.message, messageId };
  const parsed = segmentEventSchema.safeParse(env.data.event);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { kind: 'invalid', reason: 'schema_violation', detail: `${i.path.join('.')}: ${i.message}`, messageId };
  }
  if (!isCalendarTimestamp(env.data.receivedAt)) {
    return { kind: 'invalid', reason: 'schema_violation', detail: `receivedAt: must be an ISO 8601 instant, got ${JSON.stringify(env.data.receivedAt).slice(0, 40)}`, messageId };
  }
  const e = trimDeep({ ...env.data.event, ...parsed.data }) as Record<string, unknown>;
  const context = (e.context ?? {}) as Record<string, unknown>;
  // RudderStack's browser SDK (@rudderstack/analytics-js 3.x) sends an identify's traits in
  // `context.traits` only, where Segment's spec has them at the top: read them from there
  // when the top has none (the top wins when both are sent). Only for identify: the SDK copies
  // the stored traits into every event's context, and a track is not a statement of traits.
  // A copy: the PII policy treats `context.traits.*` and `traits.*` apart (it hashes the one
  // email and keeps the other), so the two must not be one object.
  const contextTraits = context.traits;
  if (e.type === 'identify' && e.traits === undefined && contextTraits && typeof contextTraits === 'object' && !Array.isArray(contextTraits)) e.traits = structuredClone(contextTraits);

  if (typeof context.userAgent === 'string' && BOT_UA.test(context.userAgent)) {
    return { kind: 'filtered', reason: 'bot_traffic', detail: 'context.userAgent: matches the bot list', messageId };
  }
  const traits = (e.traits ?? {}) as Record<string, unknown>;
  const properties = (e.properties ?? {}) as Record<string, unknown>;
  if (context.test === true || traits.test === true || properties.test === true) {
    return { kind: 'filtered', reason: 'test_traffic', detail: 'test: true is set', messageId };
  }

  try {
    const receivedAt = new Date(env.data.receivedAt);
    const type = e.type as CleanEvent['type'];
    const name = type === 'track' ? normaliseEventName(String(e.event)) : typeof e.name === 'string' ? e.name : undefined;
    const email = typeof traits.email === 'string' && traits.email.includes('@') ? normaliseEmail(traits.email) : undefined;
    if (email !== undefined) traits.email = email;
    const emailHash = email ? hashValue(email, salt) : undefined;
    applyPolicy(e, policy, salt);
    // What the policy keeps of the traits is stored whole in the profile.
    const unstorableTrait = unstorable(e.traits, 'traits', { numbers: true, maxDepth: MAX_TRAITS_DEPTH });
    if (unstorableTrait) throw unstorableTrait;
    const currency = normaliseCurrency(properties.currency);
    const consentPrefs = (context.consent as { categoryPreferences?: Record<string, unknown> } | undefined)?.categoryPreferences;
    const consent = consentPrefs
      ? Object.fromEntries(Object.entries(consentPrefs).filter(([, v]) => typeof v === 'boolean')) as Record<string, boolean>
      : undefined;
    const event: CleanEvent = {
      v: 1,
      messageId,
      type,
      event: name,
      userId: e.userId as string | undefined,
      anonymousId: e.anonymousId as string | undefined,
      previousId: e.previousId as string | undefined,
      groupId: e.groupId as string | undefined,
      emailHash,
      timestamp: eventTime(e, receivedAt).toISOString(),
      receivedAt: env.data.receivedAt,
      sourceId: env.data.sourceId,
      timezone: validTimeZone(context.timezone),
      currency,
      order: type === 'track' && name && ORDER_EVENTS.has(name) ? orderOf(name, properties) : undefined,
      traits: (e.traits ?? {}) as Record<string, unknown>,
      properties: (e.properties ?? {}) as Record<string, unknown>,
      consent,
      channel: channelOf(type, name, context),
    };
    return { kind: 'clean', event };
  } catch (err) {
    if (err instanceof FieldError) return { kind: 'invalid', reason: err.reason, detail: err.message, messageId };
    throw err;
  }
}
