import { describe, expect, it } from 'vitest';
import {
  FAIRNESS_ATTRIBUTES,
  ageBand,
  applyGroupThresholds,
  campaignThreshold,
  equalOpportunitySelection,
  fairnessAudit,
  groupAwareThresholds,
  selectAbove,
  selectionQuality,
} from '../../../../functions/domain/score/fairness.ts';

/**
 * Two groups with the same outcomes, group B scored 0.5 lower than group A: a global top-20 %
 * cut selects A's four positives and none of B's.
 */
const shifted = () => {
  const a = { scores: [0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.35, 0.25, 0.15, 0.12], labels: [1, 1, 1, 1, 0, 0, 0, 0, 0, 0] };
  const scores = [...a.scores, ...a.scores.map((s) => s - 0.5)];
  const labels = [...a.labels, ...a.labels];
  const groups = [...a.scores.map(() => 'A'), ...a.scores.map(() => 'B')];
  return { scores, labels, groups };
};

describe('ageBand', () => {
  it('puts each edge age in the band that starts at it', () => {
    // Prepare
    const ages = [17, 24, 25, 34, 35, 44, 45, 54, 55, 64, 65, 98, 24.9];
    // Act
    const bands = ages.map(ageBand);
    // Assess
    expect(bands).toEqual(['<25', '<25', '25-34', '25-34', '35-44', '35-44', '45-54', '45-54', '55-64', '55-64', '65+', '65+', '<25']);
  });

  it('reads a Bank row as given, keeping unknown as a group', () => {
    // Prepare: Bank Marketing rows are all strings
    const row = { age: '65', marital: 'married', education: 'unknown' };
    const blank = { age: '', marital: ' ', education: undefined };
    // Act
    const groups = Object.values(FAIRNESS_ATTRIBUTES).map((g) => g(row));
    const blanks = Object.values(FAIRNESS_ATTRIBUTES).map((g) => g(blank));
    // Assess
    expect(groups).toEqual(['65+', 'married', 'unknown']);
    expect(blanks).toEqual(['unknown', 'unknown', 'unknown']);
  });
});

describe('campaignThreshold', () => {
  it('selects exactly the top decile when scores are distinct', () => {
    // Prepare: 30 distinct scores, shuffled order
    const scores = Array.from({ length: 30 }, (_, i) => ((i * 7) % 30) / 30);
    // Act
    const threshold = campaignThreshold(scores);
    const selected = selectAbove(scores, threshold).filter(Boolean).length;
    // Assess
    expect(threshold).toBeCloseTo(27 / 30, 12);
    expect(selected).toBe(3);
  });

  it('selects the whole tie at the cut-off, and rejects an empty fraction', () => {
    // Prepare: k = round(10 · 0.2) = 2, but three rows share the second-best score
    const scores = [0.9, 0.5, 0.5, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0];
    // Act
    const threshold = campaignThreshold(scores, 0.2);
    // Assess
    expect(threshold).toBe(0.5);
    expect(selectAbove(scores, threshold).filter(Boolean)).toHaveLength(4);
    expect(() => campaignThreshold(scores, 0)).toThrow(RangeError);
  });
});

describe('groupAwareThresholds', () => {
  it('gives each group the threshold whose TPR is closest to the target', () => {
    // Prepare: target ½ of each group's four positives
    const { scores, labels, groups } = shifted();
    // Act
    const thresholds = groupAwareThresholds(scores, labels, groups, 0.5);
    // Assess
    expect(thresholds.get('A')).toBeCloseTo(0.8, 12);
    expect(thresholds.get('B')).toBeCloseTo(0.3, 12);
  });

  it('takes a tie of positives whole, and leaves out a group without positives', () => {
    // Prepare: G's positives 0.9, 0.7, 0.7, 0.2; target ½ can only be reached as ¼ or ¾
    const scores = [0.9, 0.7, 0.7, 0.2, 0.8];
    const labels = [1, 1, 1, 1, 0];
    const groups = ['G', 'G', 'G', 'G', 'N'];
    // Act
    const thresholds = groupAwareThresholds(scores, labels, groups, 0.5);
    const selected = applyGroupThresholds(scores, groups, thresholds, 0.85);
    // Assess: ¼ and ¾ are equally close, the higher threshold (fewer contacts) wins
    expect(thresholds.get('G')).toBe(0.9);
    expect(thresholds.has('N')).toBe(false);
    expect(selected).toEqual([true, false, false, false, false]);
  });
});

describe('fairnessAudit', () => {
  it('reduces the equal-opportunity difference when one group is scored lower', () => {
    // Prepare
    const { scores, labels, groups } = shifted();
    // Act
    const audit = fairnessAudit(scores, labels, { group: groups }, { fraction: 0.2 });
    // Assess: before, A gets all its positives and B none; after, both get two of four
    const [a] = audit.attributes;
    expect(audit.threshold).toBeCloseTo(0.6, 12);
    expect(a.before.equalOpportunityDifference).toBe(1);
    expect(a.after.equalOpportunityDifference).toBe(0);
    expect(a.after.groups.map((g) => g.selected)).toEqual([2, 2]);
    expect(a.quality).toEqual({ selected: 4, selectionRate: 0.2, precision: 1, recall: 0.5 });
  });

  it('cross-fits: a fold is selected with thresholds fitted on the other folds', () => {
    // Prepare: fold 0 is the shifted fixture; fold 1 the same rows with B's labels moved to its
    // lowest-scored rows, so thresholds fitted on fold 1 select none of fold 0's B positives.
    const base = shifted();
    const movedLabels = [...base.labels.slice(0, 10), 0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
    const scores = [...base.scores, ...base.scores];
    const labels = [...base.labels, ...movedLabels];
    const groups = [...base.groups, ...base.groups];
    const folds = [...base.scores.map(() => 0), ...base.scores.map(() => 1)];
    // Act
    const inSample = equalOpportunitySelection(scores, labels, groups, { fraction: 0.1 });
    const crossFitted = equalOpportunitySelection(scores, labels, groups, { fraction: 0.1, folds });
    // Assess: selection on fold 0's B rows (indices 10–19) differs between the two
    const bInFold0 = (s: boolean[]) => s.slice(10, 20).filter(Boolean).length;
    expect(bInFold0(crossFitted.selected)).toBeGreaterThan(bInFold0(inSample.selected));
    expect(selectionQuality(crossFitted.selected, labels).selected).not.toBe(selectionQuality(inSample.selected, labels).selected);
  });
});
