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
import type { S3Client } from '@aws-sdk/client-s3';
import { S3ModelRegistry } from '../../functions/adapters/s3-model-registry.ts';
import type { ModelPointer, ModelVersionInfo } from '../../functions/domain/shared/model-registry.ts';
import type { ModelArtifact } from '../../functions/domain/score/artifact.ts';
import { rescoreProfiles, scoreClock, type RescoreReport } from '../../functions/domain/score/keep-scores.ts';
import { driftOfProfiles, psiBand, withDriftReference, type DriftReport } from '../../functions/domain/score/drift.ts';
import { CurrentScoreModels } from '../../functions/domain/score/current-models.ts';
import { SCORE_MODEL_NAMES, type Profile, type ScoreModelName } from '../../schemas/profile.ts';
import { trainFromProfiles } from '../../functions/domain/score/profile-training.ts';
import { publishScoreModel } from '../../functions/shared/publish-score-model.ts';
import { DynamoProfileStore } from '../../functions/adapters/dynamo-profile-store.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanProfiles } from './profiles.ts';
import { CHURN_FEATURES, churnExamples } from '../../functions/domain/score/churn.ts';
import { clvSummary, featuresFromStats } from '../../functions/domain/score/clv.ts';
import { rocAuc, stratifiedKFold } from '../../functions/domain/score/metrics.ts';
import { propensityFeaturesFromBankRow } from '../../functions/domain/score/propensity.ts';
import { trainPropensityModel } from '../../functions/domain/score/propensity-training.ts';
import { predict } from '../../functions/domain/score/score.ts';
import { trainClv, trainLogistic, type ArtifactMeta } from '../../functions/domain/score/train.ts';
import { loadBank, loadRetail } from '../../datasets/scoring-data.ts';

export const SCORE_MODELS = SCORE_MODEL_NAMES;
export type ScoreModel = ScoreModelName;

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

export interface TrainScoreResult {
  model: ScoreModel;
  rows: number;
  metrics: Record<string, number>;
  seconds: number;
  info: ModelVersionInfo;
  pointer?: ModelPointer;
}

function trainPropensity(rows: Record<string, string>[], source: string, say: (m: string) => void): ModelArtifact {
  // The file has no dates (rows are in date order, May 2008 – Nov 2010): the range is the campaign period.
  const meta = { model: 'propensity', version: 'unpublished', trainingData: { source, from: '2008-05-01T00:00:00.000Z', to: '2010-11-30T00:00:00.000Z', rows: rows.length } };
  return trainPropensityModel(rows.map(propensityFeaturesFromBankRow), rows.map((r) => (r.y === 'yes' ? 1 : 0)), meta, say).artifact;
}

async function trainRetailModel(model: 'churn' | 'clv', file: string, say: (m: string) => void): Promise<ModelArtifact> {
  say('reading Online Retail');
  const { customers } = await loadRetail(file);
  let first = Infinity;
  let last = -Infinity;
  for (const txs of customers.values()) for (const t of txs) (first = Math.min(first, t.at)), (last = Math.max(last, t.at));
  const end = last + DAY;
  if (model === 'clv') {
    const stats = [...customers.values()].map((txs) => clvSummary(txs.filter((t) => t.kind === 'purchase'), end)).filter((s) => s !== undefined);
    say(`fitting BG/NBD + Gamma-Gamma on ${stats.length} customers`);
    return withDriftReference(trainClv({ model: 'clv', version: 'unpublished', trainingData: { source: file, from: iso(first), to: iso(end), rows: stats.length } }, stats, 365), stats.map(featuresFromStats));
  }
  const cutOff = end - 92 * DAY;
  const { rows: x, labels: y } = churnExamples(customers.values(), cutOff, 92);
  const meta = (n: number, metrics?: Record<string, number>): ArtifactMeta => ({ model: 'churn', version: 'unpublished', trainingData: { source: file, from: iso(first), to: iso(cutOff), rows: n }, metrics });
  const fold = stratifiedKFold(y, 5, 7);
  const inTrain = (i: number) => fold[i] !== 0;
  say(`fitting logistic regression on ${x.length} customers as of ${iso(cutOff).slice(0, 10)}, one fifth held out`);
  const heldOut = trainLogistic(meta(x.length), CHURN_FEATURES, x.filter((_, i) => inTrain(i)), y.filter((_, i) => inTrain(i)));
  const idx = x.map((_, i) => i).filter((i) => !inTrain(i));
  const auc = rocAuc(idx.map((i) => predict(heldOut, x[i])), idx.map((i) => y[i]));
  say(`held-out ROC AUC ${auc.toFixed(4)}; fitting on all customers`);
  return withDriftReference(trainLogistic(meta(x.length, { holdout_roc_auc: auc }), CHURN_FEATURES, x, y), x);
}

