/**
 * The port every recommender sits behind: the embedded models here (local platform, and the
 * cold-start fallback in AWS) and, later, an Amazon Personalize adapter in
 * functions/adapters. Synchronous answers would not fit Personalize's HTTP call, so the
 * port allows either; the embedded providers answer synchronously.
 */

export type RecommendationReason =
  /** The person bought it before and buys it again (the "buy again" share of the score). */
  | 'purchased_before'
  /** Bought by the people who bought what this person bought; `because` names the strongest such item. */
  | 'similar_to_history'
  /** Similar to the item asked about (similarItems). */
  | 'similar_to_item'
  | 'popular_in_country'
  | 'popular'
  /** Ranked by the Amazon Personalize campaign (its model gives no per-item reason). */
  | 'personalize';

export interface Recommendation {
  itemId: string;
  /** Higher is better; comparable within one answer only. */
  score: number;
  reason: RecommendationReason;
  /** For similar_to_history: the item of the person's history that contributed most. */
  because?: string;
}

export interface RecommendOptions {
  /** How many to return at most. */
  n: number;
  /** Country for the popularity fallback; defaults to the country of the person's latest purchase. */
  country?: string;
  /** Never recommend these. */
  exclude?: ReadonlySet<string>;
  /** Never recommend what the person bought before (Personalize's "exclude purchased" filter). */
  excludePurchased?: boolean;
}

export interface RecommendationProvider {
  /** At most `n` recommendations, best first, none excluded by the options, no repeats. */
  recommend(userId: string, options: RecommendOptions): Recommendation[] | Promise<Recommendation[]>;
  /** At most `n` items like `itemId` (never itself); empty for an item the model does not know. */
  similarItems(itemId: string, n: number): Recommendation[] | Promise<Recommendation[]>;
}
