/**
 * Clean stream → interaction log (S3), and Personalize's event tracker once there is one
 * (functions/domain/recommend/archive-interactions.ts). Unreadable records are kept in the
 * failed-events store and acknowledged; an S3 error is thrown, so Lambda retries the batch
 * and the deterministic key makes the retry overwrite.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { readCleanRecords } from '../shared/clean-records.ts';
import { createServices } from '../shared/services.ts';
import type { FailedEventSink } from '../domain/shared/ports.ts';
import { archiveInteractions, type ArchiveDeps } from '../domain/recommend/archive-interactions.ts';

const onTrackerFailure = (err: unknown, rows: number) => {
  logger.warn('Personalize PutEvents failed; the archive has the events', { error: (err as Error).name, rows });
  metrics.addMetric('TrackerFailures', MetricUnit.Count, 1);
};

export function makeArchiveInteractions(deps: Omit<ArchiveDeps, 'onTrackerFailure'> & { failed: FailedEventSink; now: () => Date }) {
  return async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    const { events, failed, response } = await readCleanRecords(event, context, 'archive', deps.now().toISOString());
    await deps.failed.put(failed);
    const { archived } = await archiveInteractions(events, { ...deps, onTrackerFailure });
    metrics.addMetric('InteractionsArchived', MetricUnit.Count, archived);
    metrics.addMetric('FailedEvents', MetricUnit.Count, failed.length);
    return response;
  };
}

const env = loadEnv('archive-interactions');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
const personalizeConfig = env.MODELS_BUCKET ? services.personalizeConfig(env.MODELS_BUCKET) : undefined;
export const archive = makeArchiveInteractions({
  tracker: async () => {
    const trackingId = (await personalizeConfig?.get())?.trackingId;
    return trackingId ? services.personalizeTracker(trackingId) : undefined;
  },
  log: services.interactionLog(env.INTERACTIONS_BUCKET),
  failed: services.failedEvents(env.FAILED_EVENTS_BUCKET),
  now: () => new Date(),
});
export const handler = withPowertools(archive);
