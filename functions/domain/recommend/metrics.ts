/** Top-k ranking metrics with binary relevance, per user; callers average over users. */
export function recallAtK(recommended: string[], relevant: Set<string>, k: number): number {
  if (relevant.size === 0) return 0;
  return recommended.slice(0, k).filter((i) => relevant.has(i)).length / relevant.size;
}

export function ndcgAtK(recommended: string[], relevant: Set<string>, k: number): number {
  let dcg = 0;
  recommended.slice(0, k).forEach((item, i) => {
    if (relevant.has(item)) dcg += 1 / Math.log2(i + 2);
  });
  let idcg = 0;
  for (let i = 0; i < Math.min(k, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}

export function averagePrecisionAtK(recommended: string[], relevant: Set<string>, k: number): number {
  let hits = 0;
  let sum = 0;
  recommended.slice(0, k).forEach((item, i) => {
    if (relevant.has(item)) {
      hits += 1;
      sum += hits / (i + 1);
    }
  });
  return relevant.size === 0 ? 0 : sum / Math.min(k, relevant.size);
}
