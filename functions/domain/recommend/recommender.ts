/**
 * The embedded recommender: what the local platform serves, and the cold-start fallback in
 * AWS before a Personalize campaign exists (issue 4). Pure TypeScript, no I/O.
 *
 * Design:
 * - Popularity (global and per country, recency-weighted) is the baseline and the fallback
 *   for unknown users.
 * - Item-item: cosine similarity of items over the users who bought them, with each
 *   purchase weighted by recency (half-life in days), keeping the top `neighbours` per item.
 *   A user's score for an item is the sum of its similarities to the items in the user's
 *   history, weighted by that history's recency. Written here: no maintained JS library
 *   does implicit-feedback item-item recommendation.
 * - The model is plain JSON (a versioned artifact), so it can be stored and rolled back.
 */

export interface Interaction {
  userId: string;
  itemId: string;
  /** Epoch milliseconds. */
  at: number;
  country?: string;
}

export interface RecommenderOptions {
  /** Similar items kept per item. */
  neighbours: number;
  /** Recency half-life of a purchase's weight, in days. */
  halfLifeDays: number;
  /** Items kept in each popularity list. */
  popular: number;
}

export const DEFAULT_OPTIONS: RecommenderOptions = { neighbours: 50, halfLifeDays: 90, popular: 200 };

export interface RecommenderModel {
  kind: 'item-item@1';
  trainedUntil: number;
  options: RecommenderOptions;
  /** userId → [itemId, weight][] */
  history: Record<string, [string, number][]>;
  /** itemId → [itemId, similarity][] (descending) */
  neighbours: Record<string, [string, number][]>;
  popular: string[];
  popularByCountry: Record<string, string[]>;
  userCountry: Record<string, string>;
}

export interface Recommendation {
  itemId: string;
  score: number;
  reason: 'similar_to_history' | 'popular_in_country' | 'popular';
}

export interface RecommendOptions {
  n: number;
  excludePurchased?: boolean;
  exclude?: Set<string>;
  country?: string;
}

const DAY = 86_400_000;

function topKeys(weights: Map<string, number>, k: number): string[] {
  return [...weights].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k).map(([id]) => id);
}

export function trainRecommender(interactions: Interaction[], opts: Partial<RecommenderOptions> = {}): RecommenderModel {
  const o = { ...DEFAULT_OPTIONS, ...opts };
  const until = interactions.reduce((m, i) => Math.max(m, i.at), 0);
  const decay = (at: number) => 0.5 ** ((until - at) / (o.halfLifeDays * DAY));

  // user → item → recency-weighted purchase weight
  const byUser = new Map<string, Map<string, number>>();
  const pop = new Map<string, number>();
  const popCountry = new Map<string, Map<string, number>>();
  const userCountry: Record<string, string> = {};
  for (const i of interactions) {
    const w = decay(i.at);
    let items = byUser.get(i.userId);
    if (!items) byUser.set(i.userId, (items = new Map()));
    items.set(i.itemId, (items.get(i.itemId) ?? 0) + w);
    pop.set(i.itemId, (pop.get(i.itemId) ?? 0) + w);
    if (i.country) {
      userCountry[i.userId] = i.country;
      let c = popCountry.get(i.country);
      if (!c) popCountry.set(i.country, (c = new Map()));
      c.set(i.itemId, (c.get(i.itemId) ?? 0) + w);
    }
  }

  // Cosine over binary user-item incidence (a user counts once per item), the usual choice for
  // implicit purchases; co-occurrence counted per user pair of items.
  const norm = new Map<string, number>();
  const co = new Map<string, Map<string, number>>();
  for (const items of byUser.values()) {
    const ids = [...items.keys()];
    // A wholesale buyer with thousands of items would dominate (and cost O(n²)): cap the
    // pairs per user at their 300 most weighted items.
    const kept = ids.length > 300 ? topKeys(items, 300) : ids;
    for (const a of kept) norm.set(a, (norm.get(a) ?? 0) + 1);
    for (let x = 0; x < kept.length; x++) {
      for (let y = x + 1; y < kept.length; y++) {
        const [a, b] = [kept[x], kept[y]];
        let ma = co.get(a);
        if (!ma) co.set(a, (ma = new Map()));
        ma.set(b, (ma.get(b) ?? 0) + 1);
        let mb = co.get(b);
        if (!mb) co.set(b, (mb = new Map()));
        mb.set(a, (mb.get(a) ?? 0) + 1);
      }
    }
  }
  const neighbours: Record<string, [string, number][]> = {};
  for (const [a, m] of co) {
    const sims = new Map<string, number>();
    for (const [b, c] of m) sims.set(b, c / Math.sqrt(norm.get(a)! * norm.get(b)!));
    neighbours[a] = topKeys(sims, o.neighbours).map((b) => [b, Math.round(sims.get(b)! * 1e4) / 1e4]);
  }
  const history: Record<string, [string, number][]> = {};
  for (const [u, items] of byUser) history[u] = [...items].map(([i, w]) => [i, Math.round(w * 1e4) / 1e4]);
  return {
    kind: 'item-item@1',
    trainedUntil: until,
    options: o,
    history,
    neighbours,
    popular: topKeys(pop, o.popular),
    popularByCountry: Object.fromEntries([...popCountry].map(([c, m]) => [c, topKeys(m, o.popular)])),
    userCountry,
  };
}

