/**
 * createProvider: a trained model behind the RecommendationProvider port, in process.
 *
 * - Known users get the model's personal scores (item graph for item-item and EASE, a
 *   folded-in factor for ALS), optionally blended with "buy again" (`repeatWeight`), then
 *   topped up from popularity when the personal list is shorter than asked.
 * - Unknown users (cold start), and a model trained as `popularity`, get what is popular in
 *   their country (shrunk towards the global list), then the global list.
 * - Filters apply to every source: the explicit exclude set, and what the person bought
 *   before when `excludePurchased` (the history the model was trained on).
 *
 * Scoring touches only the person's items' rows (or f × items for ALS), so an answer takes
 * microseconds to a millisecond; see bench/results/recommend.md for measured percentiles.
 */
import { gramOf, solveRow } from './als.ts';
import type { RecommenderModel } from './model-schema.ts';
import type { Recommendation, RecommendationProvider, RecommendationReason, RecommendOptions } from './recommendation-provider.ts';

/** The embedded providers answer synchronously (the port also admits Promises, for Personalize). */
export interface EmbeddedRecommendationProvider extends RecommendationProvider {
  readonly method: RecommenderModel['method'];
  recommend(userId: string, options: RecommendOptions): Recommendation[];
  similarItems(itemId: string, n: number): Recommendation[];
}

/** Keeps the n best (score desc, then item index asc) of what it is offered. */
class TopN {
  readonly items: number[] = [];
  readonly scores: number[] = [];
  constructor(private readonly n: number) {}
  offer(item: number, score: number): void {
    const { items, scores, n } = this;
    if (n <= 0) return;
    if (items.length === n) {
      const last = scores[n - 1];
      if (score < last || (score === last && item > items[n - 1])) return;
    }
    let at = items.length;
    while (at > 0 && (scores[at - 1] < score || (scores[at - 1] === score && items[at - 1] > item))) at--;
    items.splice(at, 0, item);
    scores.splice(at, 0, score);
    if (items.length > n) {
      items.pop();
      scores.pop();
    }
  }
}

