/**
 * Profile-changes stream → fresh scores: every profile Tag announces is read with its scores
 * item, scored with the registry's current models, and the scores item is written if a score
 * moved (one conditional write, none when nothing changed; functions/domain/score/
 * keep-scores.ts). Ids repeated in a batch are scored once. Unreadable records are kept in
 * the failed-events store and acknowledged; storage errors are thrown, so Lambda retries the
 * batch (re-scoring is idempotent; a write that loses to newer scores is simply superseded).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createServices } from '../shared/services.ts';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { readStreamRecords } from '../shared/clean-records.ts';
import type { FailedEventSink } from '../domain/shared/ports.ts';
import type { ProfileStore } from '../domain/profiles/ports.ts';
import type { ScoreStore } from '../domain/score/ports.ts';
import type { ModelArtifact } from '../domain/score/artifact.ts';
import { keepScores, scoreClock, type ScoreOutcome } from '../domain/score/keep-scores.ts';
import type { Profile } from '../../schemas/profile.ts';
import { profileChangeSchema } from '../../schemas/profile-change.ts';

export interface ScoreProfilesDeps {
  store: Pick<ProfileStore, 'getProfile'>;
  scores: ScoreStore;
  failed: FailedEventSink;
  models: { get(): Promise<ModelArtifact[]> };
  asOf: (profile: Profile) => Date;
  now: () => Date;
}

export function makeScoreProfiles(deps: ScoreProfilesDeps) {
  return async (event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> => {
    const { events, failed, response } = await readStreamRecords(event, context, 'score', deps.now().toISOString(), profileChangeSchema);
    await deps.failed.put(failed);
    const models = await deps.models.get();
    // Nothing to do before any model is trained: not even the reads.
    const outcomes: Partial<Record<ScoreOutcome, number>> = models.length > 0 ? await keepScores(events.map((e) => e.profileId), { ...deps, models }) : {};
    logger.info('batch scored', { records: event.Records.length, failed: failed.length, models: models.map((m) => `${m.model}@${m.version}`), ...outcomes });
    metrics.addMetric('ProfilesScored', MetricUnit.Count, outcomes.scored ?? 0);
    metrics.addMetric('ScoresUnchanged', MetricUnit.Count, outcomes.unchanged ?? 0);
    metrics.addMetric('NotScoredNoConsent', MetricUnit.Count, outcomes['no-consent'] ?? 0);
    metrics.addMetric('FailedEvents', MetricUnit.Count, failed.length);
    return response;
  };
}

const env = loadEnv('score-profiles');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
const profiles = services.profileStore(env.PROFILES_TABLE_NAME);
export const scoreProfiles = makeScoreProfiles({
  store: profiles,
  scores: profiles,
  failed: services.failedEvents(env.FAILED_EVENTS_BUCKET),
  models: services.scoreModels(env.MODELS_BUCKET, env.SCORE_MODELS, env.MODEL_CACHE_SECONDS * 1000),
  asOf: scoreClock(env.SCORE_CLOCK),
  now: () => new Date(),
});
export const handler = withPowertools(scoreProfiles);
