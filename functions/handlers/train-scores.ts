/**
 * The scheduled training job (weekly, lib/constructs/score.ts): reads every profile, retrains
 * each model of TRAIN_MODELS from them (functions/domain/score/train-score-models.ts) and
 * publishes it to the model registry; churn is promoted only when it beats the recency-only
 * baseline on held-out profiles. Too few profiles (for propensity: too few campaign contacts
 * with an outcome) is a logged skip, not a failure.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createServices } from '../shared/services.ts';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import type { ModelRegistry } from '../domain/shared/model-registry.ts';
import type { ProfileScanner } from '../domain/profiles/ports.ts';
import { trainScoreModels, type TrainedModel } from '../domain/score/train-score-models.ts';
import { readAllProfiles } from '../domain/profiles/read-all-profiles.ts';

export interface TrainScoresDeps {
  scanner: ProfileScanner;
  registry: ModelRegistry;
  models: string[];
  source: string;
  now: () => Date;
}

export function makeTrainScores(deps: TrainScoresDeps) {
  return async (): Promise<TrainedModel[]> => {
    const profiles = await readAllProfiles(deps.scanner);
    const out = await trainScoreModels(profiles, { models: deps.models, registry: deps.registry, at: deps.now(), source: deps.source });
    for (const r of out) if (r.version) metrics.addMetric('ModelsPromoted', MetricUnit.Count, r.promoted ? 1 : 0);
    logger.info('training done', { profiles: profiles.length, results: out });
    return out;
  };
}

const env = loadEnv('train-scores');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
export const trainScores = makeTrainScores({
  scanner: services.profileStore(env.PROFILES_TABLE_NAME),
  registry: services.modelRegistry(env.MODELS_BUCKET),
  models: env.TRAIN_MODELS,
  source: `profiles:${env.PROFILES_TABLE_NAME}`,
  now: () => new Date(),
});
export const handler = withPowertools(trainScores);
