/**
 * The trained recommender as a stored artifact: versioned, zod-validated, plain JSON.
 *
 * Compact and binary-friendly: ids appear once (`users`, `items`, `countries`) and every
 * other structure is parallel number arrays over their indices (CSR for the per-user
 * histories and the item → item weights), so an adapter may ship them as typed-array
 * buffers instead of JSON without changing the model. Weights are rounded to 4 significant
 * digits at training: the artifact holds exactly what the evaluation measured.
 *
 * The artifact holds personal data (user ids and their purchase histories): erasure must
 * reach it (`eraseUser` in create-provider.ts, or a retrain).
 *
 * Version 1 is the first stored version. A breaking change bumps `schemaVersion` and keeps
 * a reader for the old one.
 */
import { z } from 'zod';
import { parseArtifact } from '../shared/parse-artifact.ts';

export const RECOMMENDER_SCHEMA_VERSION = 1;

const halfLife = z.number().positive().nullable().describe('days; null = no recency weighting');
const count = z.number().int().positive();

export const recommenderMethodSchema = z.enum(['popularity', 'item-item', 'ease', 'als']);
export type RecommenderMethod = z.infer<typeof recommenderMethodSchema>;

export const recommenderOptionsSchema = z.object({
  method: recommenderMethodSchema,
  /** Recency half-life of a purchase in the personal models (item-item, EASE, ALS). */
  halfLifeDays: halfLife,
  /**
   * Weight of "buy again" (the person's own recency-weighted purchase frequency) against the
   * collaborative score, both scaled to [0, 1] per request. 0 = only items like theirs.
   * Irrelevant when purchased items are excluded.
   */
  repeatWeight: z.number().min(0).max(1),
  popularity: z.object({
    /** What counts: distinct buyers, purchase lines, or units (quantity). */
    count: z.enum(['buyers', 'purchases', 'units']),
    halfLifeDays: halfLife,
    /**
     * Shrinks a country's list towards the global one, as if the country had this much
     * extra weight distributed like the global shares: small countries are noisy.
     */
    countryPrior: z.number().min(0),
    /** Items kept in the global list; per-country lists keep a quarter of it. */
    listSize: count,
  }),
  itemItem: z.object({
    /** Most similar items kept per item. */
    neighbours: count,
    /** A wholesale buyer's thousands of items would dominate co-occurrence (and cost O(n²)): keep their most recent ones. */
    maxItemsPerUser: count,
  }),
  ease: z.object({
    /** L2 regularisation of the item-item weight matrix (Steck 2019). */
    lambda: z.number().positive(),
    /** The most-bought items the dense K × K inverse covers; memory 8·K² bytes twice. */
    topItems: count,
    /** Largest weights kept per item after training; the rest are dropped from the artifact. */
    keepPerItem: count,
  }),
  als: z.object({
    factors: count,
    lambda: z.number().positive(),
    /** Confidence 1 + alpha · frequency (Hu, Koren, Volinsky 2008). */
    alpha: z.number().positive(),
    iterations: count,
    seed: z.number().int(),
  }),
});
export type RecommenderOptions = z.infer<typeof recommenderOptionsSchema>;

const indexList = z.array(z.number().int().min(0));
const numberList = z.array(z.number());

const rankedListSchema = z.object({ items: indexList, scores: numberList });
export type RankedList = z.infer<typeof rankedListSchema>;

/** CSR: row r's entries are at offsets[r] .. offsets[r+1]-1 of the parallel arrays. */
const historySchema = z.object({ offsets: indexList, items: indexList, recency: numberList, frequency: numberList });
const itemGraphSchema = z.object({ offsets: indexList, targets: indexList, weights: numberList });

const modelBase = z.object({
  schemaVersion: z.literal(RECOMMENDER_SCHEMA_VERSION),
  /** Purchases up to this instant (ISO 8601) were the training data; recency is measured from it. */
  trainedUntil: z.iso.datetime(),
  options: recommenderOptionsSchema,
  users: z.array(z.string()),
  items: z.array(z.string()),
  countries: z.array(z.string()),
  /** Index into `countries` of each user's latest purchase; -1 if unknown. */
  userCountry: z.array(z.number().int().min(-1)),
  history: historySchema,
  popularity: z.object({ global: rankedListSchema, byCountry: z.array(rankedListSchema) }),
});

export const recommenderModelSchema = z
  .discriminatedUnion('method', [
    modelBase.extend({ method: z.literal('popularity') }),
    modelBase.extend({ method: z.enum(['item-item', 'ease']), itemGraph: itemGraphSchema }),
    modelBase.extend({
      method: z.literal('als'),
      /** Item factors, items × factors, row-major. User factors are folded in per request from the history. */
      itemFactors: numberList,
    }),
  ])
  .superRefine((m, ctx) => {
    const nItems = m.items.length;
    const bad = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (m.method !== m.options.method) bad('method differs from options.method');
    if (m.userCountry.length !== m.users.length) bad('userCountry must have one entry per user');
    if (m.userCountry.some((c) => c >= m.countries.length)) bad('userCountry points past countries');
    checkCsr(m.history.offsets, m.users.length, [m.history.items, m.history.recency, m.history.frequency], bad, 'history');
    if (m.history.items.some((i) => i >= nItems)) bad('history points past items');
    if (m.popularity.byCountry.length !== m.countries.length) bad('popularity.byCountry must have one list per country');
    for (const list of [m.popularity.global, ...m.popularity.byCountry]) {
      if (list.items.length !== list.scores.length || list.items.some((i) => i >= nItems)) bad('a popularity list is malformed');
    }
    if (m.method === 'item-item' || m.method === 'ease') {
      checkCsr(m.itemGraph.offsets, nItems, [m.itemGraph.targets, m.itemGraph.weights], bad, 'itemGraph');
      if (m.itemGraph.targets.some((i) => i >= nItems)) bad('itemGraph points past items');
    }
    if (m.method === 'als' && m.itemFactors.length !== nItems * m.options.als.factors) bad('itemFactors must be items × factors');
  });
export type RecommenderModel = z.infer<typeof recommenderModelSchema>;

function checkCsr(offsets: number[], rows: number, arrays: unknown[][], bad: (m: string) => void, name: string): void {
  if (offsets.length !== rows + 1 || offsets[0] !== 0) return bad(`${name}.offsets must have rows + 1 entries starting at 0`);
  for (let r = 0; r < rows; r++) if (offsets[r + 1] < offsets[r]) return bad(`${name}.offsets must not decrease`);
  if (arrays.some((a) => a.length !== offsets[rows])) bad(`${name} arrays must be as long as offsets says`);
}

export class InvalidRecommenderModelError extends Error {
  constructor(readonly issues: string) {
    super(`not a recommender model of schema version ${RECOMMENDER_SCHEMA_VERSION}: ${issues}`);
    this.name = 'InvalidRecommenderModelError';
  }
}

/** The artifact's bytes. */
export function serializeRecommenderModel(model: RecommenderModel): string {
  return JSON.stringify(model);
}

/** Reads an artifact, from its JSON text or an already-parsed value; throws InvalidRecommenderModelError. */
export function parseRecommenderModel(artifact: string | unknown): RecommenderModel {
  return parseArtifact(artifact, recommenderModelSchema, (issues) => new InvalidRecommenderModelError(issues));
}
