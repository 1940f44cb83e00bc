/**
 * Training churn risk and lifetime value from the platform's own profiles: what the
 * scheduled training job (functions/handlers/train-scores.ts) and `sightline train churn|clv`
 * without `--data` run.
 *
 * Design:
 * - A profile keeps purchase aggregates, not its order log: exact first/last order instants
 *   and per-month orders and revenue (schemas/profile.ts). Churn needs features *as of a
 *   cut-off in the past* and the label *after* it, so both are built from whole months:
 *   the cut-off is the first day of the month that holds `asOf − horizon`; the features
 *   read the months before it, the label is "no order in the months from it on" (a window
 *   of 90 to 121 days for a 90-day horizon). Recency at the cut-off is exact when the last
 *   order is before it; otherwise it is taken from the 15th of the last month with orders
 *   before it (at most half a month off).
 * - Returns are not kept per month, so they are left out of training rows (the feature
 *   takes its fill and the model learns no weight for it) rather than leaking returns
 *   made after the cut-off into the features.
 * - The same gate the evaluation applies is applied on every scheduled run: the churn model
 *   is promoted only if it beats the recency-only baseline on a held-out fifth of the
 *   profiles; otherwise it is published (for inspection) but the current version stays.
 * - Lifetime value (BG/NBD + Gamma-Gamma) needs no label: it is fitted on every buyer's
 *   repeat purchases, recency and tenure as of `asOf`.
 * - Response propensity needs outcomes: it trains on profiles whose latest campaign contact
 *   (track "Campaign Contacted") carries one, logistic or GBM by the time-ordered hold-out.
 */
import { SCORE_MODEL_NAMES, type Profile } from '../../../schemas/profile.ts';
import type { ModelArtifact } from './artifact.ts';
import { CHURN_FEATURES } from './churn.ts';
import { featuresFromStats, statsFromFeatures, type ClvStats } from './clv.ts';
import { withDriftReference } from './drift.ts';
import type { RawFeatures } from './features.ts';
import { rocAuc, stratifiedKFold } from './metrics.ts';
import { clvFeaturesFromProfile, propensityFeaturesFromProfile } from './score-profile.ts';
import { trainPropensityModel } from './propensity-training.ts';
import { predict } from './score.ts';
import { recencyBaseline, trainClv, trainLogistic, type ArtifactMeta } from './train.ts';

const DAY = 86_400_000;
const monthStart = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};
const monthKey = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/** The earliest first order among the profiles, ISO (a loop: Math.min(...xs) overflows the stack on a large table). */
function firstOrderOf(profiles: Profile[]): string {
  let first = Number.POSITIVE_INFINITY;
  for (const p of profiles) if (p.aggregates.firstOrderAt) first = Math.min(first, Date.parse(p.aggregates.firstOrderAt));
  return new Date(first).toISOString();
}

export interface ChurnExamples {
  cutOff: number;
  rows: RawFeatures[];
  labels: (0 | 1)[];
}

/** Churn features as of a month-start cut-off and the label after it, for every profile that had bought before it. */
export function churnExamplesFromProfiles(profiles: Profile[], asOf: Date, horizonDays = 90): ChurnExamples {
  const cutOff = monthStart(asOf.getTime() - horizonDays * DAY);
  const cutKey = monthKey(cutOff);
  const rows: RawFeatures[] = [];
  const labels: (0 | 1)[] = [];
  for (const p of profiles) {
    const a = p.aggregates;
    if (p.mergedInto || !a.firstOrderAt || !a.lastOrderAt || Date.parse(a.firstOrderAt) >= cutOff) continue;
    const before = Object.entries(a.months).filter(([m, s]) => m < cutKey && s.orders > 0);
    const after = Object.entries(a.months).filter(([m, s]) => m >= cutKey && s.orders > 0);
    if (before.length === 0) continue; // the first order fell outside the months kept
    const orders = before.reduce((s, [, v]) => s + v.orders, 0);
    const revenue = before.reduce((s, [, v]) => s + v.revenue, 0);
    const lastBefore = Date.parse(a.lastOrderAt) < cutOff ? Date.parse(a.lastOrderAt) : Date.parse(`${before.map(([m]) => m).sort().at(-1)}-15T00:00:00Z`);
    const inWindow = (days: number) => before.filter(([m]) => Date.parse(`${m}-01T00:00:00Z`) >= cutOff - days * DAY).reduce((s, [, v]) => s + v.orders, 0);
    rows.push({
      recency_days: Math.max(0, Math.floor((cutOff - lastBefore) / DAY)),
      frequency: orders,
      monetary: Math.round(revenue * 100) / 100,
      tenure_days: Math.floor((cutOff - Date.parse(a.firstOrderAt)) / DAY),
      orders_90d: inWindow(90),
      orders_180d: inWindow(180),
      avg_basket: Math.round((revenue / orders) * 100) / 100,
      returns: undefined,
      distinct_months: before.length,
    });
    labels.push(after.length > 0 ? 0 : 1);
  }
  return { cutOff, rows, labels };
}

/** BG/NBD statistics of every buyer as of `asOf`. */
export function clvStatsFromProfiles(profiles: Profile[], asOf: Date): ClvStats[] {
  const out: ClvStats[] = [];
  for (const p of profiles) {
    if (p.mergedInto) continue;
    const f = clvFeaturesFromProfile(p.aggregates, asOf.getTime());
    if (f) out.push(statsFromFeatures(f as Parameters<typeof statsFromFeatures>[0]));
  }
  return out;
}

export interface ProfileTrainingResult {
  artifact: ModelArtifact;
  /** False when the model did not beat its baseline: publish it, keep the current version. */
  promote: boolean;
  /** Why (printed by the CLI, logged by the job). */
  verdict: string;
}