export interface RecommendationProvider {
  recommend(userId: string, opts: RecommendOptions): Recommendation[];
  similarItems(itemId: string, n: number): Recommendation[];
}

/** Popularity only: the baseline, and what unknown users get. */
export function popularityProvider(model: RecommenderModel): RecommendationProvider {
  return {
    recommend(userId, opts) {
      const country = opts.country ?? model.userCountry[userId];
      const bought = opts.excludePurchased ? new Set((model.history[userId] ?? []).map(([i]) => i)) : undefined;
      return fillPopular([], model, country, opts, bought);
    },
    similarItems: () => [],
  };
}

function fillPopular(out: Recommendation[], model: RecommenderModel, country: string | undefined, opts: RecommendOptions, bought?: Set<string>): Recommendation[] {
  const seen = new Set(out.map((r) => r.itemId));
  const lists: [string[], Recommendation['reason']][] = [
    [country ? model.popularByCountry[country] ?? [] : [], 'popular_in_country'],
    [model.popular, 'popular'],
  ];
  for (const [list, reason] of lists) {
    for (const [rank, itemId] of list.entries()) {
      if (out.length >= opts.n) return out;
      if (seen.has(itemId) || bought?.has(itemId) || opts.exclude?.has(itemId)) continue;
      seen.add(itemId);
      out.push({ itemId, score: 1 / (rank + 2), reason });
    }
  }
  return out;
}

export function itemItemProvider(model: RecommenderModel): RecommendationProvider {
  return {
    recommend(userId, opts) {
      const history = model.history[userId] ?? [];
      const bought = new Set(history.map(([i]) => i));
      const scores = new Map<string, number>();
      for (const [item, w] of history) {
        for (const [other, sim] of model.neighbours[item] ?? []) {
          if (opts.exclude?.has(other) || (opts.excludePurchased && bought.has(other))) continue;
          scores.set(other, (scores.get(other) ?? 0) + w * sim);
        }
      }
      const out: Recommendation[] = topKeys(scores, opts.n).map((itemId) => ({ itemId, score: Math.round(scores.get(itemId)! * 1e4) / 1e4, reason: 'similar_to_history' }));
      // Cold start, or a history too short to fill the slots: popular in the person's country.
      return fillPopular(out, model, opts.country ?? model.userCountry[userId], opts, opts.excludePurchased ? bought : undefined);
    },
    similarItems(itemId, n) {
      return (model.neighbours[itemId] ?? []).slice(0, n).map(([id, sim]) => ({ itemId: id, score: sim, reason: 'similar_to_history' }));
    },
  };
}

/**
 * The personalisation hook for campaigns: fills `slots` "recommended for you" items for a
 * person, honouring the filters, falling back to what is popular in their country.
 */
export function fillRecommendedSlots(provider: RecommendationProvider, person: { userId: string; country?: string }, slots: number, filters: { excludePurchased?: boolean; exclude?: Set<string> } = { excludePurchased: true }): Recommendation[] {
  return provider.recommend(person.userId, { n: slots, country: person.country, ...filters });
}
