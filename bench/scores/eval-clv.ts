/**
 * Lifetime value on UCI Online Retail: BG/NBD + Gamma-Gamma against the historical average.
 *
 * - Calibration: purchases before 2011-09-09 (UK shop time); holdout: [2011-09-09,
 *   2011-12-10), 92 days to the end of the data. Customers with at least one purchase in
 *   calibration. Purchases are counted per shop day (occasions), as the models count them.
 * - Holdout spend is net of returns made in the holdout, floored at 0 per customer: a
 *   £168k order cancelled the same day (customer 16446, 2011-12-09) is not £168k of value.
 *   Calibration spend per occasion is the gross purchase value (Gamma-Gamma needs m > 0).
 * - Predictions for the 92-day holdout; the 12-month figure is reported but cannot be
 *   checked against this data (it ends 92 days after the cut-off).
 *
 *   npx tsx bench/scores/eval-clv.ts [--file ../shared/datasets/online-retail.csv.gz] [--no-write]
 */
import { parseArgs } from 'node:util';
import type { BgnbdParams } from '../../functions/domain/score/artifact.ts';
import { clvSummary, historicalAverage, predictClv } from '../../functions/domain/score/clv.ts';
import { rocAuc } from '../../functions/domain/score/metrics.ts';
import { trainClv } from '../../functions/domain/score/train.ts';
import { DEFAULT_RETAIL, loadRetail, shopTime } from '../../datasets/scoring-data.ts';
import { f2, f3, machine, table, writeSection } from './report.ts';

const { values } = parseArgs({ options: { file: { type: 'string', default: DEFAULT_RETAIL }, write: { type: 'boolean', default: true } }, allowNegative: true });
const started = performance.now();
const { customers } = await loadRetail(values.file!);
const CUT = shopTime('2011-09-09T00:00');
const END = shopTime('2011-12-10T00:00');
const DAY = 86_400_000;
const HORIZON = (END - CUT) / DAY;

const stats: NonNullable<ReturnType<typeof clvSummary>>[] = [];
const actual: { purchases: number; spend: number }[] = [];
for (const tx of customers.values()) {
  const purchases = tx.filter((t) => t.kind === 'purchase');
  const s = clvSummary(purchases, CUT);
  if (!s) continue;
  stats.push(s);
  const inHoldout = tx.filter((t) => t.at >= CUT && t.at < END);
  const days = new Set(inHoldout.filter((t) => t.kind === 'purchase').map((t) => Math.floor(t.at / DAY)));
  const net = inHoldout.reduce((sum, t) => sum + (t.kind === 'purchase' ? t.amount : -t.amount), 0);
  actual.push({ purchases: days.size, spend: Math.max(0, net) });
}

let t = performance.now();
const model = trainClv({ model: 'lifetime-value', version: 'eval', trainingData: { source: 'uci-online-retail', from: '2010-12-01T00:00:00.000Z', to: new Date(CUT).toISOString(), rows: stats.length } }, stats, HORIZON);
const fitSeconds = (performance.now() - t) / 1000;
const p = model.params as BgnbdParams;
const bg = { r: p.r, alpha: p.alpha, a: p.a, b: p.b };
const gg = { p: p.p, q: p.q, gamma: p.gamma };

t = performance.now();
const predicted = stats.map((s) => predictClv(bg, gg, s, HORIZON));
const predictMicros = ((performance.now() - t) * 1000) / stats.length;
const baseline = stats.map((s) => historicalAverage(s, HORIZON));
const year = stats.map((s) => predictClv(bg, gg, s, 365).value);

