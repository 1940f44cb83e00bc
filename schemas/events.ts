/**
 * Incoming events, as the Segment tracking spec defines them
 * (https://segment.com/docs/connections/spec/common/), so unmodified Segment and
 * RudderStack SDKs can send to Sightline by changing only their host.
 *
 * Design:
 * - Unknown fields are kept (`looseObject`): the spec grows and customers add their own.
 * - Required fields are enforced per type; every issue names its path so the API can
 *   answer "which field, which rule".
 * - Timestamps are accepted as the SDKs send them: ISO 8601 with an offset or `Z`
 *   (analytics.js, analytics-node, rudder-sdk-node), date-only, or epoch milliseconds.
 *   They are normalised to UTC later, in Clean.
 */
import { z } from 'zod';

/** Segment's documented limits: 32 KB per event, 500 KB per batch request. */
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_REQUEST_BYTES = 500 * 1024;
/** Segment accepts at most this many events in one /v1/batch call (it is bounded by bytes first). */
export const MAX_BATCH_EVENTS = 2500;

export const EVENT_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?)?)?$/;

/**
 * The latest instant a timestamp may name: the end of year 9999. Beyond it `toISOString()`
 * writes expanded years (`+275443-10-25…`) that neither sort nor parse as ISO 8601, and no
 * event of a real client is there. Epoch milliseconds must be below it too.
 */
export const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * Whether an ISO 8601 string names a real calendar instant. The fields are checked, not left
 * to `Date.parse`, which rolls impossible dates over (`2024-02-30` → 2024-03-01).
 */
export function isCalendarTimestamp(v: string): boolean {
  const m = ISO_DATE_TIME.exec(v);
  if (!m) return false;
  const [, y, mo, d, h, mi, sec, oh, om] = m.map((x) => (x === undefined ? undefined : Number(x)));
  if (y! < 1 || mo! < 1 || mo! > 12 || d! < 1 || d! > daysInMonth(y!, mo!)) return false;
  if (h !== undefined && (h > 23 || mi! > 59 || (sec ?? 0) > 59)) return false;
  if (oh !== undefined && (oh > 23 || (om ?? 0) > 59)) return false;
  const ms = Date.parse(v.replace(' ', 'T'));
  return Number.isFinite(ms) && ms <= MAX_TIMESTAMP_MS;
}

/**
 * ISO 4217 codes in use, as the runtime's ICU knows them (Node 24: 162 codes; funds, metals
 * and the test and no-currency codes XTS/XXX are not among them). Upper case.
 */
const CURRENCY_CODES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));
export const isCurrencyCode = (code: string): boolean => CURRENCY_CODES.has(code);

/** A timestamp as SDKs send it; parsed to a Date that must be a real instant. */
export const timestampSchema = z
  .union([z.string(), z.number()])
  .refine(
    (v) => (typeof v === 'number' ? Number.isFinite(v) && v > 0 && v <= MAX_TIMESTAMP_MS : isCalendarTimestamp(v)),
    { message: 'must be an ISO 8601 date-time (e.g. 2024-05-01T12:00:00.000Z) or epoch milliseconds, a real calendar date no later than 9999-12-31' },
  );

export function parseTimestamp(v: string | number): Date {
  return typeof v === 'number' ? new Date(v) : new Date(v.replace(' ', 'T'));
}

/** Ids are strings in the spec; SDKs may send numbers (analytics.js coerces them): accept both. */
const idSchema = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters'));

const objectSchema = z.looseObject({});

const common = {
  messageId: idSchema.optional(),
  anonymousId: idSchema.optional(),
  userId: idSchema.optional(),
  timestamp: timestampSchema.optional(),
  sentAt: timestampSchema.optional(),
  originalTimestamp: timestampSchema.optional(),
  context: objectSchema.optional(),
  integrations: objectSchema.optional(),
};

const needsAPerson = (e: { userId?: string; anonymousId?: string }) =>
  e.userId !== undefined || e.anonymousId !== undefined;
const personIssue = { message: 'userId or anonymousId is required', path: ['userId'] };

