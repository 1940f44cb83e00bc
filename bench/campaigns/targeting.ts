/**
 * Targeting by score, measured (issue 12, item 5): what a "top p % by propensity" audience is
 * worth on UCI Bank Marketing, against a random selection of the same size, and what the
 * Score piece's fairness mitigations cost in that gain.
 *
 * Protocol (time-ordered, the Score piece's own; nothing here is fitted anew):
 * - rows are in date order; the model is the one `sightline train propensity` would publish
 *   from the first 80 % (trainPropensityModel: logistic regression and the GBM measured on
 *   the latest fifth of those rows, the better one refitted on all of them), features
 *   without `duration` (propensityFeaturesFromBankRow);
 * - the campaign contacts the top 10 / 20 / 30 % of the last 20 % of rows by score (every
 *   row tied with the cut-off included: fairness.ts campaignThreshold and selectAbove);
 * - response rate = subscribed among those contacted; cumulative gain = share of all the
 *   period's subscribers they hold; a random selection of the same size expects the period's
 *   base rate and a gain equal to its size; conversions per 1,000 contacts = 1,000 × rate;
 * - mitigations (fairness-protocol.ts): (a) equal-opportunity thresholds per group (age band,
 *   marital status, education), cross-fitted on two stratified halves of the scored rows
 *   (equalOpportunitySelection), whose audience size moves and is reported; (b) `age`
 *   dropped as a feature and the same family refitted.
 *
 * Usage: npx tsx bench/campaigns/targeting.ts [--file ../shared/datasets/bank-additional-full.csv.gz] [--write]
 */
import { DEFAULT_BANK, loadBank } from '../../datasets/scoring-data.ts';
import { wilsonInterval } from '../../functions/domain/campaigns/stats.ts';
import { FAIRNESS_ATTRIBUTES, campaignThreshold, equalOpportunitySelection, selectAbove, selectionQuality, type FairnessAttribute, type SelectionQuality } from '../../functions/domain/score/fairness.ts';
import { sigmoid } from '../../functions/domain/score/math.ts';
import { rocAuc, stratifiedKFold } from '../../functions/domain/score/metrics.ts';
import { PROPENSITY_FEATURES, PROPENSITY_GBM_OPTIONS, propensityFeaturesFromBankRow } from '../../functions/domain/score/propensity.ts';
import { trainPropensityModel } from '../../functions/domain/score/propensity-training.ts';
import { predict } from '../../functions/domain/score/score.ts';
import { trainGbm, trainLogistic } from '../../functions/domain/score/train.ts';
import { machine } from '../lib/report.ts';
import { cliArg, publishMeasurement } from './measurement-file.ts';

const arg = cliArg;
const FILE = arg('file', DEFAULT_BANK);
const FRACTIONS = [0.1, 0.2, 0.3];

const t0 = Date.now();
const bank = await loadBank(FILE);
const x = bank.map(propensityFeaturesFromBankRow);
const y = bank.map((r) => (r.y === 'yes' ? 1 : 0));
const cut = Math.floor(x.length * 0.8);
const meta = { model: 'propensity', version: 'targeting-eval', trainingData: { source: 'uci-bank-additional-full', from: '2008-05-01T00:00:00.000Z', to: '2010-11-30T00:00:00.000Z', rows: cut } };
const chosen = trainPropensityModel(x.slice(0, cut), y.slice(0, cut), meta, (m) => console.log(m));
const family = chosen.verdict.startsWith('gbm') ? 'gbm' : 'logistic';
const testX = x.slice(cut);
const testY = y.slice(cut);
const testRows = bank.slice(cut);
const scores = testX.map((r) => sigmoid(predict(chosen.artifact, r)));
const positives = testY.filter((v) => v === 1).length;
const baseRate = positives / testY.length;

// (b) without age, same family.
const withoutAge = PROPENSITY_FEATURES.filter((f) => f.name !== 'age');
const noAgeModel = family === 'gbm' ? trainGbm(meta, withoutAge, x.slice(0, cut), y.slice(0, cut), PROPENSITY_GBM_OPTIONS) : trainLogistic(meta, withoutAge, x.slice(0, cut), y.slice(0, cut), { l2: 1 });
const noAgeScores = testX.map((r) => sigmoid(predict(noAgeModel, r)));
const halves = stratifiedKFold(testY, 2, 7); // the fairness protocol's halves of the time-split test rows