/** The artifact `train <model>` publishes, without publishing it (benchmarks). */
export async function trainScoreArtifact(model: ScoreModel, data: string, say: (m: string) => void = () => {}): Promise<ModelArtifact> {
  return model === 'propensity' ? trainPropensity(await loadBank(data), data, say) : trainRetailModel(model, data, say);
}

export async function trainScoreCommand(opts: { model: ScoreModel; data: string; s3: S3Client; modelsBucket: string; promote?: boolean; progress?: (m: string) => void }): Promise<TrainScoreResult> {
  const say = opts.progress ?? (() => {});
  const started = performance.now();
  const artifact = await trainScoreArtifact(opts.model, opts.data, say);
  const seconds = (performance.now() - started) / 1000;
  say('publishing to the model registry');
  const { info, pointer } = await publishScoreModel(new S3ModelRegistry(opts.s3, opts.modelsBucket), artifact, { at: new Date(), promote: opts.promote });
  return { model: opts.model, rows: artifact.trainingData.rows, metrics: artifact.metrics, seconds, info, pointer };
}

/**
 * `sightline train churn|clv` without --data: trains from the platform's own profiles as of
 * `asOf` (functions/domain/score/profile-training.ts, what the weekly job runs in AWS).
 * Churn becomes current only if it beats recency-only on held-out profiles.
 */
export async function trainScoreFromProfilesCommand(opts: { model: ScoreModel; ddb: DynamoDBDocumentClient; table: string; s3: S3Client; modelsBucket: string; asOf: Date; promote?: boolean; progress?: (m: string) => void }): Promise<TrainScoreResult & { verdict: string }> {
  const say = opts.progress ?? (() => {});
  const started = performance.now();
  say('reading profiles');
  const profiles = await scanProfiles(opts.ddb, opts.table);
  say(`training ${opts.model} on ${profiles.length} profiles as of ${opts.asOf.toISOString().slice(0, 10)}`);
  const r = trainFromProfiles(opts.model, profiles, opts.asOf, `profiles:${opts.table}`);
  const seconds = (performance.now() - started) / 1000;
  const { info, pointer } = await publishScoreModel(new S3ModelRegistry(opts.s3, opts.modelsBucket), r.artifact, { at: new Date(), promote: opts.promote !== false && r.promote });
  return { model: opts.model, rows: r.artifact.trainingData.rows, metrics: r.artifact.metrics, seconds, info, pointer, verdict: r.verdict };
}

/** The registry's current scoring models (those trained so far), read now (no cache). */
export async function currentScoreModels(s3: S3Client, modelsBucket: string): Promise<ModelArtifact[]> {
  return new CurrentScoreModels(new S3ModelRegistry(s3, modelsBucket), [...SCORE_MODEL_NAMES], 0).get();
}

/**
 * Scores every live profile as of `asOf` with the current models and writes the scores items
 * that moved (never over scores of a newer profile version; functions/domain/score/
 * keep-scores.ts, the code of the daily re-scoring). The local equivalent of that job.
 */
export async function scoreAll(ddb: DynamoDBDocumentClient, table: string, models: ModelArtifact[], asOf: Date | ((p: Profile) => Date)): Promise<RescoreReport> {
  const store = new DynamoProfileStore(ddb, table);
  const at = typeof asOf === 'function' ? asOf : () => asOf;
  return rescoreProfiles(await scanProfiles(ddb, table), { store, scores: store, models, asOf: at, now: () => new Date() });
}

/** Drift of every current model over the platform's profiles. */
export async function driftCommand(opts: { ddb: DynamoDBDocumentClient; table: string; s3: S3Client; modelsBucket: string; asOf?: Date }): Promise<DriftReport[]> {
  const models = await currentScoreModels(opts.s3, opts.modelsBucket);
  const profiles = await scanProfiles(opts.ddb, opts.table);
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
