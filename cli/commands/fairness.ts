/**
 * Fairness report of the response-propensity model (Bank Marketing): who the campaign's top
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
import { FAIRNESS_ATTRIBUTES, fairnessAudit, isFairnessAttribute, type FairnessAttribute, type FairnessAudit } from '../../functions/domain/score/fairness.ts';
import type { FeatureDeclaration, RawFeatures } from '../../functions/domain/score/features.ts';
import { sigmoid } from '../../functions/domain/score/math.ts';
import { rocAuc, stratifiedKFold, type FairnessReport } from '../../functions/domain/score/metrics.ts';
import { PROPENSITY_FEATURES, PROPENSITY_GBM_OPTIONS, propensityFeaturesFromBankRow } from '../../functions/domain/score/propensity.ts';
import { predict } from '../../functions/domain/score/score.ts';
import { trainGbm, trainLogistic } from '../../functions/domain/score/train.ts';
import { loadBank } from '../../datasets/scoring-data.ts';

const FOLDS = 5;
const CV_SEED = 2026;
/** Groups smaller than this in the evaluated rows make max − min noise; spreads without them are shown too. */
const MIN_GROUP = 100;

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
const FAMILY_NAME: Record<PropensityFamily, string> = { logistic: 'logistic regression', gbm: 'GBM' };

export async function fairnessCommand(opts: { data: string; attribute?: string[]; fraction?: number; family?: PropensityFamily; progress?: (m: string) => void }): Promise<FairnessResult> {
  const family = opts.family ?? 'logistic';
  const say = opts.progress ?? (() => {});
  const started = performance.now();
  const fraction = opts.fraction ?? 0.1;
  const names = opts.attribute?.length ? opts.attribute : Object.keys(FAIRNESS_ATTRIBUTES);
  const unknown = names.filter((a) => !isFairnessAttribute(a));
  if (unknown.length) throw new RangeError(`unknown attribute ${unknown.join(', ')} (known: ${Object.keys(FAIRNESS_ATTRIBUTES).join(', ')})`);
  const attributes = names as FairnessAttribute[];

  say('reading Bank Marketing');
  const bank = await loadBank(opts.data);
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

// ---- formatting -------------------------------------------------------------------------

const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '—');
const f4 = (n: number) => (Number.isFinite(n) ? n.toFixed(4) : '—');
const pct = (n: number) => (Number.isFinite(n) ? `${(100 * n).toFixed(1)} %` : '—');
const table = (header: string[], rows: string[][]) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const LABELS: Record<FairnessAttribute, string> = { age_band: 'age band', marital: 'marital status', education: 'education' };

/** max − min over groups with at least MIN_GROUP rows (NaN TPRs left out). */
function spreadsOfLarge(r: FairnessReport): { dp: number; eo: number } {
  const large = r.groups.filter((g) => g.n >= MIN_GROUP);
  const spread = (xs: number[]) => (xs.length ? Math.max(...xs) - Math.min(...xs) : Number.NaN);
  return { dp: spread(large.map((g) => g.selectionRate)), eo: spread(large.map((g) => g.truePositiveRate).filter((t) => !Number.isNaN(t))) };
}

/** One summary table per protocol: a column per variant, rows for AUC, selection and each attribute's spreads. */
function summary(p: ProtocolResult, attributes: FairnessAttribute[], fraction: number, family: PropensityFamily): string {
  const byAttr = (e: FairnessEvaluation, a: FairnessAttribute) => e.audit.attributes.find((x) => x.attribute === a)!;
  const columns: { name: string; auc: number; quality: FairnessAudit['quality']; reports: Record<string, FairnessReport> }[] = [
    { name: `${FAMILY_NAME[family]}, top ${pct(fraction)}`, auc: p.all.auc, quality: p.all.audit.quality, reports: Object.fromEntries(p.all.audit.attributes.map((a) => [a.attribute, a.before])) },
    ...attributes.map((a) => {
      const m = byAttr(p.all, a);
      return { name: `${a === 'age_band' ? '(a) ' : ''}thresholds by ${LABELS[a]}`, auc: p.all.auc, quality: m.quality, reports: m.afterByAttribute };
    }),
    { name: `(b) ${FAMILY_NAME[family]} without age, top ${pct(fraction)}`, auc: p.withoutAge.auc, quality: p.withoutAge.audit.quality, reports: Object.fromEntries(p.withoutAge.audit.attributes.map((a) => [a.attribute, a.before])) },
  ];
  const rows: string[][] = [
    ['ROC AUC', ...columns.map((c) => f4(c.auc))],
    ['selected', ...columns.map((c) => `${c.quality.selected} (${pct(c.quality.selectionRate)})`)],
    ['precision', ...columns.map((c) => f3(c.quality.precision))],
    ['recall', ...columns.map((c) => f3(c.quality.recall))],
  ];
  for (const a of attributes) {
    rows.push([`${LABELS[a]}: DP difference`, ...columns.map((c) => f3(c.reports[a].demographicParityDifference))]);
    rows.push([`${LABELS[a]}: EO difference`, ...columns.map((c) => f3(c.reports[a].equalOpportunityDifference))]);
    if (columns[0].reports[a].groups.some((g) => g.n < MIN_GROUP)) {
      rows.push([`${LABELS[a]}: DP, groups ≥ ${MIN_GROUP} rows`, ...columns.map((c) => f3(spreadsOfLarge(c.reports[a]).dp))]);
      rows.push([`${LABELS[a]}: EO, groups ≥ ${MIN_GROUP} rows`, ...columns.map((c) => f3(spreadsOfLarge(c.reports[a]).eo))]);
    }
  }
  return table(['', ...columns.map((c) => c.name)], rows);
}

