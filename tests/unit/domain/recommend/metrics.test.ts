import { describe, expect, it } from 'vitest';
import { averagePrecisionAtK, catalogCoverage, ndcgAtK, recallAtK } from '../../../../functions/domain/recommend/metrics.ts';

describe('ranking metrics', () => {
  // Relevant {a, b, c}; the list hits at ranks 1 and 3.
  const relevant = new Set(['a', 'b', 'c']);
  const list = ['a', 'x', 'b', 'y'];

  it('recall@k counts hits in the top k over all relevant items', () => {
    // Prepare: as above
    // Act
    const at3 = recallAtK(list, relevant, 3);
    const at1 = recallAtK(list, relevant, 1);
    // Assess: 2 of 3, then 1 of 3
    expect(at3).toBeCloseTo(2 / 3, 12);
    expect(at1).toBeCloseTo(1 / 3, 12);
  });

  it('NDCG@k discounts hits by log2(rank + 1) against the ideal ranking', () => {
    // Prepare: ideal = 3 hits at ranks 1..3
    const ideal = 1 + 1 / Math.log2(3) + 1 / 2;
    // Act
    const ndcg = ndcgAtK(list, relevant, 3);
    // Assess: hits at ranks 1 and 3 → 1 + 1/2
    expect(ndcg).toBeCloseTo(1.5 / ideal, 12);
    expect(ndcgAtK(['a', 'b', 'c'], relevant, 3)).toBeCloseTo(1, 12);
  });

  it('AP@k averages precision at each hit over min(k, |relevant|)', () => {
    // Prepare: k = 2 with 3 relevant → denominator 2
    // Act
    const at3 = averagePrecisionAtK(list, relevant, 3);
    const at2 = averagePrecisionAtK(list, relevant, 2);
    // Assess: (1/1 + 2/3) / 3, and (1/1) / 2
    expect(at3).toBeCloseTo((1 + 2 / 3) / 3, 12);
    expect(at2).toBeCloseTo(1 / 2, 12);
  });

  it('gives 0 when nothing is relevant or nothing is hit', () => {
    // Prepare
    const none = new Set<string>();
    // Act / Assess
    expect(recallAtK(['a'], none, 10)).toBe(0);
    expect(ndcgAtK(['a'], none, 10)).toBe(0);
    expect(averagePrecisionAtK(['a'], none, 10)).toBe(0);
    expect(recallAtK(['x', 'y'], relevant, 10)).toBe(0);
  });

  it('catalog coverage counts distinct items in the top k of every list', () => {
    // Prepare: top-2 lists show a, b, c; d is only at rank 3
    const lists = [['a', 'b', 'd'], ['b', 'c']];
    // Act
    const coverage = catalogCoverage(lists, 10, 2);
    // Assess
    expect(coverage).toBeCloseTo(3 / 10, 12);
  });
});
