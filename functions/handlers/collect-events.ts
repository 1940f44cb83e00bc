/**
 * POST /v1/{identify,track,page,screen,group,alias,batch}: read the body, hand the request to
 * the domain (functions/domain/collect/accept-request.ts), answer as Segment does. Errors
 * become status codes in one place (functions/shared/http.ts).
 */
import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadEnv } from '../shared/env.ts';
import { bodyBytesOf, httpHandler, json } from '../shared/http.ts';
import { withPowertools } from '../shared/middleware.ts';
import { metrics } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { acceptRequest, type AcceptDeps } from '../domain/collect/accept-request.ts';
import { ROUTES, type Route } from '../domain/collect/collect.ts';
import { NotFoundError, UnauthorizedError } from '../domain/shared/errors.ts';

type Event = APIGatewayProxyEventV2WithLambdaAuthorizer<{ sourceId?: string }>;

export function makeCollect(deps: AcceptDeps & { now?: () => Date }) {
  return httpHandler(async (event: Event) => {
    const route = (event.rawPath ?? '').replace(/\/+$/, '').split('/').pop() as Route;
    if (!ROUTES.includes(route)) throw new NotFoundError(`no route ${event.rawPath}`);
    const sourceId = event.requestContext?.authorizer?.lambda?.sourceId;
    if (!sourceId) throw new UnauthorizedError('a write key is required (HTTP Basic, key as user name)');
    const receivedAt = (deps.now ?? (() => new Date()))();
    const { bytes, contentEncoding } = bodyBytesOf(event);
    const answer = await acceptRequest({ route, body: bytes, contentEncoding, sourceId, receivedAt, requestId: event.requestContext?.requestId, newId: randomUUID }, deps).catch((err) => {
      metrics.addMetric('RejectedEvents', MetricUnit.Count, 1);
      throw err;
    });
    metrics.addMetric('AcceptedEvents', MetricUnit.Count, answer.accepted);
    metrics.addMetric('RejectedEvents', MetricUnit.Count, answer.rejected.length);
    return json(200, { success: true, accepted: answer.accepted, ...(answer.rejected.length > 0 ? { rejected: answer.rejected } : {}) });
  }, { cors: true }); // browser SDKs post events from any site
}

const env = loadEnv('collect-events');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
export const collectEvents = makeCollect({ sink: services.eventSink(env.RAW_STREAM_NAME), failed: services.failedEvents(env.FAILED_EVENTS_BUCKET) });
export const handler = withPowertools(collectEvents);
