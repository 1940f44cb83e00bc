/**
 * Clean stream → interaction log (S3): purchases and product views, one CSV object per
 * batch, the training data of the embedded recommender and of Personalize's imports.
 * Unreadable records are kept in the failed-events store and acknowledged; an S3 error is
 * thrown, so Lambda retries the batch and the deterministic key makes the retry overwrite.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { makeS3 } from '../shared/clients.ts';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { metrics } from '../shared/powertools.ts';
import { readCleanRecords } from '../shared/clean-records.ts';
import { S3FailedEventSink } from '../adapters/s3-failed-event-sink.ts';
import { S3InteractionLog } from '../adapters/s3-interaction-log.ts';
import type { FailedEventSink } from '../domain/ports.ts';
import { encodeInteractionLog, interactionLogKey, interactionsFromEvents } from '../domain/recommend/interaction-log.ts';

export interface ArchiveDeps {
  log: Pick<S3InteractionLog, 'put'>;
  failed: FailedEventSink;
  now: () => Date;
}

export function makeArchiveInteractions(deps: ArchiveDeps) {
  return async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    const { events, failed, response } = await readCleanRecords(event, context, 'archive', deps.now().toISOString());
    await deps.failed.put(failed);
    const rows = interactionsFromEvents(events);
    if (rows.length) {
      await deps.log.put(interactionLogKey(events.map((e) => e.messageId), rows[0].timestamp), encodeInteractionLog(rows));
    }
    metrics.addMetric('InteractionsArchived', MetricUnit.Count, rows.length);
    metrics.addMetric('FailedEvents', MetricUnit.Count, failed.length);
    return response;
  };
}

const env = loadEnv('archive-interactions');
const s3 = makeS3(env.S3_FORCE_PATH_STYLE);
export const archiveInteractions = makeArchiveInteractions({
  log: new S3InteractionLog(s3, env.INTERACTIONS_BUCKET),
  failed: new S3FailedEventSink(s3, env.FAILED_EVENTS_BUCKET),
  now: () => new Date(),
});
export const handler = withPowertools(archiveInteractions);
