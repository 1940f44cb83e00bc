/**
 * Clean stream → campaign conversions: goal events credited to the arm of the person who did
 * them, inside their window, once per event (functions/domain/campaigns/attribution.ts).
 * The active goals are kept for a minute per container, so the many events that are no
 * campaign's goal cost no DynamoDB call; a `track` event whose name the kept list does not
 * know re-reads it once it is 5 s old, so a goal registered at Start is seen before anyone
 * can have read the mail and bought (its sends begin after the registration). Unreadable records are kept in the failed-events
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
  /** How long a container keeps the active goals (ms); 0: read them every batch. */
  goalsTtlMs: number;
}

/** How old the kept goals may be when an event name they do not know arrives. */
const UNKNOWN_REFRESH_MS = 5_000;

export function makeAttributeConversions(deps: AttributeConversionsDeps) {
  let cached: { goals: ActiveGoal[]; at: number } | undefined;
  return async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    const now = deps.now();
    const { events, failed, response } = await readCleanRecords(event, context, 'attribute', now.toISOString());
    await deps.failed.put(failed);
    const age = cached ? now.getTime() - cached.at : Infinity;
    const known = new Set(cached?.goals.map((g) => g.event));
    const unknownTrack = events.some((e) => e.type === 'track' && e.event !== undefined && !known.has(e.event));
    if (age >= deps.goalsTtlMs || (unknownTrack && age >= Math.min(UNKNOWN_REFRESH_MS, deps.goalsTtlMs))) cached = { goals: await deps.goals.active(now), at: now.getTime() };
    const report = await attributeConversions(events, { ...deps, goals: cached!.goals });
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
  goalsTtlMs: env.GOALS_CACHE_SECONDS * 1000,
});
export const handler = withPowertools(attribute);
