/**
 * The scheduled training run (weekly in AWS; `npm start` runs it after seeding): every model
 * named is retrained from the profiles (profile-training.ts) and published to the registry.
 * Churn is promoted only when it beats the recency-only baseline on held-out profiles. Too
 * few profiles (for propensity: too few campaign contacts with an outcome) is a reported
 * skip, not a failure.
 */
import type { Profile } from '../../../schemas/profile.ts';
import type { ModelRegistry } from '../shared/model-registry.ts';
import { NotEnoughProfilesError, trainFromProfiles } from './profile-training.ts';
import { publishScoreModel } from './publish-score-model.ts';

export interface TrainedModel {
  model: string;
  version?: string;
  promoted: boolean;
  verdict: string;
}

export async function trainScoreModels(profiles: Profile[], opts: { models: readonly string[]; registry: ModelRegistry; at: Date; source: string; promote?: boolean }): Promise<TrainedModel[]> {
  const out: TrainedModel[] = [];
  for (const model of opts.models) {
    try {
      const r = trainFromProfiles(model, profiles, opts.at, opts.source);
      const { info, pointer } = await publishScoreModel(opts.registry, r.artifact, { at: opts.at, promote: opts.promote !== false && r.promote });
      out.push({ model, version: info.version, promoted: pointer !== undefined, verdict: r.verdict });
    } catch (err) {
      if (!(err instanceof NotEnoughProfilesError)) throw err;
      out.push({ model, promoted: false, verdict: err.message });
    }
  }
  return out;
}
