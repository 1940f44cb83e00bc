/**
 * Recording consent explicitly: `POST /v1/consent` (write key) and `sightline consent set`.
 *
 * Design: a record is not written to the profile here. It becomes one Segment `track` event
 * (`Consent Updated`, properties `{ consent: { key: status }, source }`) and goes through the
 * event API's own domain (collect/accept-request.ts) onto the raw stream, so it reaches the
 * profile exactly like every other event: Clean validates it, the person's partition key keeps
 * it in order with their other events, the profile's de-duplication makes a retry (same
 * `messageId`) a no-op, identity resolution and merges find the right profile, and Tag then
 * announces the profile so scoring honours a withdrawal within one score batch. Writing the
 * profile directly would race Tag on its version and skip all of that.
 * The source is provenance, not authority: anyone holding a write key can already send a
 * `Consent Updated` track to /v1/track. Only `api`, `unsubscribe` and `cli` may be named.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { CONSENT_EVENT, consentRequestSchema, type ConsentRequest, type RecordSource } from '../../../schemas/consent.ts';
import { acceptRequest, type AcceptDeps } from '../collect/accept-request.ts';
import { InvalidRequestError, type FieldIssue } from '../shared/errors.ts';

/** Every wrong field of a request, by its path (`consent.email.marketing`, `userId`). */
export function consentIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => {
    const path = [...i.path.map(String), ...('keys' in i && Array.isArray(i.keys) ? [i.keys.join(', ')] : [])];
    return { field: path.join('.') || '(body)', rule: i.message };
  });
}

/** The body, parsed and validated; every wrong field named in one InvalidRequestError. */
export function parseConsentRequest(text: string): ConsentRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidRequestError('invalid_json', [{ field: '(body)', rule: 'must be a JSON object' }]);
  }
  const r = consentRequestSchema.safeParse(value);
  if (!r.success) throw new InvalidRequestError('invalid_consent', consentIssues(r.error));
  return r.data;
}

/** The Segment track event a record travels as. */
export function consentEvent(req: ConsentRequest, source: RecordSource, newId: () => string = randomUUID): Record<string, unknown> {
  return {
    type: 'track',
    event: CONSENT_EVENT,
    messageId: req.messageId ?? `consent-${newId()}`,
    ...(req.userId !== undefined ? { userId: req.userId } : {}),
    ...(req.anonymousId !== undefined ? { anonymousId: req.anonymousId } : {}),
    ...(req.timestamp !== undefined ? { timestamp: req.timestamp } : {}),
    properties: { consent: req.consent, source },
  };
}

export interface RecordConsentInput {
  request: ConsentRequest;
  source: RecordSource;
  sourceId: string;
  receivedAt: Date;
  requestId?: string;
  newId?: () => string;
}

/** Puts the record on the raw stream through the event API's domain; what it answers. */
export async function recordConsentRequest(input: RecordConsentInput, deps: AcceptDeps): Promise<{ accepted: number; messageId: string }> {
  const newId = input.newId ?? randomUUID;
  const event = consentEvent(input.request, input.source, newId);
  const answer = await acceptRequest({ route: 'track', body: JSON.stringify(event), sourceId: input.sourceId, receivedAt: input.receivedAt, requestId: input.requestId, newId }, deps);
  if (answer.accepted !== 1) throw new InvalidRequestError('invalid_consent', answer.rejected.flatMap((r) => r.issues));
  return { accepted: 1, messageId: String(event.messageId) };
}
