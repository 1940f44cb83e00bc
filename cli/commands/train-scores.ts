/**
 * `sightline train propensity|churn|clv --data <file>`: the scoring models trained from the
 * real datasets and published to the model registry (s3rver locally), each with a held-out
 * figure measured before the final fit on all rows.
 *
 * - propensity: Bank Marketing (bank-additional-full), without `duration`; logistic
 *   regression or the GBM, whichever is better on the last 20 % of rows (they are in date
 *   order) fitted on the first 80 % (functions/domain/score/propensity-training.ts).
 * - churn: Online Retail; features as of the data's end − 92 days, label = no purchase in the
 *   92 days after; logistic regression (the family the evaluation chose by CV). Held out: a
 *   stratified fifth of the customers.
 * - clv: Online Retail; BG/NBD + Gamma-Gamma on every customer's history up to the data's end,
 *   12-month horizon.
 */
import type { Services } from '../../functions/shared/services.ts';
import { localTarget, resourceName, servicesFor } from '../config.ts';
import type { ModelPointer, ModelVersionInfo } from '../../functions/domain/shared/model-registry.ts';
import type { ModelArtifact } from '../../functions/domain/score/artifact.ts';
import { rescoreProfiles, scoreClock, type RescoreReport } from '../../functions/domain/score/keep-scores.ts';
import { driftOfProfiles, psiBand, type DriftReport } from '../../functions/domain/score/drift.ts';
import { SCORE_MODEL_NAMES, type Profile, type ScoreModelName } from '../../schemas/profile.ts';
import { trainFromProfiles } from '../../functions/domain/score/profile-training.ts';
import { publishScoreModel } from '../../functions/domain/score/publish-score-model.ts';
import { scanProfiles } from './profiles.ts';
import { loadBank, loadRetail } from '../../datasets/scoring-data.ts';
import { trainFromRetail, trainPropensityFromBank } from '../../functions/domain/score/dataset-training.ts';

export const SCORE_MODELS = SCORE_MODEL_NAMES;
export type ScoreModel = ScoreModelName;


export interface TrainScoreResult {
  model: ScoreModel;
  rows: number;
  metrics: Record<string, number>;
  seconds: number;
  info: ModelVersionInfo;
  pointer?: ModelPointer;
}

/** The artifact `train <model>` publishes, without publishing it (benchmarks). */
export async function trainScoreArtifact(model: ScoreModel, data: string, say: (m: string) => void = () => {}): Promise<ModelArtifact> {
  if (model === 'propensity') return trainPropensityFromBank(await loadBank(data), data, say);
  say('reading Online Retail');
  return trainFromRetail(model, (await loadRetail(data)).customers, data, say);
}

export async function trainScoreCommand(opts: { model: ScoreModel; data: string; services: Services; modelsBucket: string; promote?: boolean; progress?: (m: string) => void }): Promise<TrainScoreResult> {
  const say = opts.progress ?? (() => {});
  const started = performance.now();
  const artifact = await trainScoreArtifact(opts.model, opts.data, say);
  const seconds = (performance.now() - started) / 1000;
  say('publishing to the model registry');
  const { info, pointer } = await publishScoreModel(opts.services.modelRegistry(opts.modelsBucket), artifact, { at: new Date(), promote: opts.promote });
  return { model: opts.model, rows: artifact.trainingData.rows, metrics: artifact.metrics, seconds, info, pointer };
}

/**
 * `sightline train churn|clv` without --data: trains from the platform's own profiles as of
 * `asOf` (functions/domain/score/profile-training.ts, what the weekly job runs in AWS).
 * Churn becomes current only if it beats recency-only on held-out profiles.
 */
