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
  /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?$/;

/** A timestamp as SDKs send it; parsed to a Date that must be a real instant. */
export const timestampSchema = z
  .union([z.string(), z.number()])
  .refine(
    (v) => {
      if (typeof v === 'number') return Number.isFinite(v) && v > 0 && v < 8.64e15;
      if (!ISO_DATE_TIME.test(v)) return false;
      return !Number.isNaN(Date.parse(v.replace(' ', 'T')));
    },
    { message: 'must be an ISO 8601 date-time (e.g. 2024-05-01T12:00:00.000Z) or epoch milliseconds' },
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

export const trackEventSchema = z
  .looseObject({
    type: z.literal('track'),
    ...common,
    event: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    properties: objectSchema.optional(),
  })
  .refine(needsAPerson, personIssue);

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
