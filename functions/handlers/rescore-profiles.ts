/**
 * One step of the daily Rescore state machine (functions/domain/score/rescore-segment.ts):
 * a segment's pages re-tagged and re-scored until it ends or the invocation's time runs low.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { scoreClock } from '../domain/score/keep-scores.ts';
import { rescoreSegment, type RescoreDeps, type RescoreOutput } from '../domain/score/rescore-segment.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../domain/tag/tags.ts';

const onPage = (p: { retagged: number; scored: number }) => {
  metrics.addMetric('ProfilesRetagged', MetricUnit.Count, p.retagged);
  metrics.addMetric('ProfilesRescored', MetricUnit.Count, p.scored);
};

export function makeRescoreProfiles(deps: Omit<RescoreDeps, 'onPage'>) {
  return async (input: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RescoreOutput> => {
    const out = await rescoreSegment(input, () => context.getRemainingTimeInMillis(), { ...deps, onPage });
    logger.info('segment step', { segment: out.segment, totalSegments: out.totalSegments, done: out.done, ...out.totals });
    return out;
  };
}

const env = loadEnv('rescore-profiles');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
const profiles = services.profileStore(env.PROFILES_TABLE_NAME);
export const rescore = makeRescoreProfiles({
  store: profiles,
  scores: profiles,
  models: services.scoreModels(env.MODELS_BUCKET, env.SCORE_MODELS, env.MODEL_CACHE_SECONDS * 1000),
  asOf: scoreClock(env.SCORE_CLOCK),
  now: () => new Date(),
  ruleSet: RULE_SET_V1,
  ruleSetId: RULE_SET_ID,
});
export const handler = withPowertools(rescore);
