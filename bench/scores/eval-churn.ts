/**
 * Churn risk on UCI Online Retail, time-ordered: P(no purchase in the next 3 months).
 *
 * - Train snapshot: features from purchases before 2011-06-09 (UK shop time), label = no
 *   purchase in [2011-06-09, 2011-09-09). Test snapshot: features before 2011-09-09, label
 *   = no purchase in [2011-09-09, 2011-12-10) (the data ends on 2011-12-09). Both windows
 *   are 92 days. Only customers with at least one purchase before the cut-off.
 * - Candidates: recency only (the baseline: days since last purchase), logistic regression,
 *   GBM. Settings and the family are chosen by stratified 5-fold CV inside the train
 *   snapshot only; the test snapshot is scored once.
 * - Drift: PSI of every feature and of the chosen model's score between the two snapshots.
 *
 *   npx tsx bench/scores/eval-churn.ts [--file ../shared/datasets/online-retail.csv.gz] [--no-write]
 */
import { parseArgs } from 'node:util';
import type { ModelArtifact } from '../../functions/domain/score/artifact.ts';
import { CHURN_FEATURES, churnFeatures, churnLabel } from '../../functions/domain/score/churn.ts';
import { numericValue, type RawFeatures } from '../../functions/domain/score/features.ts';
import type { GbmOptions } from '../../functions/domain/score/gbm.ts';
import { sigmoid } from '../../functions/domain/score/math.ts';
import { averagePrecision, brierScore, liftAt, populationStabilityIndex, rocAuc, stratifiedKFold } from '../../functions/domain/score/metrics.ts';
import { predict } from '../../functions/domain/score/score.ts';
import { recencyBaseline, trainGbm, trainLogistic, type ArtifactMeta } from '../../functions/domain/score/train.ts';
import { DEFAULT_RETAIL, loadRetail, shopTime } from '../../datasets/scoring-data.ts';
import { f2, f3, f4, machine, table, writeSection } from './report.ts';

const { values } = parseArgs({ options: { file: { type: 'string', default: DEFAULT_RETAIL }, write: { type: 'boolean', default: true } }, allowNegative: true });
const started = performance.now();
const { customers, report } = await loadRetail(values.file!);
const HORIZON = 92;
const TRAIN_CUT = shopTime('2011-06-09T00:00');
const TEST_CUT = shopTime('2011-09-09T00:00');

function snapshot(cutOff: number): { ids: string[]; rows: RawFeatures[]; y: number[] } {
  const ids: string[] = [];
  const rows: RawFeatures[] = [];
  const y: number[] = [];
  for (const [id, tx] of customers) {
    const f = churnFeatures(tx, cutOff);
    if (!f) continue;
    ids.push(id);
    rows.push(f);
    y.push(churnLabel(tx, cutOff, HORIZON));
  }
  return { ids, rows, y };
}
const train = snapshot(TRAIN_CUT);
const test = snapshot(TEST_CUT);
const rate = (y: number[]) => y.filter((v) => v === 1).length / y.length;
console.log(`train snapshot ${train.rows.length} customers, churn ${(100 * rate(train.y)).toFixed(1)} %; test ${test.rows.length}, churn ${(100 * rate(test.y)).toFixed(1)} %`);

const meta = (cut: number, n: number): ArtifactMeta => ({ model: 'churn-risk', version: 'eval', trainingData: { source: 'uci-online-retail', from: '2010-12-01T00:00:00.000Z', to: new Date(cut).toISOString(), rows: n } });
type Candidate = { name: string; probabilistic: boolean; train: (r: RawFeatures[], l: number[]) => ModelArtifact };
const gbmGrid: GbmOptions[] = [
  { trees: 200, maxDepth: 3, learningRate: 0.05, minLeaf: 30 },
  { trees: 300, maxDepth: 2, learningRate: 0.05, minLeaf: 30 },
  { trees: 150, maxDepth: 4, learningRate: 0.05, minLeaf: 50 },
];
const candidates: Candidate[] = [
  { name: 'recency only (baseline)', probabilistic: false, train: (r) => recencyBaseline(meta(TRAIN_CUT, r.length), CHURN_FEATURES, r) },
  { name: 'logistic regression (L2 = 1)', probabilistic: true, train: (r, l) => trainLogistic(meta(TRAIN_CUT, r.length), CHURN_FEATURES, r, l, { l2: 1 }) },
  ...gbmGrid.map((g) => ({ name: `GBM (${g.trees} trees, depth ${g.maxDepth}, lr ${g.learningRate}, min leaf ${g.minLeaf})`, probabilistic: true, train: (r: RawFeatures[], l: number[]) => trainGbm(meta(TRAIN_CUT, r.length), CHURN_FEATURES, r, l, { subsample: 0.8, seed: 5, ...g }) })),
];
const scoreOf = (c: Candidate, m: ModelArtifact, r: RawFeatures) => (c.probabilistic ? sigmoid(predict(m, r)) : predict(m, r));

