/**
 * Fairness of a campaign selection: who is picked when the campaign contacts its top
 * decile by score, compared across groups, and one post-processing mitigation.
 *
 * Design:
 * - Groups are read from the raw row (a Bank Marketing row and the propensity RawFeatures
 *   share the names `age`, `marital`, `education`), not from the model's inputs, so an
 *   attribute is still audited after it is dropped as a feature.
 * - Values are kept as given: 'unknown' is a group of its own (people who did not answer
 *   may be treated differently, and merging them into another group would hide it).
 * - The campaign threshold is the score of the k-th best row, k = round(n · fraction) as in
 *   liftAt. Every row tied with it is selected (row order is no fair tie-break), so a coarse
 *   score can select a few more than k.
 * - Mitigation is equal-opportunity post-processing (Hardt, Price, Srebro 2016): one
 *   threshold per group, chosen so the group's true-positive rate is the closest to the
 *   overall one at the global threshold. Deterministic thresholds only: the paper's random
 *   mix of two thresholds would hit the target exactly, but by picking customers with a coin
 *   flip, which a campaign cannot explain. The score (and its ROC AUC) is unchanged; who is
 *   selected moves, and with it the number selected, which callers should report.
 * - Those thresholds are fitted on outcomes, so measuring them on the same rows flatters
 *   them: with `folds`, each fold's rows are selected with thresholds fitted on the other
 *   folds (cross-fitting).
 */
import { rawNumber, type RawFeatures } from './features.ts';
import { fairnessReport, type FairnessReport } from './metrics.ts';

/** Age band: <25, 25-34, 35-44, 45-54, 55-64, 65+ ('unknown' if the age is not a number). */
export function ageBand(age: number): string {
  if (!Number.isFinite(age)) return 'unknown';
  if (age < 25) return '<25';
  if (age < 35) return '25-34';
  if (age < 45) return '35-44';
  if (age < 55) return '45-54';
  if (age < 65) return '55-64';
  return '65+';
}

const asGiven = (v: RawFeatures[string]): string => {
  const s = v === undefined || v === null ? '' : String(v).trim();
  return s === '' ? 'unknown' : s;
};

/** The audited attributes, each a group function of a raw row. */
export const FAIRNESS_ATTRIBUTES = {
  age_band: (r: RawFeatures) => ageBand(rawNumber(r.age)),
  marital: (r: RawFeatures) => asGiven(r.marital),
  education: (r: RawFeatures) => asGiven(r.education),
} satisfies Record<string, (r: RawFeatures) => string>;

export type FairnessAttribute = keyof typeof FAIRNESS_ATTRIBUTES;

export const isFairnessAttribute = (name: string): name is FairnessAttribute => Object.hasOwn(FAIRNESS_ATTRIBUTES, name);

/** The score at which the top `fraction` of rows is selected (score ≥ threshold). */
export function campaignThreshold(scores: ArrayLike<number>, fraction = 0.1): number {
  if (scores.length === 0) throw new RangeError('no scores');
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`fraction must be in (0, 1]: ${fraction}`);
  const desc = Float64Array.from(scores).sort().reverse();
  return desc[Math.max(1, Math.round(desc.length * fraction)) - 1];
}

export const selectAbove = (scores: ArrayLike<number>, threshold: number): boolean[] => Array.from(scores, (s) => s >= threshold);

/**
 * One threshold per group, the one whose true-positive rate in the group is the closest to
 * `targetTpr` (on a tie, the higher threshold: fewer contacts). Candidates are the group's
 * positive scores, highest precision for their TPR, and +∞ (TPR 0). Groups without positives
 * have no TPR to match and are left out: applyGroupThresholds gives them its fallback.
 */
export function groupAwareThresholds(scores: ArrayLike<number>, labels: ArrayLike<number>, groups: ArrayLike<string>, targetTpr: number): Map<string, number> {
  const positives = new Map<string, number[]>();
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    const list = positives.get(groups[i]) ?? positives.set(groups[i], []).get(groups[i])!;
    list.push(scores[i]);
  }
  const thresholds = new Map<string, number>();
  for (const [group, s] of positives) {
    s.sort((a, b) => b - a);
    let best = Number.POSITIVE_INFINITY;
    let bestGap = Math.abs(targetTpr);
    for (let i = 0; i < s.length; i++) {
      // A threshold at a tied score selects the whole tie: only its last member is a candidate.
      if (i + 1 < s.length && s[i + 1] === s[i]) continue;
      const gap = Math.abs((i + 1) / s.length - targetTpr);
      if (gap < bestGap) [best, bestGap] = [s[i], gap];
    }
    thresholds.set(group, best);
  }
  return thresholds;
}

