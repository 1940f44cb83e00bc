/**
 * The `recommendations` a campaign's templates iterate (`{{#each recommendations}}{{name}}…`):
 * the existing slot filler (recommend/fill-recommended-slots.ts) asked per person, with the
 * catalog's name, category and price on each item.
 *
 * Consent: personal recommendations need the person's personalisation consent
 * (privacy/consent.ts; unknown is not granted). Without it the slots are filled from
 * popularity in their country alone — the empty id is no one's, as the recommendation API
 * does — and "exclude what they bought" is not applied, because that too reads their history.
 * The model knows people by the app's userId (interaction-log.ts), so the profile's first
 * userId (else its first anonymousId) is who is asked.
 */
import type { Profile } from '../../../schemas/profile.ts';
import { consentHistoryOf, purposeStatus } from '../privacy/consent.ts';
import type { CatalogItem } from '../recommend/catalog.ts';
import { fillRecommendedSlots } from '../recommend/fill-recommended-slots.ts';
import type { RecommendationProvider } from '../recommend/recommendation-provider.ts';

export interface SlotModels {
  /** The personal recommender (the registry's current embedded model, or Personalize). */
  provider: RecommendationProvider;
  /** Fills what the personal one left empty (popularity); default: the provider itself. */
  fallback?: RecommendationProvider;
  catalog?: ReadonlyMap<string, CatalogItem>;
}

export interface SlotItem {
  itemId: string;
  score: number;
  name?: string;
  category?: string;
  price?: number;
}

export async function recommendationsForProfile(profile: Profile, slot: { slots: number; excludePurchased: boolean }, models: SlotModels): Promise<SlotItem[]> {
  const personal = purposeStatus(consentHistoryOf(profile), 'personalisation') === 'granted';
  const country = typeof profile.traits.country === 'string' ? profile.traits.country : undefined;
  const userId = personal ? (profile.identities.userIds[0] ?? profile.identities.anonymousIds[0] ?? '') : '';
  const recs = await fillRecommendedSlots(models.provider, { userId, ...(country ? { country } : {}) }, slot.slots, { excludePurchased: personal && slot.excludePurchased }, models.fallback ?? models.provider);
  return recs.map((r) => {
    const c = models.catalog?.get(r.itemId);
    return { itemId: r.itemId, score: r.score, ...(c ? { name: c.name, ...(c.category ? { category: c.category } : {}), ...(c.price !== undefined ? { price: c.price } : {}) } : {}) };
  });
}
