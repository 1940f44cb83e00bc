/**
 * The campaigns' personalisation hook: "recommended for you" slots in a message.
 *
 * Asks the personal provider first (Personalize, or the embedded model), then fills any
 * slots it left empty from the fallback's popular items in the person's country, so a
 * message never goes out with an empty slot for want of history. The filters are re-applied
 * to whatever comes back: a slot must never show an excluded item or the same item twice.
 */
import type { Recommendation, RecommendationProvider } from './recommendation-provider.ts';

export interface SlotPerson {
  userId: string;
  country?: string;
}

export interface SlotFilters {
  /** Default true: a campaign rarely wants to advertise what the person already owns. */
  excludePurchased?: boolean;
  exclude?: ReadonlySet<string>;
}

/**
 * @param fallback answers with popularity (e.g. createProvider of a `popularity` model);
 *   defaults to `provider` itself, which suits the embedded providers (they fill from
 *   popularity already) but not one that only knows personal answers.
 */
export async function fillRecommendedSlots(
  provider: RecommendationProvider,
  person: SlotPerson,
  slots: number,
  filters: SlotFilters = {},
  fallback: RecommendationProvider = provider,
): Promise<Recommendation[]> {
  const excludePurchased = filters.excludePurchased ?? true;
  const out: Recommendation[] = [];
  const taken = new Set<string>(filters.exclude);
  const take = (recs: Recommendation[]) => {
    for (const r of recs) {
      if (out.length >= slots) return;
      if (taken.has(r.itemId)) continue;
      taken.add(r.itemId);
      out.push(r);
    }
  };
  if (slots <= 0) return out;
  take(await provider.recommend(person.userId, { n: slots, country: person.country, exclude: filters.exclude, excludePurchased }));
  if (out.length < slots) {
    take(await fallback.recommend(person.userId, { n: slots - out.length, country: person.country, exclude: new Set(taken), excludePurchased }));
  }
  return out;
}