const errors = (pred: number[], act: number[]) => {
  let abs = 0;
  let sq = 0;
  pred.forEach((v, i) => {
    abs += Math.abs(v - act[i]);
    sq += (v - act[i]) ** 2;
  });
  return { mae: abs / pred.length, rmse: Math.sqrt(sq / pred.length), total: pred.reduce((a, b) => a + b, 0) };
};
const act = { purchases: actual.map((a) => a.purchases), spend: actual.map((a) => a.spend) };
const rows = [
  { name: 'historical average (x / T × 92 days)', purchases: errors(baseline.map((b) => b.purchases), act.purchases), spend: errors(baseline.map((b) => b.value), act.spend) },
  { name: 'BG/NBD + Gamma-Gamma', purchases: errors(predicted.map((q) => q.purchases), act.purchases), spend: errors(predicted.map((q) => q.value), act.spend) },
  // Which half loses on spend? Each half swapped for the baseline's (tried 2026-11-30).
  { name: 'variant: BG/NBD purchases × own mean spend per occasion', purchases: errors(predicted.map((q) => q.purchases), act.purchases), spend: errors(stats.map((s, i) => predicted[i].purchases * (s.spend / s.occasions)), act.spend) },
  { name: 'variant: historical rate × Gamma-Gamma spend per purchase', purchases: errors(baseline.map((b) => b.purchases), act.purchases), spend: errors(stats.map((_, i) => baseline[i].purchases * predicted[i].spendPerPurchase), act.spend) },
];
// Ranking, which is what a campaign uses: who buys at all, and how much of the holdout
// spend the top 10 % by predicted value hold (ties at the cut-off taken pro rata).
const bought = act.purchases.map((v) => (v > 0 ? 1 : 0));
const topShare = (score: number[]) => {
  const order = score.map((v, i) => i).sort((i, j) => score[j] - score[i]);
  const k = Math.round(order.length * 0.1);
  const cutValue = score[order[k - 1]];
  let spend = 0;
  let taken = 0;
  const tied = order.filter((i) => score[i] === cutValue);
  for (const i of order) {
    if (score[i] > cutValue) {
      spend += act.spend[i];
      taken++;
    }
  }
  const tiedSpend = tied.reduce((sum, i) => sum + act.spend[i], 0);
  spend += (tiedSpend * (k - taken)) / tied.length;
  return spend / act.spend.reduce((a, b) => a + b, 0);
};
const ranking = [
  ['historical average (x / T × 92 days)', rocAuc(baseline.map((b) => b.purchases), bought), topShare(baseline.map((b) => b.value))],
  ['BG/NBD + Gamma-Gamma', rocAuc(predicted.map((q) => q.purchases), bought), topShare(predicted.map((q) => q.value))],
] as const;
const repeaters = stats.filter((s) => s.x > 0);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pearson = (a: number[], b: number[]) => {
  const ma = mean(a);
  const mb = mean(b);
  let num = 0;
  let da = 0;
  let db = 0;
  a.forEach((v, i) => {
    num += (v - ma) * (b[i] - mb);
    da += (v - ma) ** 2;
    db += (b[i] - mb) ** 2;
  });
  return num / Math.sqrt(da * db);
};
const text = `## Lifetime value (Online Retail: BG/NBD + Gamma-Gamma)

Command: \`npx tsx bench/scores/eval-clv.ts --file ${values.file}\`
Machine: ${machine()}
Data: calibration before 2011-09-09, holdout 2011-09-09 → 2011-12-09 (${HORIZON} days); ${stats.length} customers with a calibration purchase, ${repeaters.length} of them with repeat purchases; purchases counted per shop day. Wall time ${((performance.now() - started) / 1000).toFixed(0)} s.

Fitted (days): BG/NBD r = ${f3(p.r)}, α = ${f2(p.alpha)}, a = ${f3(p.a)}, b = ${f3(p.b)} (log-likelihood ${f2(model.metrics.bgnbd_log_likelihood)}); Gamma-Gamma p = ${f3(p.p)}, q = ${f3(p.q)}, γ = ${f2(p.gamma)} (log-likelihood ${f2(model.metrics.gamma_gamma_log_likelihood)}). ${p.a / (p.a + p.b) < 1e-6 ? 'The dropout part went to its boundary (a → 0, b large: mean dropout probability per purchase ' + (p.a / (p.a + p.b)).toExponential(1) + '): nine months of calibration, most of it left-censored at the data start, show no detectable dropout, so the fit is in effect an NBD model (P(alive) ≈ 1). ' : ''}Fit ${fitSeconds.toFixed(1)} s (Nelder–Mead); prediction ${predictMicros.toFixed(1)} µs per customer. Gamma-Gamma assumes spend independent of frequency: Pearson r(x, mean repeat spend) = ${f3(pearson(repeaters.map((s) => s.x), repeaters.map((s) => s.m)))} among repeat customers.

Per-customer error over the ${HORIZON}-day holdout (spend in £, net of holdout returns):

${table(
  ['model', 'purchases MAE', 'purchases RMSE', 'purchases total (actual ' + act.purchases.reduce((a, b) => a + b, 0) + ')', 'spend MAE', 'spend RMSE', 'spend total (actual ' + Math.round(act.spend.reduce((a, b) => a + b, 0)) + ')'],
  rows.map((r) => [r.name, f3(r.purchases.mae), f3(r.purchases.rmse), Math.round(r.purchases.total), f2(r.spend.mae), f2(r.spend.rmse), Math.round(r.spend.total)]),
)}

Ranking (${bought.filter((b) => b === 1).length} of ${bought.length} customers bought in the holdout):

${table(['model', 'ROC AUC: any holdout purchase, by predicted purchases', 'share of holdout spend in the top 10 % by predicted value'], ranking.map(([name, auc, share]) => [name, f3(auc), `${(100 * share).toFixed(1)} %`]))}

Reading: BG/NBD ranks buyers better (AUC) and has the lower purchases RMSE, but neither its purchases nor its spend beat the historical average on MAE, and spend loses on RMSE too; the variants locate the loss: mostly in the purchases half (the historical rate × Gamma-Gamma spend comes within a few pounds of the baseline on MAE), a little in the spend half. Both under-predict the holdout total by a quarter: it is the Christmas quarter and nine months of history hold no previous one. The target "beat the historical average" is **not met**.

12-month expected spend (not checkable here): mean £${f2(mean(year))} per customer, total £${Math.round(year.reduce((a, b) => a + b, 0))}.`;
console.log(`\n${text}`);
if (values.write) writeSection('clv', text);
