/**
 * What GET /v1/recommendations/{userId} and GET /v1/items/{itemId}/similar answer, behind
 * the RecommendationProvider port.
 *
 * - `primary` is Amazon Personalize once its training workflow has created a campaign; the
 *   embedded recommender (the registry's current `recommender` model) answers before that,
 *   locally, and whenever the primary fails or returns nothing — an app gets a list either way,
 *   and the answer says which source produced it.
 * - Cold start: a person the model does not know gets what is popular in their country; the
 *   country comes from the query or the person's profile (traits.country).
 * - Consent first: a person who has not granted personalisation (`personOf` says
 *   `personalisation: false`; answer-recommendations.ts derives it from the consent history,
 *   where unknown is not granted) gets no personal ranking (not Personalize, not their
 *   history) — only what is popular in their country — and the answer says `personalised: false`.
 * - Items are decorated with name, category and price from the catalog when it is loaded.
 */
import { NoModelError } from '../shared/errors.ts';
import type { CatalogItem } from './catalog.ts';
import type { EmbeddedRecommendationProvider } from './create-provider.ts';
import type { Recommendation, RecommendationProvider } from './recommendation-provider.ts';

export interface ServeQuery {
  n: number;
  country?: string;
  excludePurchased: boolean;
  exclude: string[];
}

export interface ServeDeps {
  primary?: RecommendationProvider;
  embedded?: { provider: EmbeddedRecommendationProvider; version: string };
  catalog: Map<string, CatalogItem>;
  /** What the person's profile says: country, and whether they consented to personalisation. */
  personOf?: (userId: string) => Promise<{ country?: string; personalisation?: boolean } | undefined>;
  /** Told when the primary failed and the embedded model answered instead. */
  onFallback?: (error: unknown) => void;
}

export interface ServedItem extends Recommendation {
  name?: string;
  category?: string;
  price?: number;
}

export interface ServedAnswer {
  items: ServedItem[];
  source: 'personalize' | 'embedded';
  /** The embedded model version that answered. */
  model?: string;
  /** False when the person declined personalisation: the list is popularity only. */
  personalised: boolean;
}

export class NoRecommenderError extends NoModelError {
  constructor() {
    super('no recommender is trained yet: run `sightline train recommender` (or the training workflow in AWS)');
  }
}

function decorate(items: Recommendation[], catalog: Map<string, CatalogItem>): ServedItem[] {
  return items.map((r) => {
    const c = catalog.get(r.itemId);
    return c ? { ...r, name: c.name, ...(c.category ? { category: c.category } : {}), ...(c.price !== undefined ? { price: c.price } : {}) } : r;
  });
}

async function withFallback(deps: ServeDeps, ask: (p: RecommendationProvider) => Recommendation[] | Promise<Recommendation[]>): Promise<ServedAnswer> {
  if (deps.primary) {
    try {
      const items = await ask(deps.primary);
      if (items.length) return { items: decorate(items, deps.catalog), source: 'personalize', personalised: true };
    } catch (err) {
      if (!deps.embedded) throw err;
      deps.onFallback?.(err);
    }
  }
  if (!deps.embedded) throw new NoRecommenderError();
  return { items: decorate(await ask(deps.embedded.provider), deps.catalog), source: 'embedded', model: deps.embedded.version, personalised: true };
}

export async function recommendFor(userId: string, q: ServeQuery, deps: ServeDeps): Promise<ServedAnswer> {
  const person = await deps.personOf?.(userId);
  const country = q.country ?? person?.country;
  const options = { n: q.n, excludePurchased: q.excludePurchased, exclude: new Set(q.exclude), ...(country ? { country } : {}) };
  if (person?.personalisation === false) {
    if (!deps.embedded) throw new NoRecommenderError();
    // The empty id is no one's: the embedded provider answers with popularity alone.
    const items = deps.embedded.provider.recommend('', { ...options, excludePurchased: false });
    return { items: decorate(items, deps.catalog), source: 'embedded', model: deps.embedded.version, personalised: false };
  }
  return withFallback(deps, (p) => p.recommend(userId, options));
}

export async function similarTo(itemId: string, q: Pick<ServeQuery, 'n' | 'exclude'>, deps: ServeDeps): Promise<ServedAnswer> {
  const exclude = new Set(q.exclude);
  // Ask for the excluded ones too, then drop them: the port's similarItems has no filter.
  return withFallback(deps, async (p) => (await p.similarItems(itemId, q.n + exclude.size)).filter((r) => !exclude.has(r.itemId)).slice(0, q.n));
}
