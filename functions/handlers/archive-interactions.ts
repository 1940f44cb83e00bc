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
import { logger, metrics } from '../shared/powertools.ts';
import { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import { PersonalizeEventTracker, S3PersonalizeConfig } from '../adapters/personalize.ts';
import { readCleanRecords } from '../shared/clean-records.ts';
import { S3FailedEventSink } from '../adapters/s3-failed-event-sink.ts';
import { S3InteractionLog } from '../adapters/s3-interaction-log.ts';
import type { FailedEventSink } from '../domain/shared/ports.ts';
import { encodeInteractionLog, interactionLogKey, interactionsFromEvents } from '../domain/recommend/interaction-log.ts';

export interface ArchiveDeps {
  log: Pick<S3InteractionLog, 'put'>;
  failed: FailedEventSink;
  now: () => Date;
  /** Personalize's event tracker, once the training workflow has made one. */
  tracker?: () => Promise<Pick<PersonalizeEventTracker, 'track'> | undefined>;
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
    // The archive is the record (the next import reads it); the real-time feed only keeps the
    // campaign fresh between trainings, so its failure is counted and logged, not retried
    // (a retry would re-send the events that did reach it).
    const tracker = rows.length ? await deps.tracker?.().catch(() => undefined) : undefined;
    if (tracker) {
      await tracker.track(rows).catch((err: Error) => {
        logger.warn('Personalize PutEvents failed; the archive has the events', { error: err.name, rows: rows.length });
        metrics.addMetric('TrackerFailures', MetricUnit.Count, 1);
      });
    }
    metrics.addMetric('FailedEvents', MetricUnit.Count, failed.length);
    return response;
  };
}

const env = loadEnv('archive-interactions');
const s3 = makeS3(env.S3_FORCE_PATH_STYLE);
const personalizeConfig = env.MODELS_BUCKET ? new S3PersonalizeConfig(s3, env.MODELS_BUCKET) : undefined;
const events = new PersonalizeEventsClient({ maxAttempts: 3 });
export const archiveInteractions = makeArchiveInteractions({
  tracker: async () => {
    const trackingId = (await personalizeConfig?.get())?.trackingId;
    return trackingId ? new PersonalizeEventTracker(events, trackingId) : undefined;
  },
  log: new S3InteractionLog(s3, env.INTERACTIONS_BUCKET),
  failed: new S3FailedEventSink(s3, env.FAILED_EVENTS_BUCKET),
  now: () => new Date(),
});
export const handler = withPowertools(archiveInteractions);
