import { describe, expect, it } from 'vitest';
import { createProvider, fillRecommendedSlots, trainRecommender, type Recommendation, type RecommendationProvider } from '../../../../functions/domain/recommend/recommender.ts';
import { TOY_SHOP } from './toy-shop.ts';

/** A personal provider that knows one item for one person (Personalize with little data). */
class OneItemProvider implements RecommendationProvider {
  calls: unknown[] = [];
  async recommend(userId: string, options: unknown): Promise<Recommendation[]> {
    this.calls.push(options);
    return userId === 'u6' ? [{ itemId: 'TEAPOT', score: 0.9, reason: 'similar_to_history' }] : [];
  }
  async similarItems(): Promise<Recommendation[]> {
    return [];
  }
}

const popularity = createProvider(trainRecommender(TOY_SHOP, { method: 'popularity', popularity: { countryPrior: 0, halfLifeDays: null } }));

describe('fillRecommendedSlots', () => {
  it('fills the slots the personal provider left empty with what is popular in the person’s country', async () => {
    // Prepare
    const personal = new OneItemProvider();
    // Act
    const slots = await fillRecommendedSlots(personal, { userId: 'u6', country: 'France' }, 3, {}, popularity);
    // Assess: TEAPOT first, then France's list; u6's MUG is excluded (excludePurchased by default)
    expect(slots.map((r) => [r.itemId, r.reason])).toEqual([
      ['TEAPOT', 'similar_to_history'],
      ['BAG', 'popular_in_country'],
      ['PURSE', 'popular_in_country'],
    ]);
    expect(personal.calls[0]).toMatchObject({ n: 3, excludePurchased: true, country: 'France' });
  });

  it('never repeats an item or shows an excluded one, whatever the providers return', async () => {
    // Prepare: TEAPOT excluded, but the fake returns it anyway
    const personal = new OneItemProvider();
    // Act
    const slots = await fillRecommendedSlots(personal, { userId: 'u6', country: 'United Kingdom' }, 4, { exclude: new Set(['TEAPOT']), excludePurchased: false }, popularity);
    // Assess
    const ids = slots.map((r) => r.itemId);
    expect(ids).not.toContain('TEAPOT');
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(['MUG', 'BAG', 'PURSE']);
  });

  it('uses the embedded provider’s own fallback when no other is given', async () => {
    // Prepare: an unknown person; the item-item model falls back to popularity itself
    const embedded = createProvider(trainRecommender(TOY_SHOP, { method: 'item-item', popularity: { countryPrior: 0 } }));
    // Act
    const slots = await fillRecommendedSlots(embedded, { userId: 'newcomer', country: 'France' }, 2);
    // Assess
    expect(slots.map((r) => r.itemId)).toEqual(['BAG', 'PURSE']);
  });

  it('returns nothing for zero slots', async () => {
    // Prepare / Act / Assess
    expect(await fillRecommendedSlots(new OneItemProvider(), { userId: 'u6' }, 0, {}, popularity)).toEqual([]);
  });
});
