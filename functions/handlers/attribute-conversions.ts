/**
 * Clean stream → campaign conversions: goal events credited to the arm of the person who did
 * them, inside their window, once per event (functions/domain/campaigns/attribution.ts).
 * The active goals are read for every batch that holds a `track` event (one small consistent
 * Query per batch, not per event); a batch without one (identify, page, screen) holds no goal
 * event and reads nothing. They are not cached: a cached list misses a campaign started since,
 * and a second campaign with an already-known goal name lost every conversion of its first
 * minute that way (tests/integration/campaign-measure.test.ts credited 0 of 107 orders).
 * Unreadable records are kept in the failed-events
 * store and acknowledged; a storage error is thrown, Lambda retries the batch, and the
 * messageId makes the retry a no-op for what was already credited.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { readCleanRecords } from '../shared/clean-records.ts';
import { createServices } from '../shared/services.ts';
import type { FailedEventSink } from '../domain/shared/ports.ts';
import { attributeConversions, type ActiveGoal, type AttributionDeps, type GoalRegistry } from '../domain/campaigns/attribution.ts';

export interface AttributeConversionsDeps extends Omit<AttributionDeps, 'goals'> {
  goals: GoalRegistry;
  failed: FailedEventSink;
  now: () => Date;
}

export function makeAttributeConversions(deps: AttributeConversionsDeps) {
  return async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    const now = deps.now();
    const { events, failed, response } = await readCleanRecords(event, context, 'attribute', now.toISOString());
    await deps.failed.put(failed);
    const goals: ActiveGoal[] = events.some((e) => e.type === 'track') ? await deps.goals.active(now) : [];
    const report = await attributeConversions(events, { ...deps, goals });
    if (report.goalEvents > 0) logger.info('conversions attributed', { ...report, records: event.Records.length });
    metrics.addMetric('GoalEvents', MetricUnit.Count, report.goalEvents);
    metrics.addMetric('ConversionsCredited', MetricUnit.Count, report.credited);
    metrics.addMetric('FailedEvents', MetricUnit.Count, failed.length);
    return response;
  };
}

const env = loadEnv('attribute-conversions');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
export const attribute = makeAttributeConversions({
  goals: services.goalRegistry(env.CAMPAIGNS_TABLE_NAME),
  records: services.conversions(env.CAMPAIGNS_TABLE_NAME),
  profiles: services.profileStore(env.PROFILES_TABLE_NAME),
  failed: services.failedEvents(env.FAILED_EVENTS_BUCKET),
  now: () => new Date(),
});
export const handler = withPowertools(attribute);
