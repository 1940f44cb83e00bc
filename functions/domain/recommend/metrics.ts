/**
 * Top-k ranking metrics with binary relevance, for one person; callers average over people.
 * Definitions as in most recommender papers (and what Personalize's offline metrics mean):
 * - Recall@k = hits in the top k / |relevant| (not / min(k, |relevant|): a wholesale buyer
 *   with 200 test items cannot reach 1, which is the honest reading);
 * - NDCG@k = Σ_hits 1/log2(rank + 1) over the ideal DCG of min(k, |relevant|) hits;
 * - AP@k = Σ_hits precision@rank / min(k, |relevant|); MAP@k is its mean.
 * A person with nothing relevant scores 0 on every metric (callers leave such people out).
 */
export function recallAtK(recommended: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 0;
  let hits = 0;
  for (const item of recommended.slice(0, k)) if (relevant.has(item)) hits++;
  return hits / relevant.size;
}

export function ndcgAtK(recommended: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  let dcg = 0;
  recommended.slice(0, k).forEach((item, i) => {
    if (relevant.has(item)) dcg += 1 / Math.log2(i + 2);
  });
  let idcg = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}

export function averagePrecisionAtK(recommended: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 0;
  let hits = 0;
  let sum = 0;
  recommended.slice(0, k).forEach((item, i) => {
    if (relevant.has(item)) {
      hits += 1;
      sum += hits / (i + 1);
    }
  });
  return sum / Math.min(k, relevant.size);
}

/** Share of the catalog that appears in at least one list's top k. */
export function catalogCoverage(lists: Iterable<readonly string[]>, catalogSize: number, k: number): number {
  if (catalogSize === 0) return 0;
  const shown = new Set<string>();
  for (const list of lists) for (const item of list.slice(0, k)) shown.add(item);
  return shown.size / catalogSize;
}
