/**
 * POST /v1/{identify,track,page,screen,group,alias,batch}: validate, put accepted events on
 * the raw stream, keep refused ones in the failed-events store, answer as Segment does.
 * A storage failure is a 503 so SDKs retry; their messageIds make the retry harmless.
 */
import type { APIGatewayProxyEventV2WithLambdaAuthorizer, APIGatewayProxyResultV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { makeKinesis, makeS3 } from '../shared/clients.ts';
import { loadEnv } from '../shared/env.ts';
import { BodyTooLargeError, bodyOf, json } from '../shared/http.ts';
import { MAX_REQUEST_BYTES } from '../../schemas/events.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { KinesisEventSink } from '../adapters/kinesis-event-sink.ts';
import { S3FailedEventSink } from '../adapters/s3-failed-event-sink.ts';
import { collect, partitionKeyOf, ROUTES, type Route } from '../domain/collect/collect.ts';
import type { EventSink, FailedEventSink } from '../domain/shared/ports.ts';

type Event = APIGatewayProxyEventV2WithLambdaAuthorizer<{ sourceId?: string }>;

export function makeCollect(deps: { sink: EventSink; failed: FailedEventSink; now?: () => Date }) {
  return async (event: Event): Promise<APIGatewayProxyResultV2> => {
    const route = (event.rawPath ?? '').replace(/\/+$/, '').split('/').pop() as Route;
    if (!ROUTES.includes(route)) return json(404, { error: 'not_found', message: `no route ${event.rawPath}` });
    const sourceId = event.requestContext?.authorizer?.lambda?.sourceId;
    if (!sourceId) return json(401, { error: 'unauthorized', message: 'a write key is required (HTTP Basic, key as user name)' });
    const receivedAt = (deps.now ?? (() => new Date()))();
    let body: string;
    try {
      body = bodyOf(event, MAX_REQUEST_BYTES);
    } catch (err) {
      const tooLarge = err instanceof BodyTooLargeError;
      return json(tooLarge ? 413 : 400, { success: false, error: tooLarge ? 'request_too_large' : 'invalid_encoding', issues: [{ field: '(body)', rule: tooLarge ? `must be at most ${MAX_REQUEST_BYTES} bytes once inflated` : 'Content-Encoding: gzip but the body is not gzip' }] });
    }
    const result = collect({ route, body, sourceId, receivedAt, requestId: event.requestContext?.requestId, newId: randomUUID });
    const at = receivedAt.toISOString();
    try {
      if (result.kind === 'request_error') {
        await deps.failed.put([
          { v: 1, stage: 'collect', reason: result.status === 413 ? 'too_large' : result.error === 'invalid_json' ? 'invalid_json' : 'schema_violation', detail: result.issues.map((i) => `${i.field}: ${i.rule}`).join('; '), at, sourceId, payload: result.payload },
        ]);
        metrics.addMetric('RejectedEvents', MetricUnit.Count, 1);
        return json(result.status, { success: false, error: result.error, issues: result.issues });
      }
      await deps.sink.put(result.accepted.map((e) => ({ partitionKey: partitionKeyOf(e), data: e })));
      if (result.rejected.length > 0) {
        await deps.failed.put(
          result.rejected.map((r) => ({ v: 1 as const, stage: 'collect' as const, reason: 'schema_violation' as const, detail: r.issues.map((i) => `${i.field}: ${i.rule}`).join('; '), at, sourceId, payload: r.payload })),
        );
      }
      metrics.addMetric('AcceptedEvents', MetricUnit.Count, result.accepted.length);
      metrics.addMetric('RejectedEvents', MetricUnit.Count, result.rejected.length);
      return json(200, {
        success: true,
        accepted: result.accepted.length,
        ...(result.rejected.length > 0 ? { rejected: result.rejected.map(({ index, issues }) => ({ index, issues })) } : {}),
      });
    } catch (err) {
      logger.error('could not store events', { error: (err as Error).message, accepted: result.kind === 'accepted' ? result.accepted.length : 0 });
      return json(503, { success: false, error: 'unavailable', message: 'events were not stored; retry with the same messageIds' });
    }
  };
}

const env = loadEnv('collect-events');
export const collectEvents = makeCollect({
  sink: new KinesisEventSink(makeKinesis(), env.RAW_STREAM_NAME),
  failed: new S3FailedEventSink(makeS3(env.S3_FORCE_PATH_STYLE), env.FAILED_EVENTS_BUCKET),
});
export const handler = withPowertools(collectEvents);
