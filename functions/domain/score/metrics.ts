/**
 * Evaluation metrics for the scoring models: pure functions over parallel arrays of scores
 * and 0/1 labels.
 *
 * Design:
 * - Ties are treated the way a random tie-break would on average, never by array order, so
 *   a coarse score (recency in whole days) is not flattered or punished by how rows happen
 *   to be sorted: ROC AUC counts a tied positive/negative pair as ½ (average ranks), average
 *   precision steps once per distinct score (as scikit-learn does), and lift at a fraction
 *   takes the tied group straddling the cut-off pro rata.
 * - Folds are stratified and seeded: every fold has the base rate of the whole, and a re-run
 *   gives the same folds.
 * - PSI bins by the reference (training) distribution's quantiles; an empty bin is floored
 *   at 1e-4 so the logarithm stays finite (the usual convention).
 * - Fairness figures compare groups by max − min: demographic parity on selection rates,
 *   equal opportunity on true-positive rates (Hardt, Price, Srebro 2016).
 */

import { seededRandom } from '../shared/random.ts';
import { shuffle } from './math.ts';

export type Label = 0 | 1;

function checkLengths(a: ArrayLike<unknown>, b: ArrayLike<unknown>): void {
  if (a.length !== b.length) throw new RangeError(`lengths differ: ${a.length} vs ${b.length}`);
  if (a.length === 0) throw new RangeError('no rows');
}

/** Indices sorted by score, highest first. */
function byScoreDesc(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => scores[j] - scores[i]);
}

/** Area under the ROC curve (Mann–Whitney U with average ranks for ties). NaN if one class is absent. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(scores, labels);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => scores[i] - scores[j]);
  let rankSumPos = 0;
  let pos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        rankSumPos += avgRank;
        pos++;
      }
    }
    i = j + 1;
  }
  const neg = order.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Average precision (area under the precision–recall curve, step-wise per distinct score). */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(scores, labels);
  const order = byScoreDesc(scores);
  const totalPos = Array.from(labels as ArrayLike<number>).filter((l) => l === 1).length;
  if (totalPos === 0) return Number.NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    let groupPos = 0;
    while (j < order.length && scores[order[j]] === scores[order[i]]) {
      groupPos += labels[order[j]] === 1 ? 1 : 0;
      j++;
    }
    tp += groupPos;
    seen += j - i;
    ap += (groupPos / totalPos) * (tp / seen);
    i = j;
  }
  return ap;
}

/** Mean squared difference between predicted probabilities and outcomes. */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkLengths(probabilities, labels);
  let s = 0;
  for (let i = 0; i < probabilities.length; i++) s += (probabilities[i] - labels[i]) ** 2;
  return s / probabilities.length;
}

/**
 * Positive rate among the top `fraction` by score, divided by the overall positive rate
 * (lift at the top decile for 0.1). The tied group at the cut-off counts pro rata.
 */
export function liftAt(scores: ArrayLike<number>, labels: ArrayLike<number>, fraction = 0.1): number {
  checkLengths(scores, labels);
  const n = scores.length;
  const k = Math.max(1, Math.round(n * fraction));
  const order = byScoreDesc(scores);
  let taken = 0;
  let positives = 0;
  for (let i = 0; i < n && taken < k; ) {
    let j = i;
    let groupPos = 0;
    while (j < n && scores[order[j]] === scores[order[i]]) {
      groupPos += labels[order[j]] === 1 ? 1 : 0;
      j++;
    }
    const size = j - i;
    const take = Math.min(size, k - taken);
    positives += (groupPos * take) / size;
    taken += take;
    i = j;
  }
  let totalPos = 0;
  for (let i = 0; i < n; i++) totalPos += labels[i] === 1 ? 1 : 0;
  return positives / k / (totalPos / n);
}

/** Fold number (0 … k−1) of every row, each fold keeping the overall share of each label. */
export function stratifiedKFold(labels: ArrayLike<number>, k: number, seed = 1): number[] {
  if (k < 2) throw new RangeError('k must be at least 2');
  const random = seededRandom(seed);
  const folds = new Array<number>(labels.length);
  for (const cls of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === cls) rows.push(i);
    shuffle(rows, random);
    // Continue the round-robin across classes so fold sizes differ by at most one.
    const offset = cls === 0 ? 0 : rows.length === 0 ? 0 : labels.length - rows.length;
    rows.forEach((row, i) => (folds[row] = (i + offset) % k));
  }
  return folds;
}

/** Bin edges at the reference's quantiles (distinct values only), for PSI. */
export function quantileEdges(reference: ArrayLike<number>, bins = 10): number[] {
  const sorted = Array.from(reference).sort((a, b) => a - b);
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const v = sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / bins))];
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  return edges;
}

/** Share of values per bin; bin i holds edges[i−1] ≤ v < edges[i]. */
export function binShares(values: ArrayLike<number>, edges: number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    let b = 0;
    while (b < edges.length && values[i] >= edges[b]) b++;
    counts[b]++;
  }
  return counts.map((c) => c / values.length);
}

/** PSI = Σ (actual − expected) · ln(actual / expected) over shares; empty shares floored at 1e-4. */
export function psiFromShares(expected: number[], actual: number[]): number {
  if (expected.length !== actual.length) throw new RangeError('share vectors differ in length');
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], 1e-4);
    const a = Math.max(actual[i], 1e-4);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/**
 * Population stability index of `actual` against `reference`, binned at the reference's
 * quantiles. Rule of thumb: < 0.1 stable, 0.1–0.25 watch, > 0.25 shifted.
 */
export function populationStabilityIndex(reference: ArrayLike<number>, actual: ArrayLike<number>, bins = 10): number {
  const edges = quantileEdges(reference, bins);
  return psiFromShares(binShares(reference, edges), binShares(actual, edges));
}

export interface GroupRates {
  group: string;
  n: number;
  positives: number;
  selected: number;
  /** selected / n */
  selectionRate: number;
  /** selected positives / positives; NaN for a group without positives */
  truePositiveRate: number;
}

export interface FairnessReport {
  groups: GroupRates[];
  /** max − min selection rate over the groups */
  demographicParityDifference: number;
  /** max − min true-positive rate over the groups that have positives */
  equalOpportunityDifference: number;
}

/** Selection rate and TPR per group, and their spreads. */
export function fairnessReport(selected: ArrayLike<boolean>, labels: ArrayLike<number>, groups: ArrayLike<string>): FairnessReport {
  checkLengths(selected, labels);
  checkLengths(selected, groups);
  const by = new Map<string, { n: number; positives: number; selected: number; selectedPositives: number }>();
  for (let i = 0; i < selected.length; i++) {
    const g = by.get(groups[i]) ?? { n: 0, positives: 0, selected: 0, selectedPositives: 0 };
    g.n++;
    if (labels[i] === 1) g.positives++;
    if (selected[i]) {
      g.selected++;
      if (labels[i] === 1) g.selectedPositives++;
    }
    by.set(groups[i], g);
  }
  const rates: GroupRates[] = [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, g]) => ({
      group,
      n: g.n,
      positives: g.positives,
      selected: g.selected,
      selectionRate: g.selected / g.n,
      truePositiveRate: g.positives > 0 ? g.selectedPositives / g.positives : Number.NaN,
    }));
  const spread = (xs: number[]) => (xs.length === 0 ? Number.NaN : Math.max(...xs) - Math.min(...xs));
  return {
    groups: rates,
    demographicParityDifference: spread(rates.map((r) => r.selectionRate)),
    equalOpportunityDifference: spread(rates.map((r) => r.truePositiveRate).filter((t) => !Number.isNaN(t))),
  };
}
