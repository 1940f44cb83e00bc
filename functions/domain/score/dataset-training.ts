/**
 * Training protocols on the public datasets (`sightline train propensity|churn|clv --data`):
 * each held-out figure is measured before the final fit on all rows.
 *
 * - propensity: Bank Marketing (bank-additional-full), without `duration`; logistic
 *   regression or the GBM, whichever is better on the last 20 % of rows (they are in date
 *   order) fitted on the first 80 % (propensity-training.ts).
 * - churn: Online Retail; features as of the data's end − 92 days, label = no purchase in the
 *   92 days after; logistic regression (the family the evaluation chose by CV). Held out: a
 *   stratified fifth of the customers.
 * - clv: Online Retail; BG/NBD + Gamma-Gamma on every customer's history up to the data's end,
 *   12-month horizon.
 */
import type { ModelArtifact } from './artifact.ts';
import { CHURN_FEATURES, churnExamples, type CustomerTransaction } from './churn.ts';
import { clvSummary, featuresFromStats } from './clv.ts';
import { withDriftReference } from './drift.ts';
import { rocAuc, stratifiedKFold } from './metrics.ts';
import { propensityFeaturesFromBankRow } from './propensity.ts';
import { trainPropensityModel } from './propensity-training.ts';
import { predict } from './score.ts';
import { trainClv, trainLogistic, type ArtifactMeta } from './train.ts';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

export function trainPropensityFromBank(rows: Record<string, string>[], source: string, say: (m: string) => void): ModelArtifact {
  // The file has no dates (rows are in date order, May 2008 – Nov 2010): the range is the campaign period.
  const meta = { model: 'propensity', version: 'unpublished', trainingData: { source, from: '2008-05-01T00:00:00.000Z', to: '2010-11-30T00:00:00.000Z', rows: rows.length } };
  return trainPropensityModel(rows.map(propensityFeaturesFromBankRow), rows.map((r) => (r.y === 'yes' ? 1 : 0)), meta, say).artifact;
}

export function trainFromRetail(model: 'churn' | 'clv', customers: Map<string, CustomerTransaction[]>, file: string, say: (m: string) => void): ModelArtifact {
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