export async function trainScoreFromProfilesCommand(opts: { model: ScoreModel; services: Services; table: string; modelsBucket: string; asOf: Date; promote?: boolean; progress?: (m: string) => void }): Promise<TrainScoreResult & { verdict: string }> {
  const say = opts.progress ?? (() => {});
  const started = performance.now();
  say('reading profiles');
  const profiles = await scanProfiles(opts.services, opts.table);
  say(`training ${opts.model} on ${profiles.length} profiles as of ${opts.asOf.toISOString().slice(0, 10)}`);
  const r = trainFromProfiles(opts.model, profiles, opts.asOf, `profiles:${opts.table}`);
  const seconds = (performance.now() - started) / 1000;
  const { info, pointer } = await publishScoreModel(opts.services.modelRegistry(opts.modelsBucket), r.artifact, { at: new Date(), promote: opts.promote !== false && r.promote });
  return { model: opts.model, rows: r.artifact.trainingData.rows, metrics: r.artifact.metrics, seconds, info, pointer, verdict: r.verdict };
}

/** The registry's current scoring models (those trained so far), read now (no cache). */
export async function currentScoreModels(services: Services, modelsBucket: string): Promise<ModelArtifact[]> {
  return services.scoreModels(modelsBucket, [...SCORE_MODEL_NAMES], 0).get();
}

/**
 * Scores every live profile as of `asOf` with the current models and writes the scores items
 * that moved (never over scores of a newer profile version; functions/domain/score/
 * keep-scores.ts, the code of the daily re-scoring). The local equivalent of that job.
 */
export async function scoreAll(services: Services, table: string, models: ModelArtifact[], asOf: Date | ((p: Profile) => Date)): Promise<RescoreReport> {
  const store = services.profileStore(table);
  const at = typeof asOf === 'function' ? asOf : () => asOf;
  return rescoreProfiles(await scanProfiles(services, table), { store, scores: store, models, asOf: at, now: () => new Date() });
}

/** Drift of every current model over the platform's profiles. */
export async function driftCommand(opts: { services: Services; table: string; modelsBucket: string; asOf?: Date }): Promise<DriftReport[]> {
  const models = await currentScoreModels(opts.services, opts.modelsBucket);
  const profiles = await scanProfiles(opts.services, opts.table);
  const asOf = opts.asOf;
  return driftOfProfiles(models, profiles, asOf ? () => asOf : scoreClock('profile'));
}

export function formatDrift(reports: DriftReport[], top = 5): string {
  if (reports.length === 0) return 'no drift to report: no current model has a drift reference and profiles it applies to (train one: sightline train churn)';
  return reports
    .map((r) =>
      [
        `${r.model} ${r.version}: ${r.rows} profiles; score PSI ${r.scorePsi.toFixed(3)} (${psiBand(r.scorePsi)})`,
        ...r.features.slice(0, top).map((f) => `  ${f.name.padEnd(22)} PSI ${f.psi.toFixed(3)}  ${psiBand(f.psi)}`),
      ].join('\n'),
    )
    .join('\n\n');
}

// ---- the CLI's actions (cli/sightline.ts routes here) ------------------------------------

interface ScoreFlags {
  asOf?: Date;
  table?: string;
  modelsBucket?: string;
}

const scoreTarget = (o: ScoreFlags) => ({
  services: servicesFor(o.table ? undefined : localTarget({ writeKey: 'unused' })),
  table: resourceName('PROFILES_TABLE_NAME', o.table),
  modelsBucket: resourceName('MODELS_BUCKET', o.modelsBucket),
});

export async function scoreCommand(o: ScoreFlags) {
  const { services, table, modelsBucket } = scoreTarget(o);
  const models = await currentScoreModels(services, modelsBucket);
  if (!models.length) throw new Error('no scoring model is trained yet: sightline train churn|clv (from profiles) or propensity --data <file>');
  return { models: models.map((m) => `${m.model} ${m.version}`), ...(await scoreAll(services, table, models, o.asOf ?? new Date())) };
}

export const formatScore = (r: RescoreReport & { models: string[] }) =>
  `${r.profiles} profiles with ${r.models.join(', ')}: ${r.scored} re-scored, ${r.unchanged} unchanged, ${r.skipped} without a model that applies`;

export function driftFromFlags(o: ScoreFlags): Promise<DriftReport[]> {
  return driftCommand({ ...scoreTarget(o), asOf: o.asOf });
}