/** Fewer examples (or fewer of either class) than this and a held-out AUC means little. */
export const MIN_TRAINING_PROFILES = 50;

export class NotEnoughProfilesError extends Error {
  constructor(
    readonly model: string,
    readonly found: number,
  ) {
    super(`${model}: ${found} usable profiles; at least ${MIN_TRAINING_PROFILES} (with both outcomes) are needed to train and check a model`);
    this.name = 'NotEnoughProfilesError';
  }
}

export function trainChurnFromProfiles(profiles: Profile[], asOf: Date, source: string, horizonDays = 90): ProfileTrainingResult {
  const { cutOff, rows, labels } = churnExamplesFromProfiles(profiles, asOf, horizonDays);
  const churned = labels.filter((l) => l === 1).length;
  if (rows.length < MIN_TRAINING_PROFILES || churned < 5 || rows.length - churned < 5) throw new NotEnoughProfilesError('churn', rows.length);
  const meta = (metrics?: Record<string, number>): ArtifactMeta => ({
    model: 'churn',
    version: 'unpublished',
    trainingData: { source, from: firstOrderOf(profiles), to: new Date(cutOff).toISOString(), rows: rows.length },
    metrics,
  });
  const fold = stratifiedKFold(labels, 5, 7);
  const train = rows.map((_, i) => i).filter((i) => fold[i] !== 0);
  const test = rows.map((_, i) => i).filter((i) => fold[i] === 0);
  const model = trainLogistic(meta(), CHURN_FEATURES, train.map((i) => rows[i]), train.map((i) => labels[i]));
  const baseline = recencyBaseline(meta(), CHURN_FEATURES, train.map((i) => rows[i]));
  const testLabels = test.map((i) => labels[i]);
  const auc = rocAuc(test.map((i) => predict(model, rows[i])), testLabels);
  const baselineAuc = rocAuc(test.map((i) => predict(baseline, rows[i])), testLabels);
  const metrics = { holdout_roc_auc: auc, holdout_recency_baseline_roc_auc: baselineAuc, churn_rate: churned / rows.length, horizon_days: horizonDays };
  const promote = auc > baselineAuc;
  return {
    artifact: withDriftReference(trainLogistic(meta(metrics), CHURN_FEATURES, rows, labels), rows),
    promote,
    verdict: `held-out ROC AUC ${auc.toFixed(3)} vs recency-only ${baselineAuc.toFixed(3)} on ${test.length} of ${rows.length} profiles: ${promote ? 'promoted' : 'not promoted (does not beat the baseline)'}`,
  };
}

export function trainClvFromProfiles(profiles: Profile[], asOf: Date, source: string, horizonDays = 365): ProfileTrainingResult {
  const stats = clvStatsFromProfiles(profiles, asOf);
  if (stats.length < MIN_TRAINING_PROFILES || !stats.some((s) => s.x > 0)) throw new NotEnoughProfilesError('clv', stats.length);
  const artifact = withDriftReference(
    trainClv({ model: 'clv', version: 'unpublished', trainingData: { source, from: firstOrderOf(profiles), to: asOf.toISOString(), rows: stats.length } }, stats, horizonDays),
    stats.map(featuresFromStats),
  );
  return { artifact, promote: true, verdict: `BG/NBD + Gamma-Gamma fitted on ${stats.length} buyers (${stats.filter((s) => s.x > 0).length} with repeat purchases)` };
}

/**
 * Propensity examples: every person whose latest campaign contact has an outcome, with the
 * features scoring reads from the profile, in contact-time order (the held-out part is the
 * latest fifth).
 */
export function propensityExamplesFromProfiles(profiles: Profile[]): { rows: RawFeatures[]; labels: (0 | 1)[]; from?: string; to?: string } {
  const labelled = profiles
    .filter((p) => !p.mergedInto && p.campaignContact?.outcome)
    .sort((a, b) => a.campaignContact!.at.localeCompare(b.campaignContact!.at) || a.profileId.localeCompare(b.profileId));
  const rows: RawFeatures[] = [];
  const labels: (0 | 1)[] = [];
  for (const p of labelled) {
    const f = propensityFeaturesFromProfile(p.traits, p.campaignContact);
    if (!f) continue;
    rows.push(f);
    labels.push(p.campaignContact!.outcome === 'converted' ? 1 : 0);
  }
  return { rows, labels, from: labelled[0]?.campaignContact!.at, to: labelled.at(-1)?.campaignContact!.at };
}

export function trainPropensityFromProfiles(profiles: Profile[], source: string, say?: (m: string) => void): ProfileTrainingResult {
  const { rows, labels, from, to } = propensityExamplesFromProfiles(profiles);
  const converted = labels.filter((l) => l === 1).length;
  if (rows.length < MIN_TRAINING_PROFILES || converted < 5 || rows.length - converted < 5) throw new NotEnoughProfilesError('propensity', rows.length);
  const r = trainPropensityModel(rows, labels, { model: 'propensity', version: 'unpublished', trainingData: { source, from: new Date(from!).toISOString(), to: new Date(to!).toISOString(), rows: rows.length } }, say);
  return { artifact: r.artifact, promote: true, verdict: r.verdict };
}

export function trainFromProfiles(model: string, profiles: Profile[], asOf: Date, source: string, say?: (m: string) => void): ProfileTrainingResult {
  if (model === 'churn') return trainChurnFromProfiles(profiles, asOf, source);
  if (model === 'clv') return trainClvFromProfiles(profiles, asOf, source);
  if (model === 'propensity') return trainPropensityFromProfiles(profiles, source, say);
  throw new Error(`no model named ${model} (known: ${SCORE_MODEL_NAMES.join(', ')})`);
}
