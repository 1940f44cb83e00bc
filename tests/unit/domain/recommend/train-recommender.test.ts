import { describe, expect, it } from 'vitest';
import { createProvider, trainRecommender, type Interaction } from '../../../../functions/domain/recommend/recommender.ts';
import { gramOf, solveRow } from '../../../../functions/domain/recommend/als.ts';
import { day, TOY_SHOP } from './toy-shop.ts';

// Three customers bought A and B, a fourth only A; no recency weighting, so every x = 1.
// Gram matrix: g_AA = 4, g_BB = 3, g_AB = 3.
const PAIR: Interaction[] = [
  ...['p1', 'p2', 'p3'].flatMap((u) => [
    { userId: u, itemId: 'A', timestamp: day(1) },
    { userId: u, itemId: 'B', timestamp: day(1) },
  ]),
  { userId: 'p4', itemId: 'A', timestamp: day(1) },
];

describe('item-item cosine', () => {
  it('weighs two items by cosine over their buyers', () => {
    // Prepare: cos(A, B) = 3 / √(4 · 3)
    const model = trainRecommender(PAIR, { method: 'item-item', halfLifeDays: null });
    // Act
    const provider = createProvider(model);
    // Assess (weights are stored to 4 significant digits)
    expect(provider.similarItems('A', 5)).toEqual([{ itemId: 'B', score: 0.866, reason: 'similar_to_item' }]);
    expect(provider.similarItems('B', 5)).toEqual([{ itemId: 'A', score: 0.866, reason: 'similar_to_item' }]);
  });

  it('recommends what the people who bought the same things bought', () => {
    // Prepare
    const provider = createProvider(trainRecommender(TOY_SHOP, { method: 'item-item', repeatWeight: 0 }));
    // Act
    const recs = provider.recommend('u6', { n: 1, excludePurchased: true });
    // Assess
    expect(recs).toEqual([{ itemId: 'TEAPOT', score: expect.any(Number), reason: 'similar_to_history', because: 'MUG' }]);
    expect(provider.similarItems('BAG', 1)[0].itemId).toBe('PURSE');
  });
});

describe('EASE', () => {
  it('matches the closed form on two items: B_ij = g_ij / (g_ii + λ)', () => {
    // Prepare: for 2 × 2, −P_AB / P_BB = g_AB / (g_AA + λ) = 3 / 5 and B_BA = 3 / (3 + 1)
    const model = trainRecommender(PAIR, { method: 'ease', halfLifeDays: null, ease: { lambda: 1 } });
    // Act
    const provider = createProvider(model);
    // Assess
    expect(provider.similarItems('A', 5)).toEqual([{ itemId: 'B', score: 0.6, reason: 'similar_to_item' }]);
    expect(provider.similarItems('B', 5)).toEqual([{ itemId: 'A', score: 0.75, reason: 'similar_to_item' }]);
  });

  it('recommends the obvious complement and nothing from the unrelated pair', () => {
    // Prepare
    const provider = createProvider(trainRecommender(TOY_SHOP, { method: 'ease', repeatWeight: 0, ease: { lambda: 1 } }));
    // Act
    const recs = provider.recommend('u6', { n: 1, excludePurchased: true });
    const bag = provider.similarItems('BAG', 5).map((r) => r.itemId);
    // Assess
    expect(recs[0]).toMatchObject({ itemId: 'TEAPOT', reason: 'similar_to_history', because: 'MUG' });
    expect(bag).toEqual(['PURSE']);
  });

  it('covers only the topItems most-bought items; the rest have no weights', () => {
    // Prepare: one more TEAPOT buyer makes MUG and TEAPOT (4 buyers each) the top two; BAG has 3
    const data = [...TOY_SHOP, { userId: 'u8', itemId: 'TEAPOT', timestamp: day(6), country: 'United Kingdom' }];
    const model = trainRecommender(data, { method: 'ease', ease: { lambda: 1, topItems: 2 } });
    // Act
    const provider = createProvider(model);
    // Assess
    expect(provider.similarItems('MUG', 5).map((r) => r.itemId)).toEqual(['TEAPOT']);
    expect(provider.similarItems('BAG', 5)).toEqual([]);
    expect(provider.recommend('u7', { n: 1, excludePurchased: true })[0].reason).not.toBe('similar_to_history');
  });
});

