/**
 * One step of the scheduled daily refresh (the Rescore state machine, lib/constructs/
 * score.ts): scans pages of one segment of the profiles table, re-tags them as of now and
 * re-scores them (recency grows every day without events: lifecycle, RFM recency, churn and
 * value all move), until the segment ends or the time budget runs low; returns where to
 * continue. The state machine loops on `done`.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { makeDynamo, makeS3 } from '../shared/clients.ts';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { DynamoProfileStore } from '../adapters/dynamo-profile-store.ts';
import { S3ModelRegistry } from '../adapters/s3-model-registry.ts';
import type { ProfileScanner, ProfileStore } from '../domain/profiles/ports.ts';
import type { ScoreStore } from '../domain/score/ports.ts';
import type { ModelArtifact } from '../domain/score/artifact.ts';
import { CurrentScoreModels } from '../domain/score/current-models.ts';
import { rescoreProfiles, scoreClock, type RescoreReport } from '../domain/score/keep-scores.ts';
import type { Profile } from '../../schemas/profile.ts';
import type { RuleSet } from '../../schemas/tag-rules.ts';
import { retagProfiles } from '../domain/tag/retag.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../domain/tag/tags.ts';

export const rescoreInputSchema = z.object({
  segment: z.number().int().min(0),
  totalSegments: z.number().int().min(1).max(1000),
  cursor: z.string().optional(),
  /** Totals so far for this segment (the state machine passes them back in). */
  totals: z.object({ profiles: z.number(), scored: z.number(), unchanged: z.number(), skipped: z.number(), retagged: z.number().default(0) }).optional(),
});
export type RescoreInput = z.infer<typeof rescoreInputSchema>;
type Totals = RescoreReport & { retagged: number };
export type RescoreOutput = Omit<RescoreInput, 'cursor'> & { cursor?: string; done: boolean; totals: Totals };

export interface RescoreDeps {
  store: Pick<ProfileStore, 'getProfile' | 'saveProfile'> & ProfileScanner;
  scores: ScoreStore;
  models: { get(): Promise<ModelArtifact[]> };
  asOf: (profile: Profile) => Date;
  now: () => Date;
  /** Tags are re-evaluated with this rule set before scoring (functions/domain/tag/tags.ts). */
  ruleSet: RuleSet;
  ruleSetId: string;
  /** Stop starting pages when less than this is left of the invocation. */
  reserveMs?: number;
}

export function makeRescoreProfiles(deps: RescoreDeps) {
  return async (input: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<RescoreOutput> => {
    const { segment, totalSegments, cursor: start, totals: before } = rescoreInputSchema.parse(input);
    const totals: Totals = before ?? { profiles: 0, scored: 0, unchanged: 0, skipped: 0, retagged: 0 };
    const models = await deps.models.get();
    let cursor = start;
    if (models.length === 0) return { segment, totalSegments, done: true, totals };
    do {
      const page = await deps.store.scanProfiles({ segment, totalSegments, cursor, limit: 500 });
      const tagged = await retagProfiles(page.profiles, deps);
      const r = await rescoreProfiles(tagged.profiles, { ...deps, models });
      for (const k of Object.keys(r) as (keyof RescoreReport)[]) totals[k] += r[k];
      totals.retagged += tagged.retagged;
      metrics.addMetric('ProfilesRetagged', MetricUnit.Count, tagged.retagged);
      metrics.addMetric('ProfilesRescored', MetricUnit.Count, r.scored);
      cursor = page.cursor;
    } while (cursor && context.getRemainingTimeInMillis() > (deps.reserveMs ?? 60_000));
    logger.info('segment step', { segment, totalSegments, done: !cursor, ...totals });
    return { segment, totalSegments, ...(cursor ? { cursor } : {}), done: !cursor, totals };
  };
}

const env = loadEnv('rescore-profiles');
const s3 = makeS3(env.S3_FORCE_PATH_STYLE);
const profiles = new DynamoProfileStore(makeDynamo(), env.PROFILES_TABLE_NAME);
export const rescore = makeRescoreProfiles({
  store: profiles,
  scores: profiles,
  models: new CurrentScoreModels(new S3ModelRegistry(s3, env.MODELS_BUCKET), env.SCORE_MODELS, env.MODEL_CACHE_SECONDS * 1000),
  asOf: scoreClock(env.SCORE_CLOCK),
  now: () => new Date(),
  ruleSet: RULE_SET_V1,
  ruleSetId: RULE_SET_ID,
});
export const handler = withPowertools(rescore);