export function createProvider(model: RecommenderModel): EmbeddedRecommendationProvider {
  const nItems = model.items.length;
  const userIndex = new Map(model.users.map((u, i) => [u, i]));
  const itemIndex = new Map(model.items.map((id, i) => [id, i]));
  const countryIndex = new Map(model.countries.map((c, i) => [c, i]));
  const h = model.history;
  const repeatWeight = model.options.repeatWeight;

  const graph =
    model.method === 'item-item' || model.method === 'ease'
      ? { offsets: Int32Array.from(model.itemGraph.offsets), targets: Int32Array.from(model.itemGraph.targets), weights: Float64Array.from(model.itemGraph.weights) }
      : undefined;
  const als = model.method === 'als' ? alsScorer(model) : undefined;

  // Per-request scratch, reused: a provider serves one request at a time (Lambda, or the
  // single-threaded local platform), and every answer clears what it touched.
  const score = new Float64Array(nItems);
  const best = new Float64Array(nItems);
  const because = new Int32Array(nItems).fill(-1);
  const marked = new Uint8Array(nItems);
  const touched: number[] = [];
  const touch = (i: number) => {
    if (!marked[i]) {
      marked[i] = 1;
      touched.push(i);
    }
  };

  function excluder(u: number | undefined, options: RecommendOptions): (i: number) => boolean {
    const purchased = new Set<number>();
    if (options.excludePurchased && u !== undefined) for (let p = h.offsets[u]; p < h.offsets[u + 1]; p++) purchased.add(h.items[p]);
    const ex = options.exclude;
    return (i) => purchased.has(i) || (ex !== undefined && ex.has(model.items[i]));
  }

  /** Appends popular items (country list, then global) until `out` holds n. */
  function fillPopular(out: Recommendation[], taken: Set<number>, country: string | undefined, n: number, excluded: (i: number) => boolean): void {
    const c = country === undefined ? undefined : countryIndex.get(country);
    const lists: [RecommendationReason, { items: number[]; scores: number[] }][] = [];
    if (c !== undefined) lists.push(['popular_in_country', model.popularity.byCountry[c]]);
    lists.push(['popular', model.popularity.global]);
    for (const [reason, list] of lists) {
      for (let r = 0; r < list.items.length && out.length < n; r++) {
        const i = list.items[r];
        if (taken.has(i) || excluded(i)) continue;
        taken.add(i);
        out.push({ itemId: model.items[i], score: list.scores[r], reason });
      }
    }
  }

  /** Personal scores into `score` (and `because`), for the items listed in `touched`. */
  function scorePersonal(u: number): void {
    if (graph) {
      for (let p = h.offsets[u]; p < h.offsets[u + 1]; p++) {
        const s = h.items[p];
        const x = h.recency[p];
        for (let q = graph.offsets[s]; q < graph.offsets[s + 1]; q++) {
          const t = graph.targets[q];
          const contribution = x * graph.weights[q];
          touch(t);
          score[t] += contribution;
          if (contribution > best[t]) {
            best[t] = contribution;
            because[t] = s;
          }
        }
      }
    } else if (als) {
      als(u, score);
      for (let i = 0; i < nItems; i++) touch(i);
    }
  }

  function clear(): void {
    for (const t of touched) {
      score[t] = 0;
      best[t] = 0;
      because[t] = -1;
      marked[t] = 0;
    }
    touched.length = 0;
  }

  return {
    method: model.method,
    recommend(userId, options) {
      const n = Math.max(0, Math.floor(options.n));
      const u = userIndex.get(userId);
      const excluded = excluder(u, options);
      const country = options.country ?? (u !== undefined && model.userCountry[u] >= 0 ? model.countries[model.userCountry[u]] : undefined);
      const out: Recommendation[] = [];
      const taken = new Set<number>();
      if (u !== undefined && model.method !== 'popularity' && n > 0) {
        scorePersonal(u);
        try {
          const top = new TopN(n);
          const repeat = repeatWeight > 0 && !options.excludePurchased;
          let maxPersonal = 0;
          for (const t of touched) if (score[t] > maxPersonal) maxPersonal = score[t];
          let maxFrequency = 0;
          if (repeat) for (let p = h.offsets[u]; p < h.offsets[u + 1]; p++) maxFrequency = Math.max(maxFrequency, h.frequency[p]);
          const blend = repeat && maxPersonal > 0 && maxFrequency > 0;
          const personalShare = new Map<number, number>();
          if (blend) {
            // Both parts scaled to [0, 1] for this person, then mixed: the two are in
            // different units (similarity sums against purchase counts).
            for (const t of touched) score[t] = ((1 - repeatWeight) * score[t]) / maxPersonal;
            for (let p = h.offsets[u]; p < h.offsets[u + 1]; p++) {
              const i = h.items[p];
              touch(i);
              personalShare.set(i, score[i]);
              score[i] += (repeatWeight * h.frequency[p]) / maxFrequency;
            }
          } else if (repeat && maxPersonal === 0) {
            // Nothing similar known (e.g. only long-tail items): buy again is all there is.
            for (let p = h.offsets[u]; p < h.offsets[u + 1]; p++) {
              const i = h.items[p];
              touch(i);
              personalShare.set(i, 0);
              score[i] += h.frequency[p];
            }
          }
          for (const t of touched) if (score[t] > 0 && !excluded(t)) top.offer(t, score[t]);
          top.items.forEach((i, r) => {
            taken.add(i);
            const fromRepeat = personalShare.has(i) && top.scores[r] - personalShare.get(i)! > personalShare.get(i)!;
            out.push(
              fromRepeat || because[i] < 0
                ? { itemId: model.items[i], score: top.scores[r], reason: fromRepeat ? 'purchased_before' : 'similar_to_history' }
                : { itemId: model.items[i], score: top.scores[r], reason: 'similar_to_history', because: model.items[because[i]] },
            );
          });
        } finally {
          clear();
        }
      }
      if (out.length < n) fillPopular(out, taken, country, n, excluded);
      return out;
    },
    similarItems(itemId, n) {
      const i = itemIndex.get(itemId);
      if (i === undefined || n <= 0) return [];
      if (graph) {
        const out: Recommendation[] = [];
        for (let q = graph.offsets[i]; q < graph.offsets[i + 1] && out.length < n; q++) out.push({ itemId: model.items[graph.targets[q]], score: graph.weights[q], reason: 'similar_to_item' });
        return out;
      }
      if (model.method === 'als') {
        const f = model.options.als.factors;
        const y = model.itemFactors;
        const norm = (k: number) => Math.sqrt(y.slice(k * f, k * f + f).reduce((s, v) => s + v * v, 0)) || 1;
        const ni = norm(i);
        const top = new TopN(n);
        for (let k = 0; k < nItems; k++) {
          if (k === i) continue;
          let dot = 0;
          for (let d = 0; d < f; d++) dot += y[i * f + d] * y[k * f + d];
          top.offer(k, dot / (ni * norm(k)));
        }
        return top.items.map((k, r) => ({ itemId: model.items[k], score: top.scores[r], reason: 'similar_to_item' }));
      }
      return [];
    },
  };
}

/** ALS scoring: fold the person's factor in from their history, then score every item. */
function alsScorer(model: Extract<RecommenderModel, { method: 'als' }>): (u: number, out: Float64Array) => void {
  const { factors: f, lambda, alpha } = model.options.als;
  const y = Float64Array.from(model.itemFactors);
  const nItems = model.items.length;
  const gram = gramOf(y, nItems, f);
  const h = model.history;
  const conf = Float64Array.from(h.frequency, (x) => 1 + alpha * x);
  const a = new Float64Array(f * f);
  const b = new Float64Array(f);
  const x = new Float64Array(f);
  return (u, out) => {
    solveRow(y, gram, f, lambda, h.items, conf, h.offsets[u], h.offsets[u + 1], x, 0, a, b);
    for (let i = 0; i < nItems; i++) {
      let s = 0;
      for (let d = 0; d < f; d++) s += y[i * f + d] * x[d];
      out[i] = s; // may be negative: recommend() only offers positive scores
    }
  };
}

/**
 * The model without one person's history and id (right to erasure). Their purchases still
 * shaped the aggregate weights until the next retrain, which is when they leave those too.
 */
export function eraseUser(model: RecommenderModel, userId: string): RecommenderModel {
  const u = model.users.indexOf(userId);
  if (u < 0) return model;
  const h = model.history;
  const [from, to] = [h.offsets[u], h.offsets[u + 1]];
  const cut = <T>(a: T[]) => [...a.slice(0, from), ...a.slice(to)];
  return {
    ...model,
    users: model.users.filter((_, i) => i !== u),
    userCountry: model.userCountry.filter((_, i) => i !== u),
    history: {
      offsets: [...h.offsets.slice(0, u), ...h.offsets.slice(u + 1).map((o) => o - (to - from))],
      items: cut(h.items),
      recency: cut(h.recency),
      frequency: cut(h.frequency),
    },
  };
}