const perThousand = (q: SelectionQuality) => (1000 * q.precision).toFixed(1);
const rate = (q: SelectionQuality) => {
  const w = wilsonInterval({ successes: Math.round(q.precision * q.selected), trials: q.selected });
  return `${(100 * q.precision).toFixed(1)} % (${(100 * w.lower).toFixed(1)}–${(100 * w.upper).toFixed(1)})`;
};
const lines: string[] = [];
lines.push('## Targeting by score: top p % by propensity against random (Bank Marketing, time-ordered)');
lines.push('');
lines.push(`Command: \`npx tsx bench/campaigns/targeting.ts --file ${FILE} --write\``);
lines.push(`Machine: ${machine()} (shared with other sessions); ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
lines.push('');
lines.push(`Model: ${chosen.verdict} — trained on the first 80 % of contacts (${cut.toLocaleString('en-GB')}), as \`sightline train propensity\` would publish it. Scored: the last 20 % (${testY.length.toLocaleString('en-GB')} contacts, ${positives} subscribed: base rate ${(100 * baseRate).toFixed(1)} %, far above the training period's, the economy moved); the model's ROC AUC on them ${rocAuc(scores, testY).toFixed(3)} (without age: ${rocAuc(noAgeScores, testY).toFixed(3)}). Rates with 95 % Wilson intervals.`);
lines.push('');
lines.push('| audience | contacts | response rate | cumulative gain (share of all subscribers) | lift over random | conversions per 1,000 contacts | random selection of the same size: rate, gain, per 1,000 |');
lines.push('|---|---|---|---|---|---|---|');
const plain = new Map<number, SelectionQuality>();
for (const f of FRACTIONS) {
  const q = selectionQuality(selectAbove(scores, campaignThreshold(scores, f)), testY);
  plain.set(f, q);
  lines.push(`| top ${100 * f} % | ${q.selected} | ${rate(q)} | ${(100 * q.recall).toFixed(1)} % | ${(q.precision / baseRate).toFixed(2)} × | ${perThousand(q)} | ${(100 * baseRate).toFixed(1)} %, ${(100 * q.selectionRate).toFixed(1)} %, ${(1000 * baseRate).toFixed(1)} |`);
}
lines.push('');
lines.push('What the fairness mitigations cost (same rows; "cost" = conversions per 1,000 contacts lost against the plain top p %):');
lines.push('');
lines.push('| audience | selection | contacts | response rate | cumulative gain | conversions per 1,000 | cost per 1,000 | gain kept over random (per 1,000) |');
lines.push('|---|---|---|---|---|---|---|---|');
for (const f of FRACTIONS) {
  const base = plain.get(f)!;
  const row = (name: string, q: SelectionQuality) => {
    const cost = 1000 * (base.precision - q.precision);
    const kept = (q.precision - baseRate) / (base.precision - baseRate);
    lines.push(`| top ${100 * f} % | ${name} | ${q.selected} | ${rate(q)} | ${(100 * q.recall).toFixed(1)} % | ${perThousand(q)} | ${cost.toFixed(1)} | ${(100 * kept).toFixed(0)} % |`);
  };
  row('plain score', base);
  for (const a of Object.keys(FAIRNESS_ATTRIBUTES) as FairnessAttribute[]) {
    const groups = testRows.map(FAIRNESS_ATTRIBUTES[a]);
    row(`(a) equal opportunity by ${a}`, selectionQuality(equalOpportunitySelection(scores, testY, groups, { fraction: f, folds: halves }).selected, testY));
  }
  row('(b) model without age', selectionQuality(selectAbove(noAgeScores, campaignThreshold(noAgeScores, f)), testY));
}
lines.push('');
lines.push('A difference between two selections of the same rows smaller than their intervals (about ±3 points of rate at 800–2,500 contacts) is not evidence: read the costs as "within noise" unless they exceed that.');
lines.push('');
lines.push('(a) changes who is selected inside each group, so its audience size moves from the plain top p %: compare rates and conversions per 1,000, not totals. "Gain kept" = (its rate − base rate) / (plain rate − base rate).');
publishMeasurement('targeting', lines);
