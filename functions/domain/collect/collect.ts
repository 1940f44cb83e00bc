/**
 * Collect: turn one HTTP request of the Segment tracking API into accepted raw envelopes
 * and per-event rejections.
 *
 * Design:
 * - Pure: the handler passes the body, the route, the source and a clock/id generator in;
 *   it gets back what to put on the raw stream and what to answer.
 * - Segment's semantics: single-event routes take the type from the path; `/v1/batch`
 *   merges top-level `context`/`integrations` into each event; `messageId` is filled in
 *   when absent so de-duplication downstream always has a key.
 * - A batch with some bad events keeps the good ones and reports the bad ones by index
 *   (HTTP 200 with `rejected`); only a request with nothing acceptable is a 4xx, so SDKs
 *   that retry on failure do not re-send the good events.
 * - Every issue names the field (a JSON path) and the rule, so a developer can fix the call.
 */
import {
  MAX_EVENT_BYTES,
  MAX_REQUEST_BYTES,
  batchRequestSchema,
  segmentEventSchema,
  EVENT_TYPES,
  type EventType,
  type RawEnvelope,
} from '../../../schemas/events.ts';
import type { z } from 'zod';
import type { FieldIssue } from '../shared/errors.ts';

export type Route = EventType | 'batch';
export const ROUTES: readonly Route[] = [...EVENT_TYPES, 'batch'];

export type { FieldIssue };

export interface RejectedEvent {
  index: number;
  issues: FieldIssue[];
  /** The event as received, kept for the failed-events store. */
  payload: unknown;
}

export type CollectResult =
  | { kind: 'request_error'; status: 400 | 413 | 415; error: string; issues: FieldIssue[]; payload: unknown }
  | { kind: 'accepted'; accepted: RawEnvelope[]; rejected: RejectedEvent[] };

export interface CollectInput {
  route: Route;
  body: string;
  sourceId: string;
  receivedAt: Date;
  requestId?: string;
  newId: () => string;
}

function issuesOf(error: z.ZodError, prefix: string): FieldIssue[] {
  return error.issues.map((i) => ({
    field: joinPath(prefix, i.path as (string | number)[]),
    rule: /received undefined$/.test(i.message) ? `is required (${i.message.replace('Invalid input: ', '')})` : i.message,
  }));
}

function joinPath(prefix: string, path: (string | number)[]): string {
  let out = prefix;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(body)';
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Validates one event; returns the envelope or the issues. */
function acceptEvent(
  raw: unknown,
  at: string,
  input: CollectInput,
  inherited: { context?: Record<string, unknown>; integrations?: Record<string, unknown> },
): { envelope: RawEnvelope } | { issues: FieldIssue[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { issues: [{ field: at || '(body)', rule: 'must be a JSON object' }] };
  }
  const event: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  if (input.route !== 'batch') {
    if (event.type !== undefined && event.type !== input.route) {
      return { issues: [{ field: joinPath(at, ['type']), rule: `must be "${input.route}" on /v1/${input.route}` }] };
    }
    event.type = input.route;
  }
  if (!EVENT_TYPES.includes(event.type as EventType)) {
    return {
      issues: [{ field: joinPath(at, ['type']), rule: `must be one of ${EVENT_TYPES.join(', ')}` }],
    };
  }
  if (inherited.context && typeof event.context !== 'object') event.context = inherited.context;
  else if (inherited.context) event.context = { ...inherited.context, ...(event.context as object) };
  if (inherited.integrations && event.integrations === undefined) event.integrations = inherited.integrations;

  const size = byteLength(JSON.stringify(event));
  if (size > MAX_EVENT_BYTES) {
    return { issues: [{ field: at || '(body)', rule: `event is ${size} bytes; the limit is ${MAX_EVENT_BYTES} (32 KB)` }] };
  }
  const parsed = segmentEventSchema.safeParse(event);
  if (!parsed.success) return { issues: issuesOf(parsed.error, at) };
  const messageId = parsed.data.messageId ?? input.newId();
  return {
    envelope: {
      v: 1,
      sourceId: input.sourceId,
      receivedAt: input.receivedAt.toISOString(),
      requestId: input.requestId,
      // Keep what was sent, unknown fields included; ids as the schema normalised them.
      event: { ...event, ...parsed.data, messageId } as RawEnvelope['event'],
    },
  };
}

export function collect(input: CollectInput): CollectResult {
  const size = byteLength(input.body);
  if (size > MAX_REQUEST_BYTES) {
    return {
      kind: 'request_error',
      status: 413,
      error: 'request_too_large',
      issues: [{ field: '(body)', rule: `request is ${size} bytes; the limit is ${MAX_REQUEST_BYTES} (500 KB)` }],
      payload: input.body.slice(0, 1024),
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(input.body);
  } catch (e) {
    return {
      kind: 'request_error',
      status: 400,
      error: 'invalid_json',
      issues: [{ field: '(body)', rule: `must be valid JSON: ${(e as Error).message}` }],
      payload: input.body,
    };
  }

  if (input.route !== 'batch') {
    const one = acceptEvent(body, '', input, {});
    if ('issues' in one) {
      return { kind: 'request_error', status: 400, error: 'validation_failed', issues: one.issues, payload: body };
    }
    return { kind: 'accepted', accepted: [one.envelope], rejected: [] };
  }

  const batch = batchRequestSchema.safeParse(body);
  if (!batch.success) {
    return { kind: 'request_error', status: 400, error: 'validation_failed', issues: issuesOf(batch.error, ''), payload: body };
  }
  const accepted: RawEnvelope[] = [];
  const rejected: RejectedEvent[] = [];
  batch.data.batch.forEach((raw, index) => {
    const one = acceptEvent(raw, `batch[${index}]`, input, batch.data);
    if ('issues' in one) rejected.push({ index, issues: one.issues, payload: raw });
    else accepted.push(one.envelope);
  });
  if (accepted.length === 0) {
    return {
      kind: 'request_error',
      status: 400,
      error: 'validation_failed',
      issues: rejected.flatMap((r) => r.issues),
      payload: body,
    };
  }
  return { kind: 'accepted', accepted, rejected };
}

/** One person's events stay in order: they share a partition key (and so a shard). */
export function partitionKeyOf(envelope: RawEnvelope): string {
  const e = envelope.event as { userId?: string; anonymousId?: string; messageId: string };
  return e.userId ?? e.anonymousId ?? e.messageId;
}
