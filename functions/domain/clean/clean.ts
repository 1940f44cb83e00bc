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
 *   still lands its events at the right instant. Everything is stored as UTC ISO 8601.
 * - Money: numeric strings are coerced ("12.50" → 12.5), a value that is not a finite
 *   number is a schema violation naming the field; currency codes are upper-cased ISO 4217.
 * - The PII policy runs before anything leaves this module, so no later stage sees a field
 *   the policy drops.
 */
import { createHash } from 'node:crypto';
import { rawEnvelopeSchema, segmentEventSchema, parseTimestamp } from '../../../schemas/events.ts';
import type { CleanEvent, CleanProduct } from '../../../schemas/clean-event.ts';
import type { FailureReason } from '../../../schemas/failed-event.ts';
import { DEFAULT_PII_POLICY, type PiiPolicy } from '../../../schemas/pii-policy.ts';

export type CleanResult =
  | { kind: 'clean'; event: CleanEvent }
  | { kind: 'filtered'; reason: Extract<FailureReason, 'bot_traffic' | 'test_traffic'>; detail: string; messageId: string }
  | { kind: 'invalid'; reason: Extract<FailureReason, 'schema_violation' | 'unsupported_version'>; detail: string; messageId?: string };

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
  constructor(readonly field: string, rule: string) {
    super(`${field}: ${rule}`);
  }
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

function normaliseEventName(name: string): string {
  const collapsed = name.replace(/\s+/g, ' ').trim();
  return SPEC_BY_KEY.get(collapsed.toLowerCase().replace(/_/g, ' ')) ?? collapsed;
}

function normaliseCurrency(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const c = value.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(c)) throw new FieldError('properties.currency', 'must be an ISO 4217 code such as EUR');
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

function eventTime(e: Record<string, unknown>, receivedAt: Date): Date {
  if (e.timestamp !== undefined) return parseTimestamp(e.timestamp as string | number);
  if (e.originalTimestamp !== undefined && e.sentAt !== undefined) {
    const skew = parseTimestamp(e.sentAt as string).getTime() - parseTimestamp(e.originalTimestamp as string).getTime();
    return new Date(receivedAt.getTime() - skew);
  }
  if (e.originalTimestamp !== undefined) return parseTimestamp(e.originalTimestamp as string);
  return receivedAt;
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

function orderOf(properties: Record<string, unknown>): CleanEvent['order'] {
  const rawProducts = Array.isArray(properties.products) ? properties.products : [];
  const products: CleanProduct[] = rawProducts.map((p, i) => {
    if (!p || typeof p !== 'object') throw new FieldError(`properties.products[${i}]`, 'must be an object');
    const prod = p as Record<string, unknown>;
    const id = prod.product_id ?? prod.sku ?? prod.id;
    if (id === undefined || id === '') throw new FieldError(`properties.products[${i}].product_id`, 'is required');
    return {
      productId: String(id),
      name: typeof prod.name === 'string' ? prod.name : undefined,
      category: typeof prod.category === 'string' && prod.category ? prod.category : undefined,
      price: toNumber(prod.price, `properties.products[${i}].price`, 0),
      quantity: toNumber(prod.quantity, `properties.products[${i}].quantity`, 1),
    };
  });
  const sum = products.reduce((s, p) => s + p.price * p.quantity, 0);
  const revenue = toNumber(properties.revenue ?? properties.total, 'properties.revenue', Math.round(sum * 100) / 100);
  const discount = properties.discount === undefined ? undefined : toNumber(properties.discount, 'properties.discount');
  return {
    orderId: properties.order_id === undefined ? undefined : String(properties.order_id),
    revenue,
    products,
    discount,
    coupon: typeof properties.coupon === 'string' && properties.coupon ? properties.coupon : undefined,
    part: properties.part === undefined ? undefined : Math.max(1, Math.trunc(toNumber(properties.part, 'properties.part'))),
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
  const parsed = segmentEventSchema.safeParse(env.data.event);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return { kind: 'invalid', reason: 'schema_violation', detail: `${i.path.join('.')}: ${i.message}`, messageId };
  }
  const e = trimDeep({ ...env.data.event, ...parsed.data }) as Record<string, unknown>;
  const context = (e.context ?? {}) as Record<string, unknown>;

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
      order: type === 'track' && name && ORDER_EVENTS.has(name) ? orderOf(properties) : undefined,
      traits: (e.traits ?? {}) as Record<string, unknown>,
      properties: (e.properties ?? {}) as Record<string, unknown>,
      consent,
      channel: channelOf(type, name, context),
    };
    return { kind: 'clean', event };
  } catch (err) {
    if (err instanceof FieldError) return { kind: 'invalid', reason: 'schema_violation', detail: err.message, messageId };
    throw err;
  }
}
