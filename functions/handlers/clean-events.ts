/**
 * Raw stream → Clean → clean stream.
 *
 * Records are decoded and cleaned one by one through Powertools' BatchProcessor; records
 * that can never be processed (not JSON, schema violations, unknown versions) and filtered
 * traffic (bots, tests) go to the failed-events store with their reason and are
 * acknowledged, so one bad record never blocks its shard. The parser integration of the
 * BatchProcessor is not used on purpose: it would report such records as failures, which
 * Lambda retries until they age out, instead of keeping them with their reason at once.
 * Storage errors are thrown: Lambda retries (bisecting) and, at the end, the on-failure
 * destination keeps the batch.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeKinesis, makeS3 } from '../shared/clients.ts';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { metrics } from '../shared/powertools.ts';
import { KinesisEventSink } from '../adapters/kinesis-event-sink.ts';
import { S3FailedEventSink } from '../adapters/s3-failed-event-sink.ts';
import { cleanEnvelope, type CleanOptions } from '../domain/clean/clean.ts';
import type { EventSink, FailedEventSink, StreamRecordOut } from '../domain/shared/ports.ts';
import type { FailedEvent } from '../../schemas/failed-event.ts';
import type { CleanEvent } from '../../schemas/clean-event.ts';
import { piiPolicySchema } from '../../schemas/pii-policy.ts';
import { decodeRecord } from '../shared/record-codec.ts';

export interface CleanDeps {
  sink: EventSink;
  failed: FailedEventSink;
  options: CleanOptions;
  /** Table de-duplication: puts one event unless its messageId was already put (Powertools idempotency). */
  putOnce?: (event: CleanEvent) => Promise<unknown>;
  now?: () => Date;
}

export const partitionKeyOfClean = (e: CleanEvent) => e.userId ?? e.anonymousId ?? e.messageId;

export function makeCleanEvents(deps: CleanDeps) {
  return async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    const at = (deps.now ?? (() => new Date()))().toISOString();
    const out: StreamRecordOut[] = [];
    const failed: FailedEvent[] = [];
    const seen = new Set<string>();
    let duplicates = 0;
    const processRecord = async (record: KinesisStreamRecord) => {
      let text = record.kinesis.data;
      let payload: unknown;
      try {
        text = decodeRecord(record.kinesis.data);
        payload = JSON.parse(text);
      } catch {
        failed.push({ v: 1, stage: 'clean', reason: 'invalid_json', detail: `record ${record.kinesis.sequenceNumber} is neither JSON nor gzipped JSON`, at, payload: text });
        return;
      }
      const result = cleanEnvelope(payload, deps.options);
      const sourceId = (payload as { sourceId?: string })?.sourceId;
      if (result.kind !== 'clean') {
        failed.push({ v: 1, stage: 'clean', reason: result.reason, detail: result.detail, at, messageId: result.messageId, sourceId: typeof sourceId === 'string' ? sourceId : undefined, payload });
        return;
      }
      if (seen.has(result.event.messageId)) {
        duplicates += 1;
        return;
      }
      seen.add(result.event.messageId);
      if (deps.putOnce) await deps.putOnce(result.event);
      else out.push({ partitionKey: partitionKeyOfClean(result.event), data: result.event });
    };
    const processor = new BatchProcessor(EventType.KinesisDataStreams);
    const response = await processPartialResponse(event, processRecord, processor, { context, processInParallel: false });
    await deps.failed.put(failed);
    await deps.sink.put(out);
    metrics.addMetric('CleanEvents', MetricUnit.Count, out.length);
    metrics.addMetric('FailedEvents', MetricUnit.Count, failed.length);
    metrics.addMetric('DuplicateEvents', MetricUnit.Count, duplicates);
    return response;
  };
}

const env = loadEnv('clean-events');
const sink = new KinesisEventSink(makeKinesis(), env.CLEAN_STREAM_NAME);
const idempotencyConfig = new IdempotencyConfig({ eventKeyJmesPath: 'messageId', expiresAfterSeconds: env.DEDUP_TTL_SECONDS });
export const cleanEvents = makeCleanEvents({
  sink,
  failed: new S3FailedEventSink(makeS3(env.S3_FORCE_PATH_STYLE), env.FAILED_EVENTS_BUCKET),
  options: { policy: env.PII_POLICY ? piiPolicySchema.parse(JSON.parse(env.PII_POLICY)) : undefined, salt: env.PII_HASH_SALT },
  putOnce:
    env.DEDUP_MODE === 'table'
      ? makeIdempotent((e: CleanEvent) => sink.put([{ partitionKey: partitionKeyOfClean(e), data: e }]).then(() => true), {
          persistenceStore: new DynamoDBPersistenceLayer({ tableName: env.IDEMPOTENCY_TABLE_NAME, awsSdkV3Client: new DynamoDBClient({}) }),
          config: idempotencyConfig,
        })
      : undefined,
});
export const handler = withPowertools(async (event: KinesisStreamEvent, context: Context) => {
  idempotencyConfig.registerLambdaContext(context);
  return cleanEvents(event, context);
});
