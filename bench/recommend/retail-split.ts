/**
 * Shared by the recommender benchmarks: Online Retail purchases, cleaned, split in time, and
 * scored. The splits:
 *   validation — train on purchases before 2011-06-09, truth = the next 3 months (tuning);
 *   test       — train on purchases before 2011-09-09, truth = 2011-09-09 .. 2011-12-09.
 * Cut-offs are UK shop-local midnights (the data's InvoiceDate is local time).
 * Truth per customer = distinct items bought in the window, for customers with a purchase
 * before the cut-off; "new" truth leaves out what they bought before it.
 */
import { classifyRetailLine, ukLocalToUtc, type RetailRow } from '../../datasets/online-retail.ts';
import { readCsv } from '../../datasets/read-csv.ts';
import { averagePrecisionAtK, catalogCoverage, ndcgAtK, recallAtK } from '../../functions/domain/recommend/metrics.ts';
import type { EmbeddedRecommendationProvider } from '../../functions/domain/recommend/create-provider.ts';

export interface Purchase {
  userId: string;
  itemId: string;
  timestamp: number;
  quantity: number;
  country: string;
}

export interface CleaningCounts {
  rows: number;
  kept: number;
  noCustomer: number;
  cancelled: number;
  nonProduct: number;
  badPriceOrQuantity: number;
  duplicate: number;
}

/** Keeps product purchases by known customers: see the dataset README for the dirt. */
export async function loadPurchases(file: string): Promise<{ purchases: Purchase[]; counts: CleaningCounts }> {
  const counts: CleaningCounts = { rows: 0, kept: 0, noCustomer: 0, cancelled: 0, nonProduct: 0, badPriceOrQuantity: 0, duplicate: 0 };
  const purchases: Purchase[] = [];
  const seen = new Set<string>();
  for await (const r of readCsv<RetailRow>(file)) {
    counts.rows++;
    const customer = (r.CustomerID ?? '').trim();
    const line = classifyRetailLine(r);
    if (!customer) counts.noCustomer++;
    // 'C' cancellations; 'A' bad-debt adjustments (negative prices) are not purchases either.
    else if (r.InvoiceNo.trim().startsWith('C') || (line.kind === 'rejected' && line.reason === 'adjustment')) counts.cancelled++;
    else if (line.kind === 'rejected' && line.reason === 'non_product_code') counts.nonProduct++;
    else if (line.kind !== 'purchase') counts.badPriceOrQuantity++;
    else {
      const key = [line.invoiceNo, r.StockCode, r.Description, r.Quantity, r.UnitPrice, r.InvoiceDate, customer].join('\u0001');
      if (seen.has(key)) {
        counts.duplicate++;
        continue;
      }
      seen.add(key);
      purchases.push({ userId: customer, itemId: line.stockCode.toUpperCase(), timestamp: Date.parse(ukLocalToUtc(line.date)), quantity: line.quantity, country: line.country });
    }
  }
  counts.kept = purchases.length;
  purchases.sort((a, b) => a.timestamp - b.timestamp);
  return { purchases, counts };
}

export const ukMidnight = (day: string) => Date.parse(ukLocalToUtc(`${day}T00:00`));

export interface Split {
  name: string;
  cut: string;
  end: string;
  train: Purchase[];
  /** customer → distinct items bought in the window (customers with a train history only) */
  truthAll: Map<string, Set<string>>;
  truthNew: Map<string, Set<string>>;
  catalog: number;
}

export function makeSplit(purchases: Purchase[], name: string, cut: string, end: string): Split {
  const [c, e] = [ukMidnight(cut), ukMidnight(end)];
  const train = purchases.filter((p) => p.timestamp < c);
  const history = new Map<string, Set<string>>();
  for (const p of train) (history.get(p.userId) ?? history.set(p.userId, new Set()).get(p.userId)!).add(p.itemId);
  const truthAll = new Map<string, Set<string>>();
  const truthNew = new Map<string, Set<string>>();
  for (const p of purchases) {
    if (p.timestamp < c || p.timestamp >= e) continue;
    const h = history.get(p.userId);
    if (!h) continue;
    (truthAll.get(p.userId) ?? truthAll.set(p.userId, new Set()).get(p.userId)!).add(p.itemId);
    if (!h.has(p.itemId)) (truthNew.get(p.userId) ?? truthNew.set(p.userId, new Set()).get(p.userId)!).add(p.itemId);
  }
  return { name, cut, end, train, truthAll, truthNew, catalog: new Set(train.map((p) => p.itemId)).size };
}

export interface Scores {
  recall: number;
  ndcg: number;
  map: number;
  coverage: number;
  users: number;
}

/** Top-10 metrics; the "new" truth is scored with past purchases excluded from the lists. */
export function evaluate(provider: EmbeddedRecommendationProvider, split: Split, newOnly: boolean, k = 10): Scores {
  return evaluateDetailed(provider, split, newOnly, k).scores;
}

/** As evaluate, plus each customer's Recall@k in the truth map's order (for paired bootstraps). */
export function evaluateDetailed(provider: EmbeddedRecommendationProvider, split: Split, newOnly: boolean, k = 10): { scores: Scores; perUserRecall: number[] } {
  const truth = newOnly ? split.truthNew : split.truthAll;
  const perUserRecall: number[] = [];
  let recall = 0;
  let ndcg = 0;
  let map = 0;
  const lists: string[][] = [];
  for (const [user, relevant] of truth) {
    const list = provider.recommend(user, { n: k, excludePurchased: newOnly }).map((r) => r.itemId);
    lists.push(list);
    perUserRecall.push(recallAtK(list, relevant, k));
    recall += perUserRecall.at(-1)!;
    ndcg += ndcgAtK(list, relevant, k);
    map += averagePrecisionAtK(list, relevant, k);
  }
  const n = truth.size || 1;
  return { scores: { recall: recall / n, ndcg: ndcg / n, map: map / n, coverage: catalogCoverage(lists, split.catalog, k), users: truth.size }, perUserRecall };
}

/**
 * 95 % percentile-bootstrap intervals over customers (seeded, so reruns agree): of the mean
 * of `a`, and, paired on the same resampled customers, of mean(a) / mean(b).
 */
export function bootstrap(a: number[], b: number[], resamples = 2000, seed = 42): { mean: [number, number]; ratio: [number, number] } {
  let state = seed >>> 0;
  const rand = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
  const means: number[] = [];
  const ratios: number[] = [];
  const n = a.length;
  for (let r = 0; r < resamples; r++) {
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < n; i++) {
      const j = Math.floor(rand() * n);
      sa += a[j];
      sb += b[j];
    }
    means.push(sa / n);
    ratios.push(sb > 0 ? sa / sb : Infinity);
  }
  const q = (xs: number[], p: number) => xs.sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  return { mean: [q(means, 0.025), q(means, 0.975)], ratio: [q(ratios, 0.025), q(ratios, 0.975)] };
}

/** recommend() wall time per call, in microseconds, over every test customer, `passes` times. */
export function latency(provider: EmbeddedRecommendationProvider, users: string[], excludePurchased: boolean, passes = 3): { p50: number; p99: number; max: number } {
  const times: number[] = [];
  for (let pass = 0; pass < passes; pass++) {
    for (const u of users) {
      const t = process.hrtime.bigint();
      provider.recommend(u, { n: 10, excludePurchased });
      times.push(Number(process.hrtime.bigint() - t) / 1000);
    }
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { p50: at(0.5), p99: at(0.99), max: times[times.length - 1] };
}

export const f4 = (x: number) => x.toFixed(4);
