/**
 * Fairness evaluation protocol of the response-propensity model (Bank Marketing): who the campaign's top
 * decile selects by age band, marital status and education, and what two mitigations cost.
 *
 * Protocol:
 * - Model: logistic regression (L2 = 1) or the GBM with PROPENSITY_GBM_OPTIONS, on
 *   PROPENSITY_FEATURES, as `sightline train propensity` fits them (it publishes the one
 *   that is better on the latest fifth of contacts: logistic on Bank Marketing).
 * - Main figures: stratified 5-fold out-of-fold scores (seed 2026, the propensity
 *   evaluation's), pooled; the campaign selects the top `fraction` of the pooled scores.
 * - Second view: time-ordered split (rows are in date order): fit on the first 80 %, score
 *   the last 20 % (which converts far more often: the economy moved).
 * - Mitigation (a): group-aware thresholds by each attribute (equal-opportunity post-
 *   processing), cross-fitted (CV folds; two stratified halves of the time-split test
 *   rows). The score is untouched, so ROC AUC is too; precision and recall of the
 *   selection are what move.
 * - Mitigation (b): `age` dropped as a feature and the model refitted. The other features
 *   (job = retired or student, marital = single …) still carry age, so this measures how
 *   much of the age gap comes through age itself.
 */
import { FAIRNESS_ATTRIBUTES, fairnessAudit, isFairnessAttribute, type FairnessAttribute, type FairnessAudit } from './fairness.ts';
import type { FeatureDeclaration, RawFeatures } from './features.ts';
import { sigmoid } from './math.ts';
import { rocAuc, stratifiedKFold, type FairnessReport } from './metrics.ts';
import { PROPENSITY_FEATURES, PROPENSITY_GBM_OPTIONS, propensityFeaturesFromBankRow } from './propensity.ts';
import { predict } from './score.ts';
import { trainGbm, trainLogistic } from './train.ts';

export const FOLDS = 5;
export const CV_SEED = 2026;
/** Groups smaller than this in the evaluated rows make max − min noise; spreads without them are shown too. */
export const MIN_GROUP = 100;

export type FeatureSet = 'all' | 'without age';

export interface FairnessEvaluation {
  features: FeatureSet;
  /** ROC AUC: mean over folds (CV) or on the test rows (time split) */
  auc: number;
  /** per-fold ROC AUC (CV only) */
  aucFolds?: number[];
  audit: FairnessAudit;
}

export interface ProtocolResult {
  protocol: 'cv' | 'time';
  rows: number;
  positives: number;
  all: FairnessEvaluation;
  withoutAge: FairnessEvaluation;
}

export interface FairnessResult {
  data: string;
  family: PropensityFamily;
  rows: number;
  positives: number;
  fraction: number;
  attributes: FairnessAttribute[];
  cv: ProtocolResult;
  time: ProtocolResult;
  fits: number;
  seconds: number;
}

const FEATURE_SETS: Record<FeatureSet, FeatureDeclaration[]> = {
  all: PROPENSITY_FEATURES,
  'without age': PROPENSITY_FEATURES.filter((f) => f.name !== 'age'),
};

export type PropensityFamily = 'logistic' | 'gbm';
export const FAMILY_NAME: Record<PropensityFamily, string> = { logistic: 'logistic regression', gbm: 'GBM' };

