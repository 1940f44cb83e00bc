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
 * - Hostile shapes are refused before any recursive walk: nesting deeper than MAX_JSON_DEPTH
 *   (depth.ts) is a 400 `too_deep` naming the field (per event in a batch, like any other
 *   rejection). What is refused before it could be validated (too large, not JSON, too deep)
 *   is kept as its first KEPT_BYTES only.
 * - A `writeKey` in the body (Segment's spec allows it; analytics.js puts it on every event)
 *   is a credential, not data: it is removed from every event and from what the
 *   failed-events store keeps, so it never reaches the stream, a profile or a bucket.
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
import type { FailureReason } from '../../../schemas/failed-event.ts';
import type { FieldIssue } from '../shared/errors.ts';
import { MAX_JSON_DEPTH, pathBeyondDepth, prunedJson } from './depth.ts';
import { KEPT_BYTES } from './request-body.ts';

export type Route = EventType | 'batch';
export const ROUTES: readonly Route[] = [...EVENT_TYPES, 'batch'];

/**
 * analytics.js's short paths: it posts each event to `${apiHost}/${type[0]}` and batches to
 * `${apiHost}/b` (analytics-next src/plugins/segmentio); RudderStack and the server SDKs use
 * the long ones. Each stands for the long route of the same letter.
 */
export const SHORT_PATHS: Readonly<Record<string, Route>> = { t: 'track', i: 'identify', p: 'page', s: 'screen', g: 'group', a: 'alias', b: 'batch' };

/**
 * RudderStack's browser SDK with `useBeacon`: every batch goes by navigator.sendBeacon to
 * `${dataPlaneUrl}/beacon/v1/batch?writeKey=…` as `text/plain`, `{ batch, sentAt }` with no
 * key in the body (BeaconQueue plugin, @rudderstack/analytics-js 3.x). A batch route.
 */
export const BEACON_BATCH_PATH = '/beacon/v1/batch';

/**
 * The route a request path names, and whether the function checks its write key
 * (`keyChecked`: the short paths and the beacon path, which have no authorizer) or the API
 * Gateway authorizer already did (the long paths). By the last segment, long (`track`) or
 * short (`t`); the beacon path by its whole.
 */
export function routeOfPath(path: string): { route: Route; keyChecked: boolean } | undefined {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === BEACON_BATCH_PATH) return { route: 'batch', keyChecked: true };
  const segment = trimmed.split('/').pop() ?? '';
  if ((ROUTES as readonly string[]).includes(segment)) return { route: segment as Route, keyChecked: false };
  const short = Object.hasOwn(SHORT_PATHS, segment) ? SHORT_PATHS[segment] : undefined;
  return short ? { route: short, keyChecked: true } : undefined;
}

/** A shallow copy without `writeKey` (the value itself when it has none). */
export function withoutWriteKey(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, 'writeKey')) return value;
  const { writeKey: _key, ...rest } = value as Record<string, unknown>;
  return rest;
}

