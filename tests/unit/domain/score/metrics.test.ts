import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  binShares,
  brierScore,
  fairnessReport,
  liftAt,
  populationStabilityIndex,
  psiFromShares,
  quantileEdges,
  rocAuc,
  stratifiedKFold,
} from '../../../../functions/domain/score/metrics.ts';

describe('rocAuc', () => {
  it('counts correctly ordered positive/negative pairs', () => {
    // Prepare: pairs (pos, neg): (0.35, 0.1) ok, (0.35, 0.4) wrong, (0.8, 0.1) ok, (0.8, 0.4) ok → 3/4
    const scores = [0.1, 0.4, 0.35, 0.8];
    const labels = [0, 0, 1, 1];
    // Act
    const auc = rocAuc(scores, labels);
    // Assess
    expect(auc).toBeCloseTo(0.75, 12);
  });

  it('counts a tied positive/negative pair as one half', () => {
    // Prepare: pairs: (0.5 vs 0.5) tie → ½, (0.5 vs 0.2) → 1, (0.9 vs 0.5) → 1, (0.9 vs 0.2) → 1 → 3.5/4
    const scores = [0.5, 0.5, 0.2, 0.9];
    const labels = [1, 0, 0, 1];
    // Act
    const auc = rocAuc(scores, labels);
    // Assess
    expect(auc).toBeCloseTo(0.875, 12);
  });

  it('is NaN when a class is missing, and 0 for a perfectly inverted ranking', () => {
    // Prepare
    const scores = [0.9, 0.8, 0.1];
    // Act
    const missing = rocAuc(scores, [1, 1, 1]);
    const inverted = rocAuc(scores, [0, 0, 1]);
    // Assess
    expect(missing).toBeNaN();
    expect(inverted).toBe(0);
  });
});

describe('averagePrecision', () => {
  it('matches the hand-computed step-wise area', () => {
    // Prepare: ranked 0.8(1) 0.4(0) 0.35(1) 0.1(0): precision at each positive 1/1 and 2/3 → AP = (1 + 2/3) / 2
    const scores = [0.1, 0.4, 0.35, 0.8];
    const labels = [0, 0, 1, 1];
    // Act
    const ap = averagePrecision(scores, labels);
    // Assess
    expect(ap).toBeCloseTo((1 + 2 / 3) / 2, 12);
  });

  it('steps once per tied group', () => {
    // Prepare: both rows share one score, one positive: precision ½ at recall 1
    const scores = [0.5, 0.5];
    const labels = [1, 0];
    // Act
    const ap = averagePrecision(scores, labels);
    // Assess
    expect(ap).toBeCloseTo(0.5, 12);
  });
});

describe('brierScore', () => {
  it('is the mean squared error of the probabilities', () => {
    // Prepare: (0.9−1)² + (0.2−0)² + (0.6−1)² = 0.01 + 0.04 + 0.16 = 0.21 → / 3
    const p = [0.9, 0.2, 0.6];
    const y = [1, 0, 1];
    // Act
    const brier = brierScore(p, y);
    // Assess
    expect(brier).toBeCloseTo(0.07, 12);
  });
});

describe('liftAt', () => {
  it('divides the top fraction’s positive rate by the base rate', () => {
    // Prepare: 10 rows, 2 positives (base 0.2); top 20 % = 2 rows, 1 positive (0.5) → lift 2.5
    const scores = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const labels = [1, 0, 0, 0, 1, 0, 0, 0, 0, 0];
    // Act
    const lift = liftAt(scores, labels, 0.2);
    // Assess
    expect(lift).toBeCloseTo(2.5, 12);
  });

  it('takes a tied group at the cut-off pro rata, whatever the row order', () => {
    // Prepare: top 2 of 4; all four tie, 2 positives → expected 1 positive in the top 2 → rate 0.5 = base → lift 1
    const labels = [1, 1, 0, 0];
    // Act
    const lift = liftAt([1, 1, 1, 1], labels, 0.5);
    // Assess
    expect(lift).toBeCloseTo(1, 12);
  });
});

describe('stratifiedKFold', () => {
  it('puts every row in one fold and spreads each class evenly, reproducibly', () => {
    // Prepare: 20 negatives, 10 positives
    const labels = [...new Array(20).fill(0), ...new Array(10).fill(1)];
    // Act
    const folds = stratifiedKFold(labels, 5, 42);
    const again = stratifiedKFold(labels, 5, 42);
    // Assess
    expect(folds).toEqual(again);
    for (let k = 0; k < 5; k++) {
      const inFold = folds.map((f, i) => (f === k ? i : -1)).filter((i) => i >= 0);
      expect(inFold).toHaveLength(6);
      expect(inFold.filter((i) => labels[i] === 1)).toHaveLength(2);
    }
  });
});

describe('population stability index', () => {
  it('sums (a − e) ln(a / e) over bins', () => {
    // Prepare: shares 0.5/0.5 vs 0.25/0.75
    const expected = [0.5, 0.5];
    const actual = [0.25, 0.75];
    // Act
    const psi = psiFromShares(expected, actual);
    // Assess
    expect(psi).toBeCloseTo(-0.25 * Math.log(0.5) + 0.25 * Math.log(1.5), 12);
  });

  it('is 0 for the same distribution and grows with a shift', () => {
    // Prepare
    const reference = Array.from({ length: 1000 }, (_, i) => i);
    const shifted = reference.map((v) => v + 300);
    // Act
    const same = populationStabilityIndex(reference, reference);
    const moved = populationStabilityIndex(reference, shifted);
    // Assess
    expect(same).toBeCloseTo(0, 12);
    expect(moved).toBeGreaterThan(0.25);
  });

  it('bins at the reference deciles', () => {
    // Prepare
    const reference = Array.from({ length: 100 }, (_, i) => i);
    // Act
    const edges = quantileEdges(reference, 10);
    const shares = binShares(reference, edges);
    // Assess
    expect(edges).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(shares.every((s) => Math.abs(s - 0.1) < 1e-12)).toBe(true);
  });
});

describe('fairnessReport', () => {
  it('computes selection rate and TPR per group and their spreads', () => {
    // Prepare
    //   group a: 4 rows, 2 positives; selected rows 0 (pos) and 2 (neg) → rate 0.5, TPR 0.5
    //   group b: 2 rows, 1 positive;  selected row 4 (pos)            → rate 0.5, TPR 1
    //   group c: 2 rows, no positive; nothing selected                → rate 0,   TPR NaN
    const selected = [true, false, true, false, true, false, false, false];
    const labels = [1, 1, 0, 0, 1, 0, 0, 0];
    const groups = ['a', 'a', 'a', 'a', 'b', 'b', 'c', 'c'];
    // Act
    const report = fairnessReport(selected, labels, groups);
    // Assess
    expect(report.groups.map((g) => [g.group, g.selectionRate])).toEqual([
      ['a', 0.5],
      ['b', 0.5],
      ['c', 0],
    ]);
    expect(report.groups[0].truePositiveRate).toBe(0.5);
    expect(report.groups[1].truePositiveRate).toBe(1);
    expect(report.groups[2].truePositiveRate).toBeNaN();
    expect(report.demographicParityDifference).toBe(0.5);
    expect(report.equalOpportunityDifference).toBe(0.5);
  });
});
