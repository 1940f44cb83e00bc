import { describe, expect, it } from 'vitest';
import { averagePrecisionAtK, ndcgAtK, recallAtK } from '../../../../functions/domain/recommend/metrics.ts';
import { fillRecommendedSlots, itemItemProvider, popularityProvider, trainRecommender, type Interaction } from '../../../../functions/domain/recommend/recommender.ts';

const day = (d: number) => Date.UTC(2011, 0, 1) + d * 86_400_000;

describe('ranking metrics', () => {
  const rel = new Set(['a', 'b', 'c']);
  it('match hand-computed values', () => {
    // hits at ranks 1 and 3 of ['a','x','b']
    expect(recallAtK(['a', 'x', 'b'], rel, 3)).toBeCloseTo(2 / 3);
    expect(ndcgAtK(['a', 'x', 'b'], rel, 3)).toBeCloseTo((1 + 1 / 2) / (1 + 1 / Math.log2(3) + 1 / 2));
    expect(averagePrecisionAtK(['a', 'x', 'b'], rel, 3)).toBeCloseTo((1 + 2 / 3) / 3);
    expect(recallAtK(['x'], new Set(), 10)).toBe(0);
  });
});

describe('item-item recommender', () => {
  // Mugs go with teapots, bags with purses; the mug-buyer without a teapot should get one.
  const data: Interaction[] = [
    ...['u1', 'u2', 'u3'].flatMap((u) => [{ userId: u, itemId: 'mug', at: day(1), country: 'UK' }, { userId: u, itemId: 'teapot', at: day(2), country: 'UK' }]),
    ...['u4', 'u5'].flatMap((u) => [{ userId: u, itemId: 'bag', at: day(3), country: 'FR' }, { userId: u, itemId: 'purse', at: day(4), country: 'FR' }]),
    { userId: 'u6', itemId: 'mug', at: day(5), country: 'UK' },
    { userId: 'u7', itemId: 'bag', at: day(5), country: 'FR' },
    { userId: 'u7', itemId: 'bag', at: day(6), country: 'FR' },
  ];
  const model = trainRecommender(data, { neighbours: 5, halfLifeDays: 30, popular: 10 });
  const provider = itemItemProvider(model);

  it('recommends what co-occurs with the person’s history, excluding what they bought', () => {
    const recs = provider.recommend('u6', { n: 1, excludePurchased: true });
    expect(recs).toEqual([{ itemId: 'teapot', score: expect.any(Number), reason: 'similar_to_history' }]);
    expect(provider.similarItems('bag', 1)[0].itemId).toBe('purse');
  });

  it('falls back to what is popular in the person’s country for unknown users and short histories', () => {
    expect(provider.recommend('stranger', { n: 2, country: 'FR' }).map((r) => [r.itemId, r.reason])).toEqual([
      ['bag', 'popular_in_country'],
      ['purse', 'popular_in_country'],
    ]);
    const slots = fillRecommendedSlots(provider, { userId: 'u6', country: 'UK' }, 3);
    expect(slots.map((r) => r.itemId)).not.toContain('mug');
    expect(slots).toHaveLength(3);
    expect(slots[0].itemId).toBe('teapot');
  });

  it('popularity ranks by recency-weighted purchases', () => {
    expect(popularityProvider(model).recommend('x', { n: 1 })[0].itemId).toBe('bag');
  });

  it('round-trips as JSON', () => {
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });
});
