import { describe, expect, it } from 'vitest';
import { createProvider } from '../../../../functions/domain/recommend/create-provider.ts';
import { trainRecommender } from '../../../../functions/domain/recommend/train-recommender.ts';
import { NoRecommenderError, recommendFor, similarTo, type ServeDeps } from '../../../../functions/domain/recommend/serve-recommendations.ts';
import type { RecommendationProvider } from '../../../../functions/domain/recommend/recommendation-provider.ts';

// Two tastes: mugs-and-tea people and bags people; France buys bags, the UK mugs.
const purchases = [
  ...['u1', 'u2', 'u3'].flatMap((u) => ['mug', 'tea', 'spoon'].map((itemId, i) => ({ userId: u, itemId, timestamp: `2011-0${i + 1}-01T00:00:00Z`, country: 'United Kingdom' }))),
  { userId: 'u4', itemId: 'mug', timestamp: '2011-03-01T00:00:00Z', country: 'United Kingdom' },
  ...['f1', 'f2'].flatMap((u) => ['bag', 'tote'].map((itemId) => ({ userId: u, itemId, timestamp: '2011-02-01T00:00:00Z', country: 'France' }))),
];
const embedded = { provider: createProvider(trainRecommender(purchases, { method: 'item-item', popularity: { countryPrior: 0 } })), version: 'v1' };
const catalog = new Map([['tea', { itemId: 'tea', name: 'Floral teapot', category: 'kitchen', price: 18 }]]);
const q = { n: 2, excludePurchased: true, exclude: [] as string[] };

describe('serving recommendations', () => {
  it('answers from the embedded model, decorated from the catalog, leaving out what the person bought', async () => {
    // Act
    const a = await recommendFor('u4', q, { embedded, catalog });
    // Assess
    expect(a.source).toBe('embedded');
    expect(a.model).toBe('v1');
    expect(a.items.map((r) => r.itemId)).not.toContain('mug');
    expect(a.items.find((r) => r.itemId === 'tea')).toMatchObject({ name: 'Floral teapot', reason: 'similar_to_history', because: 'mug' });
  });

  it('gives an unknown person what is popular in the country of their profile', async () => {
    // Act
    const a = await recommendFor('stranger', { ...q, n: 1 }, { embedded, catalog, personOf: async () => ({ country: 'France' }) });
    // Assess
    expect(a.items[0]).toMatchObject({ reason: 'popular_in_country' });
    expect(['bag', 'tote']).toContain(a.items[0].itemId);
  });

  it('gives a person who declined personalisation only what is popular, never Personalize or their history', async () => {
    // Prepare
    const asked: string[] = [];
    const primary: RecommendationProvider = { recommend: (u) => (asked.push(u), [{ itemId: 'tea', score: 1, reason: 'personalize' }]), similarItems: () => [] };
    // Act
    const a = await recommendFor('u4', { ...q, n: 3 }, { primary, embedded, catalog, personOf: async () => ({ personalisation: false }) });
    // Assess
    expect(asked).toEqual([]);
    expect(a).toMatchObject({ source: 'embedded', personalised: false });
    expect(a.items.every((r) => r.reason === 'popular')).toBe(true);
  });

  it('falls back to the embedded model when the primary fails or has nothing, and says so', async () => {
    // Prepare
    const seen: unknown[] = [];
    const failing: RecommendationProvider = { recommend: async () => Promise.reject(new Error('ThrottlingException')), similarItems: () => [] };
    const deps: ServeDeps = { primary: failing, embedded, catalog, onFallback: (e) => seen.push(e) };
    // Act
    const a = await recommendFor('u4', q, deps);
    const s = await similarTo('mug', { n: 1, exclude: [] }, deps);
    // Assess
    expect(a.source).toBe('embedded');
    expect(seen).toHaveLength(1);
    expect(s.source).toBe('embedded');
  });

  it('uses the primary when it answers', async () => {
    const primary: RecommendationProvider = { recommend: () => [{ itemId: 'tea', score: 1, reason: 'similar_to_history' }], similarItems: () => [] };
    expect(await recommendFor('u4', q, { primary, embedded, catalog })).toMatchObject({ source: 'personalize', items: [{ itemId: 'tea', name: 'Floral teapot' }] });
  });

  it('leaves excluded items out of similar items and still returns n', async () => {
    // Act
    const all = await similarTo('mug', { n: 2, exclude: [] }, { embedded, catalog });
    const some = await similarTo('mug', { n: 1, exclude: [all.items[0].itemId] }, { embedded, catalog });
    // Assess: the second-best fills the place of the excluded best
    expect(all.items).toHaveLength(2);
    expect(some.items.map((r) => r.itemId)).toEqual([all.items[1].itemId]);
  });

  it('says no model is trained when there is none and no primary', async () => {
    await expect(recommendFor('u1', q, { catalog })).rejects.toBeInstanceOf(NoRecommenderError);
  });
});
