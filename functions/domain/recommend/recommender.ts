/**
 * The embedded recommender's public surface (issue 4): import from here.
 *
 * - `RecommendationProvider` — the port (recommendation-provider.ts); Personalize will be
 *   another adapter of it.
 * - `trainRecommender` — purchases → versioned model (train-recommender.ts), one of
 *   popularity, item-item cosine, EASE or implicit ALS; EASE is the default, chosen on a
 *   validation split (bench/results/recommend.md).
 * - `parseRecommenderModel` / `serializeRecommenderModel` — the zod-checked artifact.
 * - `createProvider` — a model behind the port, with the popularity cold-start fallback.
 * - `fillRecommendedSlots` — the campaigns' personalisation hook.
 */
export type { Recommendation, RecommendationProvider, RecommendationReason, RecommendOptions } from './recommendation-provider.ts';
export type { Interaction } from './interactions.ts';
export { DEFAULT_RECOMMENDER_OPTIONS, resolveOptions, trainRecommender, type TrainRecommenderOptions } from './train-recommender.ts';
export {
  InvalidRecommenderModelError,
  parseRecommenderModel,
  RECOMMENDER_SCHEMA_VERSION,
  recommenderModelSchema,
  serializeRecommenderModel,
  type RecommenderMethod,
  type RecommenderModel,
  type RecommenderOptions,
} from './model-schema.ts';
export { createProvider, eraseUser, type EmbeddedRecommendationProvider } from './create-provider.ts';
export { fillRecommendedSlots, type SlotFilters, type SlotPerson } from './fill-recommended-slots.ts';
export { averagePrecisionAtK, catalogCoverage, ndcgAtK, recallAtK } from './metrics.ts';