describe('implicit ALS', () => {
  const options = { method: 'als', repeatWeight: 0, als: { factors: 4, lambda: 0.1, alpha: 10, iterations: 15, seed: 7 } } as const;

  it('solves one row of the weighted least squares by hand (one factor)', () => {
    // Prepare: item factors y = (1, 2); the user bought item 0 with confidence 3, not item 1.
    // (YᵀY + Yᵀ(C − I)Y + λI) x = YᵀCp  →  (5 + 2·1² + 1) x = 3·1  →  x = 3/8
    const y = [1, 2];
    const gram = gramOf(y, 2, 1);
    const out = new Float64Array(1);
    // Act
    solveRow(y, gram, 1, 1, [0], [3], 0, 1, out, 0, new Float64Array(1), new Float64Array(1));
    // Assess
    expect(Array.from(gram)).toEqual([5]);
    expect(out[0]).toBeCloseTo(3 / 8, 12);
  });

  it('ranks the co-bought item first for a one-item history', () => {
    // Prepare
    const provider = createProvider(trainRecommender(TOY_SHOP, options));
    // Act
    const recs = provider.recommend('u6', { n: 1, excludePurchased: true });
    // Assess
    expect(recs[0]).toMatchObject({ itemId: 'TEAPOT', reason: 'similar_to_history' });
    expect(provider.similarItems('BAG', 1)[0].itemId).toBe('PURSE');
  });

  it('is deterministic for a seed', () => {
    // Prepare / Act
    const [a, b] = [trainRecommender(TOY_SHOP, options), trainRecommender(TOY_SHOP, options)];
    // Assess
    expect(a).toEqual(b);
    expect(a.method === 'als' && a.itemFactors.some((v) => v !== 0)).toBe(true);
  });
});

describe('popularity', () => {
  it('weighs recent purchases above old ones with a half-life, and counts them equally without', () => {
    // Prepare: OLD had 3 buyers 100 days before NEW's 2
    const data: Interaction[] = [
      ...['a', 'b', 'c'].map((u) => ({ userId: u, itemId: 'OLD', timestamp: day(0) })),
      ...['d', 'e'].map((u) => ({ userId: u, itemId: 'NEW', timestamp: day(100) })),
    ];
    // Act
    const recent = createProvider(trainRecommender(data, { method: 'popularity', popularity: { halfLifeDays: 10 } }));
    const flat = createProvider(trainRecommender(data, { method: 'popularity', popularity: { halfLifeDays: null } }));
    // Assess
    expect(recent.recommend('nobody', { n: 2 }).map((r) => r.itemId)).toEqual(['NEW', 'OLD']);
    expect(flat.recommend('nobody', { n: 2 }).map((r) => r.itemId)).toEqual(['OLD', 'NEW']);
  });

  it('counts distinct buyers or units as asked', () => {
    // Prepare: one wholesale buyer of 500 BULK, two buyers of one SMALL each
    const data: Interaction[] = [
      { userId: 'w', itemId: 'BULK', timestamp: day(1), quantity: 500 },
      { userId: 'x', itemId: 'SMALL', timestamp: day(1), quantity: 1 },
      { userId: 'y', itemId: 'SMALL', timestamp: day(1), quantity: 1 },
    ];
    // Act
    const top = (count: 'buyers' | 'units') => createProvider(trainRecommender(data, { method: 'popularity', popularity: { count, halfLifeDays: null } })).recommend('nobody', { n: 1 })[0].itemId;
    // Assess
    expect(top('buyers')).toBe('SMALL');
    expect(top('units')).toBe('BULK');
  });
});

describe('training input', () => {
  it('ignores purchases after asOf and measures recency from it', () => {
    // Prepare
    const model = trainRecommender(TOY_SHOP, { method: 'item-item', asOf: day(4) });
    // Act
    const users = model.users;
    // Assess: u6 and u7 bought on days 5 and 6 only
    expect(users).not.toContain('u6');
    expect(users).not.toContain('u7');
    expect(model.trainedUntil).toBe(day(4));
  });

  it('rejects a timestamp that is neither ISO 8601 nor epoch milliseconds', () => {
    // Prepare
    const bad: Interaction[] = [{ userId: 'u', itemId: 'i', timestamp: 'yesterday' }];
    // Act / Assess
    expect(() => trainRecommender(bad)).toThrow(/timestamp/);
  });
});
