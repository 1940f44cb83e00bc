/**
 * What the failed-events store keeps of a refused payload: the payload with the PII policy
 * applied (schemas/pii-policy.ts, the one Clean applies to good events), so a refusal does
 * not keep for months what the policy removes from every accepted event.
 *
 * Design:
 * - Same actions, same functions as Clean (hashValue, maskValue, normaliseEmail from
 *   clean.ts), same salt: a hashed field in a failed event equals the one a clean event
 *   carries, so an operator can still match a refusal to a person. Keys are matched trimmed,
 *   as Clean trims them before applying the policy.
 * - Replay needs the event, not the identifiers: the event keeps its shape, ids, names and
 *   properties; only the policy's fields change. Hashed fields stay hashed on a replay (Clean
 *   hashes what it is given), which is the price of not keeping them raw.
 * - The payload is not changed in place (the caller may still read it): only the objects on a
 *   policy path are copied.
 * - The caller says what the payload is: a raw envelope (Clean: the event under `event`), a
 *   Segment event, or a `/v1/batch` body (Collect: its top-level context and each of its
 *   events). Text that is not JSON cannot be read for fields; it is kept bounded (KEPT_TEXT).
 */
import { DEFAULT_FAILED_EVENTS_PII_POLICY, type PiiAction } from '../../../schemas/pii-policy.ts';
import { hashValue, maskValue, normaliseEmail, type CleanOptions } from './clean.ts';

/** How much of a payload that is not JSON is kept (the same bound as Collect's refusals). */
export const KEPT_TEXT = 4096;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function keyOf(obj: Json, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  return Object.keys(obj).find((k) => k.trim() === name);
}

function applyAt(obj: Json, parts: string[], action: Exclude<PiiAction, 'keep'>, salt: string): Json {
  const key = keyOf(obj, parts[0]);
  if (key === undefined) return obj;
  if (parts.length > 1) {
    const child = obj[key];
    if (!isObject(child)) return obj;
    const next = applyAt(child, parts.slice(1), action, salt);
    return next === child ? obj : { ...obj, [key]: next };
  }
  const copy = { ...obj };
  if (action === 'drop') delete copy[key];
  else if (action === 'hash') copy[key] = hashValue(normaliseEmail(String(obj[key])), salt);
  else copy[key] = maskValue(String(obj[key]));
  return copy;
}

/** One event (or a batch body's top level) with the policy applied. */
function minimiseEvent(event: unknown, options: CleanOptions): unknown {
  if (!isObject(event)) return event;
  const policy = options.policy ?? DEFAULT_FAILED_EVENTS_PII_POLICY;
  let out = event;
  for (const [path, action] of Object.entries(policy.fields)) {
    if (action !== 'keep') out = applyAt(out, path.split('.'), action, options.salt ?? '');
  }
  return out;
}

export type PayloadShape = 'envelope' | 'event' | 'batch';

export function minimisedPayload(payload: unknown, shape: PayloadShape, options: CleanOptions = {}): unknown {
  if (typeof payload === 'string') return payload.length > KEPT_TEXT ? payload.slice(0, KEPT_TEXT) : payload;
  if (!isObject(payload)) return payload;
  // A raw envelope (schemas/events.ts RawEnvelope): the event is under `event`.
  if (shape === 'envelope' && isObject(payload.event)) return { ...payload, event: minimiseEvent(payload.event, options) };
  // A /v1/batch body: its top-level context merges into every event, so both are minimised.
  if (shape === 'batch' && Array.isArray(payload.batch)) {
    const top = minimiseEvent(payload, options) as Json;
    return { ...top, batch: payload.batch.map((e) => minimiseEvent(e, options)) };
  }
  return minimiseEvent(payload, options);
}
