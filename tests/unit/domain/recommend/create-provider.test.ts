import { describe, expect, it } from 'vitest';
import { createProvider, eraseUser, parseRecommenderModel, serializeRecommenderModel, trainRecommender } from '../../../../functions/domain/recommend/recommender.ts';
import { TOY_SHOP } from './toy-shop.ts';

// countryPrior 0: each country's list is its own purchases, so the answers are obvious.
const model = trainRecommender(TOY_SHOP, { method: 'item-item', repeatWeight: 0.5, popularity: { countryPrior: 0, halfLifeDays: null } });
const provider = createProvider(model);

describe('filters', () => {
  it('leaves out what the person bought when excludePurchased', () => {
    // Prepare: u1 bought MUG and TEAPOT
    // Act
    const withBought = provider.recommend('u1', { n: 4 }).map((r) => r.itemId);
    const without = provider.recommend('u1', { n: 4, excludePurchased: true }).map((r) => r.itemId);
    // Assess
    expect(withBought).toEqual(expect.arrayContaining(['MUG', 'TEAPOT']));
    expect(without).not.toContain('MUG');
    expect(without).not.toContain('TEAPOT');
    expect(without).toHaveLength(2); // BAG and PURSE, from popularity
  });

  it('marks repeat purchases as purchased_before when buy-again outweighs similarity', () => {
    // Prepare: u7 bought BAG twice and nothing else
    // Act
    const recs = provider.recommend('u7', { n: 2 });
    // Assess
    expect(recs[0]).toMatchObject({ itemId: 'BAG', reason: 'purchased_before' });
    expect(recs[1]).toMatchObject({ itemId: 'PURSE', reason: 'similar_to_history', because: 'BAG' });
  });

  it('never returns an explicitly excluded item, from any source', () => {
    // Prepare
    const exclude = new Set(['TEAPOT', 'PURSE']);
    // Act
    const known = provider.recommend('u6', { n: 4, exclude }).map((r) => r.itemId);
    const unknown = provider.recommend('stranger', { n: 4, exclude, country: 'France' }).map((r) => r.itemId);
    // Assess
    expect(known).not.toEqual(expect.arrayContaining(['TEAPOT']));
    expect(known).not.toContain('PURSE');
    expect(unknown).toEqual(['BAG', 'MUG']);
  });

  it('returns no repeats and at most n', () => {
    // Prepare / Act
    const recs = provider.recommend('u1', { n: 10 });
    // Assess: the catalog has four items
    expect(new Set(recs.map((r) => r.itemId)).size).toBe(recs.length);
    expect(recs).toHaveLength(4);
    expect(provider.recommend('u1', { n: 0 })).toEqual([]);
  });
});

describe('cold start', () => {
  it('gives an unknown user what is popular in their country, then globally', () => {
    // Prepare: France bought BAG (3 buyers) and PURSE (2); globally MUG leads (4)
    // Act
    const french = provider.recommend('stranger', { n: 3, country: 'France' });
    // Assess
    expect(french.map((r) => [r.itemId, r.reason])).toEqual([
      ['BAG', 'popular_in_country'],
      ['PURSE', 'popular_in_country'],
      ['MUG', 'popular'],
    ]);
  });

  it('falls back to the global list for a country it has never seen, or none', () => {
    // Prepare / Act
    const german = provider.recommend('stranger', { n: 1, country: 'Germany' });
    const nowhere = provider.recommend('stranger', { n: 1 });
    // Assess
    expect(german.map((r) => [r.itemId, r.reason])).toEqual([['MUG', 'popular']]);
    expect(nowhere[0].itemId).toBe('MUG');
  });

  it('uses a known user’s own country for the top-up', () => {
    // Prepare: u7 (France) bought only BAG; PURSE is similar, then the French list is exhausted
    // Act
    const recs = provider.recommend('u7', { n: 3, excludePurchased: true });
    // Assess
    expect(recs.map((r) => r.itemId)).toEqual(['PURSE', 'MUG', 'TEAPOT']);
    expect(recs[1].reason).toBe('popular');
  });
});

describe('artifact', () => {
  it('round-trips through its JSON and serves the same answers', () => {
    // Prepare
    const text = serializeRecommenderModel(model);
    // Act
    const back = parseRecommenderModel(text);
    // Assess
    expect(back).toEqual(model);
    expect(createProvider(back).recommend('u6', { n: 3 })).toEqual(provider.recommend('u6', { n: 3 }));
  });

  it('round-trips every method', () => {
    for (const method of ['popularity', 'ease', 'als'] as const) {
      // Prepare
      const m = trainRecommender(TOY_SHOP, { method, ease: { lambda: 1 }, als: { factors: 2, iterations: 2 } });
      // Act
      const back = parseRecommenderModel(serializeRecommenderModel(m));
      // Assess
      expect(back).toEqual(m);
    }
  });

  it('rejects another schema version, inconsistent arrays and non-JSON', () => {
    // Prepare
    const json = JSON.parse(serializeRecommenderModel(model));
    const otherVersion = { ...json, schemaVersion: 2 };
    const shortHistory = { ...json, history: { ...json.history, recency: json.history.recency.slice(1) } };
    const badTarget = { ...json, itemGraph: { ...json.itemGraph, targets: json.itemGraph.targets.map(() => 99) } };
    // Act / Assess
    expect(() => parseRecommenderModel(otherVersion)).toThrow(/schemaVersion/);
    expect(() => parseRecommenderModel(shortHistory)).toThrow(/history arrays/);
    expect(() => parseRecommenderModel(badTarget)).toThrow(/itemGraph points past items/);
    expect(() => parseRecommenderModel('{not json')).toThrow(/not JSON/);
  });
});

describe('erasure', () => {
  it('forgets a person: they become a stranger and the artifact stays valid', () => {
    // Prepare
    const before = provider.recommend('u6', { n: 1, excludePurchased: true });
    // Act
    const erased = eraseUser(model, 'u6');
    const after = createProvider(parseRecommenderModel(serializeRecommenderModel(erased)));
    // Assess
    expect(before[0].reason).toBe('similar_to_history');
    expect(erased.users).not.toContain('u6');
    expect(after.recommend('u6', { n: 1, excludePurchased: true })[0].reason).toBe('popular');
    expect(after.recommend('u7', { n: 2 })).toEqual(provider.recommend('u7', { n: 2 }));
  });
});