/** The protocol above on Bank Marketing rows (file order = time order); `data` names their source. */
export function evaluateFairness(bank: Record<string, string>[], opts: { data: string; attribute?: string[]; fraction?: number; family?: PropensityFamily; progress?: (m: string) => void }): FairnessResult {
  const family = opts.family ?? 'logistic';
  const say = opts.progress ?? (() => {});
  const started = performance.now();
  const fraction = opts.fraction ?? 0.1;
  const names = opts.attribute?.length ? opts.attribute : Object.keys(FAIRNESS_ATTRIBUTES);
  const unknown = names.filter((a) => !isFairnessAttribute(a));
  if (unknown.length) throw new RangeError(`unknown attribute ${unknown.join(', ')} (known: ${Object.keys(FAIRNESS_ATTRIBUTES).join(', ')})`);
  const attributes = names as FairnessAttribute[];

  const x: RawFeatures[] = bank.map(propensityFeaturesFromBankRow);
  const y = bank.map((r) => (r.y === 'yes' ? 1 : 0));
  const groups = Object.fromEntries(attributes.map((a) => [a, bank.map(FAIRNESS_ATTRIBUTES[a])])) as Record<FairnessAttribute, string[]>;
  const groupsOf = (rows: number[]) => Object.fromEntries(attributes.map((a) => [a, rows.map((i) => groups[a][i])]));
  let fits = 0;
  const fit = (set: FeatureSet, rows: number[]) => {
    fits++;
    const t = performance.now();
    const meta = { model: 'propensity', version: 'fairness', trainingData: { source: opts.data, from: '2008-05-01T00:00:00.000Z', to: '2010-11-30T00:00:00.000Z', rows: rows.length } };
    const model =
      family === 'gbm'
        ? trainGbm(meta, FEATURE_SETS[set], rows.map((i) => x[i]), rows.map((i) => y[i]), PROPENSITY_GBM_OPTIONS)
        : trainLogistic(meta, FEATURE_SETS[set], rows.map((i) => x[i]), rows.map((i) => y[i]), { l2: 1 });
    return { model, seconds: (performance.now() - t) / 1000 };
  };
  const count = (labels: number[]) => labels.filter((v) => v === 1).length;

  // 1. Stratified 5-fold out-of-fold scores.
  const folds = stratifiedKFold(y, FOLDS, CV_SEED);
  const cvFor = (set: FeatureSet): FairnessEvaluation => {
    const oof = new Float64Array(x.length);
    const aucFolds: number[] = [];
    for (let k = 0; k < FOLDS; k++) {
      const train = x.map((_, i) => i).filter((i) => folds[i] !== k);
      const test = x.map((_, i) => i).filter((i) => folds[i] === k);
      const { model, seconds } = fit(set, train);
      for (const i of test) oof[i] = predict(model, x[i]);
      aucFolds.push(rocAuc(test.map((i) => oof[i]), test.map((i) => y[i])));
      say(`CV fold ${k + 1}/${FOLDS}, ${set} features: ROC AUC ${aucFolds[k].toFixed(4)} (${seconds.toFixed(1)} s)`);
    }
    const audit = fairnessAudit(oof, y, groups, { fraction, folds });
    return { features: set, auc: aucFolds.reduce((s, v) => s + v, 0) / FOLDS, aucFolds, audit };
  };
  const cv: ProtocolResult = { protocol: 'cv', rows: x.length, positives: count(y), all: cvFor('all'), withoutAge: cvFor('without age') };

  // 2. Time-ordered split.
  const cut = Math.floor(x.length * 0.8);
  const train = x.slice(0, cut).map((_, i) => i);
  const test = x.slice(cut).map((_, i) => cut + i);
  const yTest = test.map((i) => y[i]);
  // Two stratified halves of the test rows: each half's group thresholds come from the other.
  const halves = stratifiedKFold(yTest, 2, 7);
  const timeFor = (set: FeatureSet): FairnessEvaluation => {
    const { model, seconds } = fit(set, train);
    const scores = test.map((i) => predict(model, x[i]));
    const auc = rocAuc(scores, yTest);
    say(`time split, ${set} features: ROC AUC ${auc.toFixed(4)} (${seconds.toFixed(1)} s)`);
    return { features: set, auc, audit: fairnessAudit(scores, yTest, groupsOf(test), { fraction, folds: halves }) };
  };
  const time: ProtocolResult = { protocol: 'time', rows: test.length, positives: count(yTest), all: timeFor('all'), withoutAge: timeFor('without age') };

  return { data: opts.data, family, rows: x.length, positives: count(y), fraction, attributes, cv, time, fits, seconds: (performance.now() - started) / 1000 };
}