/** Selected = score ≥ its group's threshold (`fallback` for a group without one). */
export function applyGroupThresholds(scores: ArrayLike<number>, groups: ArrayLike<string>, thresholds: Map<string, number>, fallback: number): boolean[] {
  return Array.from(scores, (s, i) => s >= (thresholds.get(groups[i]) ?? fallback));
}

export interface SelectionQuality {
  selected: number;
  selectionRate: number;
  /** selected positives / selected */
  precision: number;
  /** selected positives / positives (the overall TPR) */
  recall: number;
}

export function selectionQuality(selected: ArrayLike<boolean>, labels: ArrayLike<number>): SelectionQuality {
  let picked = 0;
  let positives = 0;
  let hits = 0;
  for (let i = 0; i < selected.length; i++) {
    if (selected[i]) picked++;
    if (labels[i] === 1) positives++;
    if (selected[i] && labels[i] === 1) hits++;
  }
  return { selected: picked, selectionRate: picked / selected.length, precision: hits / picked, recall: hits / positives };
}

const pick = <T>(values: ArrayLike<T>, rows: number[]): T[] => rows.map((i) => values[i]);

/** Global threshold, the overall TPR it reaches, and the group thresholds matching that TPR. */
function fitThresholds(scores: ArrayLike<number>, labels: ArrayLike<number>, groups: ArrayLike<string>, fraction: number) {
  const threshold = campaignThreshold(scores, fraction);
  const target = selectionQuality(selectAbove(scores, threshold), labels).recall;
  return { threshold, thresholds: groupAwareThresholds(scores, labels, groups, target) };
}

/**
 * Equal-opportunity selection by `groups`. Without folds, thresholds are fitted and applied
 * on all rows; with folds, each fold is selected by thresholds fitted on the others.
 * `thresholds` are always the all-rows fit (what a deployment would use).
 */
export function equalOpportunitySelection(scores: ArrayLike<number>, labels: ArrayLike<number>, groups: ArrayLike<string>, options: { fraction?: number; folds?: ArrayLike<number> } = {}): { thresholds: Map<string, number>; selected: boolean[] } {
  const fraction = options.fraction ?? 0.1;
  const all = fitThresholds(scores, labels, groups, fraction);
  if (!options.folds) return { thresholds: all.thresholds, selected: applyGroupThresholds(scores, groups, all.thresholds, all.threshold) };
  const folds = options.folds;
  const selected = new Array<boolean>(scores.length);
  for (const fold of new Set(Array.from(folds))) {
    const fit: number[] = [];
    const held: number[] = [];
    for (let i = 0; i < scores.length; i++) (folds[i] === fold ? held : fit).push(i);
    const t = fitThresholds(pick(scores, fit), pick(labels, fit), pick(groups, fit), fraction);
    for (const i of held) selected[i] = scores[i] >= (t.thresholds.get(groups[i]) ?? t.threshold);
  }
  return { thresholds: all.thresholds, selected };
}

export interface AttributeAudit {
  attribute: string;
  /** at the global campaign threshold */
  before: FairnessReport;
  /** with group-aware thresholds by this attribute */
  after: FairnessReport;
  /** the per-group thresholds, fitted on all rows */
  thresholds: Map<string, number>;
  /** the mitigated selection's size, precision and recall */
  quality: SelectionQuality;
  /** every audited attribute's report under this attribute's thresholds (side effects) */
  afterByAttribute: Record<string, FairnessReport>;
}

export interface FairnessAudit {
  /** the global campaign threshold */
  threshold: number;
  quality: SelectionQuality;
  attributes: AttributeAudit[];
}

/** Fairness at the campaign threshold, and after group-aware thresholds, for each attribute. */
export function fairnessAudit(scores: ArrayLike<number>, labels: ArrayLike<number>, groupings: Record<string, ArrayLike<string>>, options: { fraction?: number; folds?: ArrayLike<number> } = {}): FairnessAudit {
  const threshold = campaignThreshold(scores, options.fraction ?? 0.1);
  const selected = selectAbove(scores, threshold);
  const reportsFor = (s: boolean[]) => Object.fromEntries(Object.entries(groupings).map(([name, groups]) => [name, fairnessReport(s, labels, groups)]));
  const before = reportsFor(selected);
  return {
    threshold,
    quality: selectionQuality(selected, labels),
    attributes: Object.entries(groupings).map(([attribute, groups]) => {
      const mitigated = equalOpportunitySelection(scores, labels, groups, options);
      const afterByAttribute = reportsFor(mitigated.selected);
      return { attribute, before: before[attribute], after: afterByAttribute[attribute], thresholds: mitigated.thresholds, quality: selectionQuality(mitigated.selected, labels), afterByAttribute };
    }),
  };
}
