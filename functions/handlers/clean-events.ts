/**
 * Raw stream → Clean → clean stream (functions/domain/clean/clean-batch.ts). Records go
 * through Powertools' BatchProcessor one by one; its parser integration is not used on
 * purpose: it would report unreadable records as failures, which Lambda retries until they
 * age out, instead of keeping them with their reason at once.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { metrics } from '../shared/powertools.ts';
import { decodeRecord } from '../shared/record-codec.ts';
import { createServices } from '../shared/services.ts';
import { CleanBatch, partitionKeyOfClean, type CleanBatchDeps } from '../domain/clean/clean-batch.ts';
import type { CleanEvent } from '../../schemas/clean-event.ts';
import { piiPolicySchema } from '../../schemas/pii-policy.ts';

export type CleanDeps = Omit<CleanBatchDeps, 'decode'> & { now?: () => Date };

export function makeCleanEvents(deps: CleanDeps) {
  return async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    const batch = new CleanBatch({ ...deps, decode: decodeRecord }, (deps.now ?? (() => new Date()))().toISOString());
    const add = (r: KinesisStreamRecord) => batch.add({ sequenceNumber: r.kinesis.sequenceNumber, data: r.kinesis.data });
    const response = await processPartialResponse(event, add, new BatchProcessor(EventType.KinesisDataStreams), { context, processInParallel: false });
    const report = await batch.flush();
    metrics.addMetric('CleanEvents', MetricUnit.Count, report.clean);
    metrics.addMetric('FailedEvents', MetricUnit.Count, report.failed);
    metrics.addMetric('DuplicateEvents', MetricUnit.Count, report.duplicates);
    return response;
  };
}

const env = loadEnv('clean-events');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
const sink = services.eventSink(env.CLEAN_STREAM_NAME);
const idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: 'messageId', expiresAfterSeconds: env.DEDUP_TTL_SECONDS });
const putOnce = (e: CleanEvent) => sink.put([{ partitionKey: partitionKeyOfClean(e), data: e }]).then(() => true);
export const cleanEvents = makeCleanEvents({
  sink,
  failed: services.failedEvents(env.FAILED_EVENTS_BUCKET),
  options: { policy: env.PII_POLICY ? piiPolicySchema.parse(JSON.parse(env.PII_POLICY)) : undefined, salt: env.PII_HASH_SALT },
  ...(env.DEDUP_MODE === 'table' ? { putOnce: makeIdempotent(putOnce, { persistenceStore: services.idempotencyStore(env.IDEMPOTENCY_TABLE_NAME), config: idempotencyConfig }) } : {}),
});
export const handler = withPowertools(async (event: KinesisStreamEvent, context: Context) => {
  idempotencyConfig.registerLambdaContext(context);
  return cleanEvents(event, context);
});