// 1. Model choice: 5-fold CV inside the train snapshot.
const folds = stratifiedKFold(train.y, 5, 2026);
const cvAuc = candidates.map((c) => {
  const aucs: number[] = [];
  for (let k = 0; k < 5; k++) {
    const tr = train.rows.map((_, i) => i).filter((i) => folds[i] !== k);
    const te = train.rows.map((_, i) => i).filter((i) => folds[i] === k);
    const m = c.train(tr.map((i) => train.rows[i]), tr.map((i) => train.y[i]));
    aucs.push(rocAuc(te.map((i) => scoreOf(c, m, train.rows[i])), te.map((i) => train.y[i])));
  }
  const mean = aucs.reduce((a, b) => a + b) / aucs.length;
  console.log(`CV ${c.name}: ${f4(mean)}`);
  return mean;
});
const chosen = candidates.map((c, i) => ({ c, auc: cvAuc[i] })).filter((x) => x.c.probabilistic).sort((a, b) => b.auc - a.auc)[0].c;

// 2. Test snapshot, scored once per candidate (all shown; the choice was made above).
const results = candidates.map((c) => {
  const t = performance.now();
  const m = c.train(train.rows, train.y);
  const seconds = (performance.now() - t) / 1000;
  const s = test.rows.map((r) => scoreOf(c, m, r));
  return { c, m, s, auc: rocAuc(s, test.y), ap: averagePrecision(s, test.y), brier: c.probabilistic ? brierScore(s, test.y) : Number.NaN, lift: liftAt(s, test.y, 0.1), seconds };
});
const base = results[0];
const best = results.find((r) => r.c === chosen)!;

// 3. Drift between the snapshots: PSI per feature and of the chosen model's score.
const psiRows = CHURN_FEATURES.map((d) => {
  const f = best.m.features.find((x) => x.name === d.name)!;
  const get = (r: RawFeatures) => (f.kind === 'numeric' ? numericValue(f, r) : 0);
  return [d.name, f3(populationStabilityIndex(train.rows.map(get), test.rows.map(get)))];
});
const trainScores = train.rows.map((r) => scoreOf(chosen, best.m, r));
psiRows.push([`score of the chosen model`, f3(populationStabilityIndex(trainScores, best.s))]);

const text = `## Churn risk (Online Retail, time-ordered)

Command: \`npx tsx bench/scores/eval-churn.ts --file ${values.file}\`
Machine: ${machine()}
Data: ${report.lines} lines; kept ${report.kept} purchase lines and ${report.returns} return lines of identified customers (dropped ${report.noCustomer} without CustomerID, ${report.duplicates} exact duplicates, ${report.dropped} adjustments, non-product codes, zero/negative prices or quantities). Churn = no purchase in the next ${HORIZON} days. Wall time ${((performance.now() - started) / 1000).toFixed(0)} s.

| snapshot | features from purchases before | label window | customers | churned |
|---|---|---|---|---|
| train | 2011-06-09 | 2011-06-09 → 2011-09-08 | ${train.rows.length} | ${(100 * rate(train.y)).toFixed(1)} % |
| test | 2011-09-09 | 2011-09-09 → 2011-12-09 (end of data) | ${test.rows.length} | ${(100 * rate(test.y)).toFixed(1)} % |

Model choice by stratified 5-fold CV inside the train snapshot (ROC AUC): ${candidates.map((c, i) => `${c.name} ${f4(cvAuc[i])}`).join('; ')}. Chosen: **${chosen.name}**.

Test snapshot (trained on the whole train snapshot, scored once):

${table(
  ['model', 'ROC AUC', 'PR AUC', 'Brier', 'lift@10 %', 'fit s'],
  results.map((r) => [r.c === chosen ? `**${r.c.name}**` : r.c.name, f4(r.auc), f4(r.ap), r.c.probabilistic ? f4(r.brier) : '— (not a probability)', f2(r.lift), f2(r.seconds)]),
)}

Chosen model vs recency only on the test snapshot: ROC AUC ${f4(best.auc)} vs ${f4(base.auc)} (+${f4(best.auc - base.auc)}), PR AUC ${f4(best.ap)} vs ${f4(base.ap)}, lift@10 % ${f2(best.lift)} vs ${f2(base.lift)}.

Drift between the snapshots (PSI, 10 bins at the train snapshot's deciles; < 0.1 stable, > 0.25 shifted):

${table(['feature', 'PSI'], psiRows)}`;
console.log(`\n${text}`);
if (values.write) writeSection('churn', text);