/** Per group of one attribute: counts, then selection rate and TPR for each variant. */
function perGroup(p: ProtocolResult, a: FairnessAttribute): string {
  const all = p.all.audit.attributes.find((x) => x.attribute === a)!;
  const noAge = p.withoutAge.audit.attributes.find((x) => x.attribute === a)!;
  const rows = all.before.groups.map((g, i) => {
    const after = all.after.groups[i];
    const b = noAge.before.groups[i];
    const threshold = all.thresholds.get(g.group);
    return [
      g.n < MIN_GROUP ? `${g.group} (small)` : g.group,
      String(g.n),
      String(g.positives),
      pct(g.selectionRate),
      f3(g.truePositiveRate),
      threshold === undefined ? '(global)' : threshold === Number.POSITIVE_INFINITY ? 'none selected' : f3(sigmoid(threshold)),
      pct(after.selectionRate),
      f3(after.truePositiveRate),
      pct(b.selectionRate),
      f3(b.truePositiveRate),
    ];
  });
  rows.push(['DP / EO difference', '', '', f3(all.before.demographicParityDifference), f3(all.before.equalOpportunityDifference), '', f3(all.after.demographicParityDifference), f3(all.after.equalOpportunityDifference), f3(noAge.before.demographicParityDifference), f3(noAge.before.equalOpportunityDifference)]);
  return table(['group', 'n', 'subscribed', 'selected', 'TPR', 'group threshold (p)', '(a) selected', '(a) TPR', '(b) selected', '(b) TPR'], rows);
}

export function formatFairness(r: FairnessResult): string {
  const top = pct(r.fraction);
  const protocolText = (p: ProtocolResult, title: string) =>
    [
      `### ${title}`,
      '',
      `${p.rows} rows, ${p.positives} subscribed (${pct(p.positives / p.rows)}). Global threshold p ≥ ${f3(sigmoid(p.all.audit.threshold))} (all features), p ≥ ${f3(sigmoid(p.withoutAge.audit.threshold))} (without age).${p.all.aucFolds ? ` ROC AUC per fold: ${p.all.aucFolds.map(f4).join(', ')} (all features); ${p.withoutAge.aucFolds!.map(f4).join(', ')} (without age).` : ''}`,
      '',
      summary(p, r.attributes, r.fraction, r.family),
      '',
      ...r.attributes.flatMap((a) => [`By ${LABELS[a]} (selected = selection rate; TPR = share of the group's subscribers selected):`, '', perGroup(p, a), '']),
    ].join('\n');
  return [
    `The campaign contacts the top ${top} by propensity ${r.family === 'gbm' ? 'GBM (PROPENSITY_GBM_OPTIONS' : 'logistic regression (L2 = 1'}, no \`duration\`). Data: ${r.rows} contacts, ${r.positives} subscribed. DP difference = max − min selection rate over groups; EO difference = max − min true-positive rate (Hardt, Price, Srebro 2016). Groups from the raw row, 'unknown' kept as a group; groups under ${MIN_GROUP} rows are marked small and spreads without them are shown as well.`,
    '',
    `Mitigations: (a) one threshold per group, each group's TPR set as close as possible to the overall TPR at the global threshold (equal-opportunity post-processing); thresholds cross-fitted (each fold selected with thresholds fitted on the other folds), shown here as fitted on all rows; the score and its ROC AUC are unchanged, the number selected moves. "thresholds by marital status / education" are the same technique on those attributes. (b) \`age\` dropped as a feature and the model refitted, selection at the global threshold again. ${r.fits} fits, ${r.seconds.toFixed(0)} s.`,
    '',
    protocolText(r.cv, `Stratified ${FOLDS}-fold cross-validation, out-of-fold scores pooled (seed ${CV_SEED}) — main figures`),
    protocolText(r.time, 'Time-ordered split: fit on the first 80 % of rows, evaluate on the last 20 % (group thresholds cross-fitted on two stratified halves)'),
  ].join('\n');
}
