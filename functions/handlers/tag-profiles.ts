/**
 * Clean stream → profiles: identity resolution, aggregates, dynamic tags; one conditional
 * write per touched profile per batch (functions/domain/profiles/update-profiles.ts).
 * Unreadable records are kept in the failed-events store and acknowledged; storage errors
 * and lost races beyond the retries are thrown so Lambda retries the batch (the per-profile
 * guard makes the retry a no-op for what was already written).
 * Every profile the batch touched is then announced on the profile-changes stream (ids only)
 * for the score consumer; a failed announcement fails the batch, and the retry announces
 * again (the report lists touched profiles, written now or before).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import type { ProfileChange } from '../../schemas/profile-change.ts';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { updateProfilesWithRetry, type UpdateDeps } from '../domain/profiles/update-profiles.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../domain/tag/tags.ts';
import type { EventSink, FailedEventSink } from '../domain/shared/ports.ts';
import { readCleanRecords } from '../shared/clean-records.ts';
import { oneRecordPerPut } from '../adapters/kinesis-event-sink.ts';

export function makeTagProfiles(deps: UpdateDeps & { failed: FailedEventSink; changes?: EventSink }) {
  return async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    const { events, failed, response } = await readCleanRecords(event, context, 'tag', deps.now().toISOString());
    await deps.failed.put(failed);
    const report = await updateProfilesWithRetry(events, deps);
    const at = deps.now().toISOString();
    await deps.changes?.put(report.profileIds.map((profileId) => ({ partitionKey: profileId, data: { v: 1, profileId, at } satisfies ProfileChange })));
    logger.info('batch applied', { ...report, profileIds: report.profileIds.length, records: event.Records.length, failed: failed.length });
    metrics.addMetric('ProfilesWritten', MetricUnit.Count, report.profilesWritten);
    metrics.addMetric('DuplicateEvents', MetricUnit.Count, report.duplicates);
    metrics.addMetric('FailedEvents', MetricUnit.Count, failed.length);
    return response;
  };
}

const env = loadEnv('tag-profiles');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
export const tagProfiles = makeTagProfiles({
  store: services.profileStore(env.PROFILES_TABLE_NAME),
  failed: services.failedEvents(env.FAILED_EVENTS_BUCKET),
  // One bundled record per batch (kinesis-event-sink.ts): Score needs no order per profile.
  ...(env.CHANGES_STREAM_NAME ? { changes: oneRecordPerPut(services.eventSink(env.CHANGES_STREAM_NAME)) } : {}),
  ruleSet: RULE_SET_V1,
  ruleSetId: RULE_SET_ID,
  now: () => new Date(),
  clock: env.TAG_CLOCK,
});
export const handler = withPowertools(tagProfiles);
