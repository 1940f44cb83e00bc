import { describe, expect, it } from 'vitest';
import { recommendationsForProfile } from '../../../../functions/domain/campaigns/recommended-slots.ts';
import { newProfile } from '../../../../functions/domain/profiles/profile.ts';
import type { RecommendationProvider, RecommendOptions } from '../../../../functions/domain/recommend/recommendation-provider.ts';
import type { Profile } from '../../../../schemas/profile.ts';

/** Records who was asked with what; answers items named after the user id. */
class Recorder implements RecommendationProvider {
  asked: { userId: string; options: RecommendOptions }[] = [];
  recommend(userId: string, options: RecommendOptions) {
    this.asked.push({ userId, options });
    return Array.from({ length: options.n }, (_, i) => ({ itemId: `${userId || 'popular'}-${i}`, score: 1 - i / 10, reason: 'popular' as const }));
  }
  similarItems() {
    return [];
  }
}

const person = (consent: Record<string, boolean>): Profile => ({
  ...newProfile('p-1', '2026-11-01T00:00:00.000Z'),
  identities: { userIds: ['u-42'], anonymousIds: ['anon-1'], emailHashes: [] },
  traits: { country: 'France' },
  consent,
});

describe('recommendationsForProfile', () => {
  it('asks for the person by their app userId when they granted personalisation, with the catalog on each item', async () => {
    const provider = new Recorder();
    const items = await recommendationsForProfile(person({ personalisation: true }), { slots: 2, excludePurchased: true }, { provider, catalog: new Map([['u-42-0', { itemId: 'u-42-0', name: 'Teapot', price: 12.5 }]]) });
    expect(provider.asked[0].userId).toBe('u-42');
    expect(provider.asked[0].options).toMatchObject({ n: 2, country: 'France', excludePurchased: true });
    expect(items).toEqual([{ itemId: 'u-42-0', score: 1, name: 'Teapot', price: 12.5 }, { itemId: 'u-42-1', score: 0.9 }]);
  });

  it('without a grant (never said, or withdrawn) fills from popularity in their country and reads nothing of their history', async () => {
    for (const consent of [{}, { personalisation: false }] as Record<string, boolean>[]) {
      const provider = new Recorder();
      const items = await recommendationsForProfile(person(consent), { slots: 3, excludePurchased: true }, { provider });
      expect(provider.asked.every((a) => a.userId === '' && a.options.excludePurchased === false && a.options.country === 'France')).toBe(true);
      expect(items.map((i) => i.itemId)).toEqual(['popular-0', 'popular-1', 'popular-2']);
    }
  });
});
