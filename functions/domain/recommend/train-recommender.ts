/**
 * trainRecommender: purchases in, a versioned model artifact out. Pure and deterministic
 * (the same purchases and options give the same model), so a training job, the CLI, the
 * local platform and the tests all call this one function.
 *
 * The default method and hyper-parameters were chosen on a validation split of Online Retail
 * (train before 2011-06-09, validate on the next three months), never on the test window:
 * see bench/recommend/eval-recommender.ts and bench/results/recommend.md.
 */
import { trainAls } from './als.ts';
import { trainEase } from './ease.ts';
import { buildInteractionMatrix, round4, toEpochMs, type Interaction } from './interactions.ts';
import { trainItemItem, type ItemGraph } from './item-item.ts';
import { RECOMMENDER_SCHEMA_VERSION, recommenderOptionsSchema, type RecommenderModel, type RecommenderOptions } from './model-schema.ts';
import { trainPopularity } from './popularity.ts';

/**
 * EASE won on validation (Recall@10 on new items 0.0819 against 0.0707 item-item, 0.0709
 * ALS, 0.0402 popularity). Each section holds its method's validated values, so switching
 * `method` keeps tuned settings; `halfLifeDays` and `repeatWeight` are EASE's.
 */
export const DEFAULT_RECOMMENDER_OPTIONS: RecommenderOptions = {
  method: 'ease',
  halfLifeDays: 60,
  repeatWeight: 0.75,
  popularity: { count: 'buyers', halfLifeDays: 14, countryPrior: 1000, listSize: 400 },
  itemItem: { neighbours: 200, maxItemsPerUser: 100 },
  ease: { lambda: 300, topItems: 2500, keepPerItem: 25 },
  als: { factors: 64, lambda: 0.1, alpha: 1, iterations: 10, seed: 1 },
};

export interface TrainRecommenderOptions {
  method?: RecommenderOptions['method'];
  halfLifeDays?: number | null;
  repeatWeight?: number;
  popularity?: Partial<RecommenderOptions['popularity']>;
  itemItem?: Partial<RecommenderOptions['itemItem']>;
  ease?: Partial<RecommenderOptions['ease']>;
  als?: Partial<RecommenderOptions['als']>;
  /** Train on purchases up to this instant and measure recency from it; default: the latest purchase. */
  asOf?: string | number;
}

export function resolveOptions(o: TrainRecommenderOptions = {}): RecommenderOptions {
  const d = DEFAULT_RECOMMENDER_OPTIONS;
  return recommenderOptionsSchema.parse({
    method: o.method ?? d.method,
    halfLifeDays: o.halfLifeDays === undefined ? d.halfLifeDays : o.halfLifeDays,
    repeatWeight: o.repeatWeight ?? d.repeatWeight,
    popularity: { ...d.popularity, ...o.popularity },
    itemItem: { ...d.itemItem, ...o.itemItem },
    ease: { ...d.ease, ...o.ease },
    als: { ...d.als, ...o.als },
  });
}

export function trainRecommender(interactions: readonly Interaction[], options: TrainRecommenderOptions = {}): RecommenderModel {
  const o = resolveOptions(options);
  const matrix = buildInteractionMatrix(interactions, o.halfLifeDays, options.asOf === undefined ? undefined : toEpochMs(options.asOf));
  const base = {
    schemaVersion: RECOMMENDER_SCHEMA_VERSION,
    trainedUntil: new Date(matrix.asOf).toISOString(),
    options: o,
    users: matrix.users,
    items: matrix.items,
    countries: matrix.countries,
    userCountry: Array.from(matrix.userCountry),
    history: {
      offsets: Array.from(matrix.userOffsets),
      items: Array.from(matrix.userItems),
      recency: Array.from(matrix.recency, round4),
      frequency: Array.from(matrix.frequency, round4),
    },
    popularity: trainPopularity(interactions, matrix, o.popularity),
  } as const;
  switch (o.method) {
    case 'popularity':
      return { ...base, method: 'popularity' };
    case 'item-item':
      return { ...base, method: 'item-item', itemGraph: trainItemItem(matrix, o.itemItem) satisfies ItemGraph };
    case 'ease':
      return { ...base, method: 'ease', itemGraph: trainEase(matrix, o.ease) };
    case 'als':
      return { ...base, method: 'als', itemFactors: Array.from(trainAls(matrix, o.als), round4) };
  }
}