export const identifyEventSchema = z
  .looseObject({ type: z.literal('identify'), ...common, traits: objectSchema.optional() })
  .refine(needsAPerson, personIssue);

/**
 * A JSON number too large for a double (`1e309`) parses as Infinity and is written to the raw
 * stream as `null`: after Collect, nobody could tell it from "not sent". So money fields that
 * overflowed are refused here, where the request is still at hand; every other money rule
 * (range, sign, currency) is Clean's, with a reason kept in the failed-events store.
 */
const MONEY_FIELDS = ['revenue', 'total', 'value', 'price', 'discount', 'tax', 'shipping', 'subtotal', 'quantity'];
function refineFiniteMoney(properties: Record<string, unknown> | undefined, ctx: z.RefinementCtx): void {
  if (!properties) return;
  const check = (holder: Record<string, unknown>, path: (string | number)[]) => {
    for (const k of MONEY_FIELDS) {
      const v = holder[k];
      if (typeof v === 'number' && !Number.isFinite(v)) ctx.addIssue({ code: 'custom', message: 'must be a finite number', path: [...path, k] });
    }
  };
  check(properties, ['properties']);
  if (Array.isArray(properties.products)) {
    properties.products.forEach((p, i) => {
      if (p && typeof p === 'object') check(p as Record<string, unknown>, ['properties', 'products', i]);
    });
  }
}

export const trackEventSchema = z
  .looseObject({
    type: z.literal('track'),
    ...common,
    event: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    properties: objectSchema.optional(),
  })
  .refine(needsAPerson, personIssue)
  .superRefine((e, ctx) => refineFiniteMoney(e.properties, ctx));

export const pageEventSchema = z
  .looseObject({
    type: z.literal('page'),
    ...common,
    name: z.string().max(200).optional(),
    category: z.string().max(200).optional(),
    properties: objectSchema.optional(),
  })
  .refine(needsAPerson, personIssue);

export const screenEventSchema = z
  .looseObject({
    type: z.literal('screen'),
    ...common,
    name: z.string().max(200).optional(),
    properties: objectSchema.optional(),
  })
  .refine(needsAPerson, personIssue);

export const groupEventSchema = z
  .looseObject({ type: z.literal('group'), ...common, groupId: idSchema, traits: objectSchema.optional() })
  .refine(needsAPerson, personIssue);

export const aliasEventSchema = z.looseObject({
  type: z.literal('alias'),
  ...common,
  userId: idSchema,
  previousId: idSchema,
});

export const segmentEventSchema = z.discriminatedUnion('type', [
  identifyEventSchema,
  trackEventSchema,
  pageEventSchema,
  screenEventSchema,
  groupEventSchema,
  aliasEventSchema,
]);
export type SegmentEvent = z.infer<typeof segmentEventSchema>;

/** `/v1/batch` body: `{ batch: [...], context?, integrations? }` (top-level context merges into each event). */
export const batchRequestSchema = z.looseObject({
  batch: z.array(z.unknown()).min(1, 'must hold at least one event').max(MAX_BATCH_EVENTS),
  context: objectSchema.optional(),
  integrations: objectSchema.optional(),
  sentAt: timestampSchema.optional(),
});

/**
 * What Collect writes to the raw stream: the event as received (with unknown fields),
 * plus what only the edge knows. Versioned: readers accept every version they know.
 */
export const rawEnvelopeSchema = z.object({
  v: z.literal(1),
  sourceId: z.string().min(1),
  receivedAt: z.string(),
  requestId: z.string().optional(),
  /** The sender's IP is personal data: Collect keeps only whether one was present. */
  event: z.looseObject({ type: z.string(), messageId: z.string() }),
});
export type RawEnvelope = z.infer<typeof rawEnvelopeSchema>;

/** The Segment event shape the replays and the demo produce (a subset of the event schemas above): what a client sends, before validation. */
export interface SegmentLikeEvent {
  type: 'identify' | 'track' | 'page' | 'screen' | 'alias' | 'group';
  messageId: string;
  userId?: string;
  anonymousId?: string;
  previousId?: string;
  event?: string;
  name?: string;
  timestamp: string;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  context?: Record<string, unknown>;
}