/** The first bytes of a body that could not be read as JSON, with any write key in it blanked. */
function keptText(body: string): string {
  return body.slice(0, KEPT_BYTES).replace(/("writeKey"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"[removed]"');
}

export type { FieldIssue };

export interface RejectedEvent {
  index: number;
  issues: FieldIssue[];
  reason: Extract<FailureReason, 'schema_violation' | 'too_deep'>;
  /** The event as received, kept for the failed-events store (too deep: its pruned JSON text, bounded). */
  payload: unknown;
}

/** A request refused as a whole: its status, the answer's error code, and what the failed-events store keeps. */
export interface RequestRefusal {
  kind: 'request_error';
  status: 400 | 413 | 415;
  error: string;
  reason: FailureReason;
  issues: FieldIssue[];
  payload: unknown;
}

export type CollectResult = RequestRefusal | { kind: 'accepted'; accepted: RawEnvelope[]; rejected: RejectedEvent[] };

export interface CollectInput {
  route: Route;
  body: string;
  sourceId: string;
  receivedAt: Date;
  requestId?: string;
  newId: () => string;
  /** The body already parsed by the caller (to find a body write key), so it is not parsed twice. */
  parsed?: { value: unknown };
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

const tooDeepRule = `must not nest objects and arrays more than ${MAX_JSON_DEPTH} levels deep`;

/** The issue for a value nested too deep: the field is where the nesting starts (its first two keys), not 32 keys long. */
function tooDeepIssue(at: string, path: (string | number)[]): FieldIssue {
  return { field: joinPath(at, path.slice(0, 2)), rule: tooDeepRule };
}

type EventOutcome = { envelope: RawEnvelope } | { issues: FieldIssue[]; tooDeep?: true };

/** Validates one event; returns the envelope or the issues. */
function acceptEvent(
  raw: unknown,
  at: string,
  input: CollectInput,
  inherited: { context?: Record<string, unknown>; integrations?: Record<string, unknown> },
): EventOutcome {
  const deep = pathBeyondDepth(raw);
  if (deep) return { issues: [tooDeepIssue(at, deep)], tooDeep: true };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { issues: [{ field: at || '(body)', rule: 'must be a JSON object' }] };
  }
  const event: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  delete event.writeKey;
  // A top-level null is "not sent" in the spec: analytics.js sends `userId: null` until
  // identify, and `category: null` on page. (A required field that is null is then refused
  // as missing, naming the field.)
  for (const [k, v] of Object.entries(event)) if (v === null) delete event[k];
  // An empty person id is not sent either: RudderStack's browser SDK sends `userId: ""` until
  // identify (its session's default). Both empty is then refused as no person, naming userId.
  for (const k of ['userId', 'anonymousId']) if (event[k] === '') delete event[k];
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
      reason: 'too_large',
      issues: [{ field: '(body)', rule: `request is ${size} bytes; the limit is ${MAX_REQUEST_BYTES} (500 KB)` }],
      payload: keptText(input.body),
    };
  }
  let body: unknown;
  try {
    body = withoutWriteKey(input.parsed ? input.parsed.value : JSON.parse(input.body));
  } catch (e) {
    return {
      kind: 'request_error',
      status: 400,
      error: 'invalid_json',
      reason: 'invalid_json',
      issues: [{ field: '(body)', rule: `must be valid JSON: ${(e as Error).message.slice(0, 200)}` }],
      payload: keptText(input.body),
    };
  }
  const tooDeep = (issues: FieldIssue[]): RequestRefusal => ({ kind: 'request_error', status: 400, error: 'too_deep', reason: 'too_deep', issues, payload: keptText(input.body) });

  if (input.route !== 'batch') {
    const one = acceptEvent(body, '', input, {});
    if ('issues' in one) {
      if (one.tooDeep) return tooDeep(one.issues);
      return { kind: 'request_error', status: 400, error: 'validation_failed', reason: 'schema_violation', issues: one.issues, payload: body };
    }
    return { kind: 'accepted', accepted: [one.envelope], rejected: [] };
  }

  // The batch's own fields (context, integrations merge into every event) are measured
  // without its events, which are measured one by one below so one deep event is one rejection.
  const envelopeDeep = body && typeof body === 'object' && !Array.isArray(body) ? pathBeyondDepth({ ...body, batch: [] }) : undefined;
  if (envelopeDeep) return tooDeep([tooDeepIssue('', envelopeDeep)]);
  const batch = batchRequestSchema.safeParse(body);
  if (!batch.success) {
    return { kind: 'request_error', status: 400, error: 'validation_failed', reason: 'schema_violation', issues: issuesOf(batch.error, ''), payload: body };
  }
  const accepted: RawEnvelope[] = [];
  const rejected: RejectedEvent[] = [];
  batch.data.batch.forEach((raw, index) => {
    const one = acceptEvent(raw, `batch[${index}]`, input, batch.data);
    if (!('issues' in one)) accepted.push(one.envelope);
    else if (one.tooDeep) rejected.push({ index, issues: one.issues, reason: 'too_deep', payload: prunedJson(withoutWriteKey(raw)).slice(0, KEPT_BYTES) });
    else rejected.push({ index, issues: one.issues, reason: 'schema_violation', payload: withoutWriteKey(raw) });
  });
  if (accepted.length === 0) {
    const allDeep = rejected.every((r) => r.reason === 'too_deep');
    return {
      kind: 'request_error',
      status: 400,
      error: allDeep ? 'too_deep' : 'validation_failed',
      reason: allDeep ? 'too_deep' : 'schema_violation',
      issues: rejected.flatMap((r) => r.issues),
      // A deep event inside would overflow every writer: keep the text's first bytes instead.
      payload: rejected.some((r) => r.reason === 'too_deep') ? keptText(input.body) : { ...(body as object), batch: rejected.map((r) => r.payload) },
    };
  }
  return { kind: 'accepted', accepted, rejected };
}

/** One person's events stay in order: they share a partition key (and so a shard). */
export function partitionKeyOf(envelope: RawEnvelope): string {
  const e = envelope.event as { userId?: string; anonymousId?: string; messageId: string };
  return e.userId ?? e.anonymousId ?? e.messageId;
}
