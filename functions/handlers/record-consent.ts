/**
 * POST /v1/consent (lib/constructs/collect.ts): the write-key authorizer has found the source;
 * the body is validated (every wrong field named in a 400) and the record goes onto the raw
 * stream as a `Consent Updated` event (functions/domain/privacy/consent-record.ts says why),
 * reaching the profile through Clean and Tag like every other event. 202: accepted, applied
 * within a batch or two.
 */
import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadEnv } from '../shared/env.ts';
import { bodyBytesOf, httpHandler, json } from '../shared/http.ts';
import { withPowertools } from '../shared/middleware.ts';
import { metrics } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import type { AcceptDeps } from '../domain/collect/accept-request.ts';
import { readBody } from '../domain/collect/request-body.ts';
import { parseConsentRequest, recordConsentRequest } from '../domain/privacy/consent-record.ts';
import { InvalidRequestError, PayloadTooLargeError, UnauthorizedError, UnsupportedMediaTypeError } from '../domain/shared/errors.ts';

type Event = APIGatewayProxyEventV2WithLambdaAuthorizer<{ sourceId?: string }>;
/** A consent record is a few hundred bytes; 32 KB is the event API's per-event limit. */
const MAX_BYTES = 32 * 1024;

export function makeRecordConsent(deps: AcceptDeps & { now?: () => Date }) {
  return httpHandler(async (event: Event) => {
    const sourceId = event.requestContext?.authorizer?.lambda?.sourceId;
    if (!sourceId) throw new UnauthorizedError('a write key is required (HTTP Basic, key as user name)');
    const { bytes, contentEncoding } = bodyBytesOf(event);
    const body = readBody(bytes, contentEncoding, MAX_BYTES);
    if (body.kind !== 'text') {
      const detail = body.issues.map((i) => `${i.field}: ${i.rule}`).join('; ');
      throw body.status === 413 ? new PayloadTooLargeError(detail, body.issues) : body.status === 415 ? new UnsupportedMediaTypeError(detail, body.issues) : new InvalidRequestError(body.error, body.issues);
    }
    const request = parseConsentRequest(body.text);
    const r = await recordConsentRequest({ request, source: 'api', sourceId, receivedAt: (deps.now ?? (() => new Date()))(), requestId: event.requestContext?.requestId }, deps);
    metrics.addMetric('ConsentRecorded', MetricUnit.Count, 1);
    return json(202, { success: true, messageId: r.messageId });
  });
}

const env = loadEnv('record-consent');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
export const recordConsent = makeRecordConsent({ sink: services.eventSink(env.RAW_STREAM_NAME), failed: services.failedEvents(env.FAILED_EVENTS_BUCKET) });
export const handler = withPowertools(recordConsent);
