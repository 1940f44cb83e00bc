/**
 * Popularity, global and per country, recency-weighted: the baseline every personal method
 * must beat, and what unknown users (cold start) and short histories are filled with.
 *
 * A country's list is shrunk towards the global one (`countryPrior`): a country with three
 * customers would otherwise recommend whatever those three bought.
 */
import { decayFunction, round4, toEpochMs, type Interaction, type InteractionMatrix } from './interactions.ts';
import type { RankedList, RecommenderOptions } from './model-schema.ts';

export interface PopularityLists {
  global: RankedList;
  byCountry: RankedList[];
}

export function trainPopularity(interactions: readonly Interaction[], matrix: InteractionMatrix, o: RecommenderOptions['popularity']): PopularityLists {
  const itemIndex = new Map(matrix.items.map((id, i) => [id, i]));
  const countryIndex = new Map(matrix.countries.map((c, i) => [c, i]));
  const decay = decayFunction(matrix.asOf, o.halfLifeDays);
  const nItems = matrix.items.length;
  const global = new Float64Array(nItems);
  const byCountry = matrix.countries.map(() => new Map<number, number>());
  const add = (i: number, c: number | undefined, w: number) => {
    global[i] += w;
    if (c !== undefined) byCountry[c].set(i, (byCountry[c].get(i) ?? 0) + w);
  };

  if (o.count === 'buyers') {
    // One vote per buyer and item, as recent as their latest purchase of it.
    const latest = new Map<string, { at: number; i: number; c: number | undefined }>();
    for (const it of interactions) {
      const at = toEpochMs(it.timestamp);
      if (at > matrix.asOf) continue;
      const key = `${it.userId}\u0000${it.itemId}`;
      const prev = latest.get(key);
      if (!prev || at >= prev.at) latest.set(key, { at, i: itemIndex.get(it.itemId)!, c: it.country ? countryIndex.get(it.country) : prev?.c });
    }
    for (const { at, i, c } of latest.values()) add(i, c, decay(at));
  } else {
    for (const it of interactions) {
      const at = toEpochMs(it.timestamp);
      if (at > matrix.asOf) continue;
      const units = o.count === 'units' ? Math.max(1, it.quantity ?? 1) : 1;
      add(itemIndex.get(it.itemId)!, it.country ? countryIndex.get(it.country) : undefined, decay(at) * units);
    }
  }

  let total = 0;
  for (const w of global) total += w;
  const share = (w: number) => (total > 0 ? w / total : 0);
  const ranked = (scores: Map<number, number> | Float64Array, k: number): RankedList => {
    const entries: [number, number][] = scores instanceof Map ? [...scores] : Array.from(scores, (w, i) => [i, w] as [number, number]).filter(([, w]) => w > 0);
    entries.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const top = entries.slice(0, k);
    return { items: top.map(([i]) => i), scores: top.map(([, s]) => round4(s)) };
  };

  const perCountry = Math.max(1, Math.ceil(o.listSize / 4));
  const globalOrder = Array.from(global.keys()).sort((a, b) => global[b] - global[a] || a - b).slice(0, perCountry);
  return {
    global: ranked(Float64Array.from(global, share), o.listSize),
    byCountry: byCountry.map((m) => {
      let n = 0;
      for (const w of m.values()) n += w;
      // (n_c(i) + prior · global share(i)) / (N_c + prior), over the country's items and the
      // global top (which the prior alone can lift into a small country's list).
      const shrunk = new Map<number, number>();
      const denom = n + o.countryPrior;
      if (denom <= 0) return { items: [], scores: [] };
      for (const [i, w] of m) shrunk.set(i, (w + o.countryPrior * share(global[i])) / denom);
      if (o.countryPrior > 0) {
        for (const i of globalOrder) if (!shrunk.has(i)) shrunk.set(i, (o.countryPrior * share(global[i])) / denom);
      }
      return ranked(shrunk, perCountry);
    }),
  };
}
