/**
 * Embedded recommender on UCI Online Retail, time-ordered: tuned on a validation window
 * (train < 2011-06-09, validate the next 3 months), then trained on purchases before
 * 2011-09-09 and tested on each customer's purchases in the following 3 months.
 * Recall@10, NDCG@10, MAP@10 and catalog coverage, for all items and for items new to the
 * customer, for popularity and the item-item recommender; training time; recommend() latency.
 *
 *   npx tsx bench/recommend/eval-recommender.ts [--file ../shared/datasets/online-retail.csv.gz]
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { isNonProductCode, ukLocalToUtc, type RetailRow } from '../../functions/domain/retail/online-retail.ts';
import { averagePrecisionAtK, ndcgAtK, recallAtK } from '../../functions/domain/recommend/metrics.ts';
import { itemItemProvider, popularityProvider, trainRecommender, type Interaction, type RecommendationProvider } from '../../functions/domain/recommend/recommender.ts';
import { fmt, machine, writeSection } from '../lib/report.ts';

const { values } = parseArgs({ options: { file: { type: 'string', default: '../shared/datasets/online-retail.csv.gz' }, write: { type: 'boolean', default: true } }, allowNegative: true });

const purchases: Interaction[] = [];
for await (const r of createReadStream(values.file!).pipe(createGunzip()).pipe(parse({ columns: true })) as AsyncIterable<RetailRow>) {
  const customer = r.CustomerID.trim();
  if (!customer || r.InvoiceNo.startsWith('C') || r.InvoiceNo.startsWith('A') || isNonProductCode(r.StockCode) || !(Number(r.UnitPrice) > 0) || !(Number(r.Quantity) > 0)) continue;
  purchases.push({ userId: customer, itemId: r.StockCode.trim().toUpperCase(), at: Date.parse(ukLocalToUtc(r.InvoiceDate)), country: r.Country.trim() });
}
const T = (s: string) => Date.parse(`${s}T00:00:00Z`);

interface Scores { recall: number; ndcg: number; map: number; coverage: number; users: number }
function evaluate(train: Interaction[], test: Interaction[], provider: RecommendationProvider, newOnly: boolean, catalog: number): Scores {
  const history = new Map<string, Set<string>>();
  for (const i of train) (history.get(i.userId) ?? history.set(i.userId, new Set()).get(i.userId)!).add(i.itemId);
  const truth = new Map<string, Set<string>>();
  for (const i of test) {
    if (!history.has(i.userId)) continue;
    if (newOnly && history.get(i.userId)!.has(i.itemId)) continue;
    (truth.get(i.userId) ?? truth.set(i.userId, new Set()).get(i.userId)!).add(i.itemId);
  }
  let recall = 0, ndcg = 0, map = 0;
  const shown = new Set<string>();
  for (const [u, rel] of truth) {
    const recs = provider.recommend(u, { n: 10, excludePurchased: newOnly }).map((r) => r.itemId);
    recs.forEach((i) => shown.add(i));
    recall += recallAtK(recs, rel, 10);
    ndcg += ndcgAtK(recs, rel, 10);
    map += averagePrecisionAtK(recs, rel, 10);
  }
  const n = truth.size;
  return { recall: recall / n, ndcg: ndcg / n, map: map / n, coverage: shown.size / catalog, users: n };
}
const split = (from: number, cut: number, to: number) => ({ train: purchases.filter((p) => p.at >= from && p.at < cut), test: purchases.filter((p) => p.at >= cut && p.at < to) });

// 1. Tune on the validation window only.
const val = split(0, T('2011-06-09'), T('2011-09-09'));
const grid: { neighbours: number; halfLifeDays: number; score: number }[] = [];
for (const neighbours of [20, 50, 100]) {
  for (const halfLifeDays of [30, 90, 365, 100_000]) {
    const m = trainRecommender(val.train, { neighbours, halfLifeDays });
    grid.push({ neighbours, halfLifeDays, score: evaluate(val.train, val.test, itemItemProvider(m), false, Object.keys(m.neighbours).length).recall });
  }
}
const best = grid.sort((a, b) => b.score - a.score)[0];
console.log('validation recall@10 grid', grid.map((g) => `${g.neighbours}/${g.halfLifeDays}d:${g.score.toFixed(4)}`).join(' '));

// 2. Test window.
const { train, test } = split(0, T('2011-09-09'), T('2011-12-10'));
let t = performance.now();
const model = trainRecommender(train, { neighbours: best.neighbours, halfLifeDays: best.halfLifeDays });
const trainSeconds = (performance.now() - t) / 1000;
const catalog = new Set(train.map((p) => p.itemId)).size;
const rows: [string, Scores, Scores][] = [
  ['popularity (recency-weighted, per country first)', evaluate(train, test, popularityProvider(model), false, catalog), evaluate(train, test, popularityProvider(model), true, catalog)],
  [`item-item cosine (${best.neighbours} neighbours, half-life ${best.halfLifeDays >= 100_000 ? '∞' : `${best.halfLifeDays} d`})`, evaluate(train, test, itemItemProvider(model), false, catalog), evaluate(train, test, itemItemProvider(model), true, catalog)],
];
// Latency of recommend() in-process, every test user, 3 passes.
const provider = itemItemProvider(model);
const users = [...new Set(test.map((p) => p.userId))];
const lat: number[] = [];
for (let pass = 0; pass < 3; pass++) for (const u of users) { t = performance.now(); provider.recommend(u, { n: 10, excludePurchased: true }); lat.push(performance.now() - t); }
lat.sort((a, b) => a - b);
const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] * 1000;
const modelBytes = Buffer.byteLength(JSON.stringify(model));

const table = (k: 1 | 2, title: string) => `${title}\n\n| method | Recall@10 | NDCG@10 | MAP@10 | coverage | users |\n|---|---|---|---|---|---|\n${rows.map((r) => `| ${r[0]} | ${fmt(r[k].recall, 4)} | ${fmt(r[k].ndcg, 4)} | ${fmt(r[k].map, 4)} | ${fmt(r[k].coverage * 100, 1)} % | ${r[k].users} |`).join('\n')}`;
const ratioAll = rows[1][1].recall / rows[0][1].recall;
const ratioNew = rows[1][2].recall / rows[0][2].recall;
const md = `## Embedded recommender on Online Retail (issue 4, first part)

Command: \`npx tsx bench/recommend/eval-recommender.ts --file ${values.file}\`
Machine: ${machine()}
Data: ${purchases.length.toLocaleString('en-GB')} purchase lines with a CustomerID (no cancellations, adjustments, non-product codes, zero prices). Train before 2011-09-09 (${train.length.toLocaleString('en-GB')} lines), test 2011-09-09 to 2011-12-09 (${test.length.toLocaleString('en-GB')} lines), customers with a train history only; catalog = ${catalog.toLocaleString('en-GB')} items seen in train. Tuned on a validation split (train before 2011-06-09, validate the next three months), never on the test window: chose ${best.neighbours} neighbours, half-life ${best.halfLifeDays} days.

${table(1, '**All items** (recommendations may repeat past purchases):')}

${table(2, '**Items new to the customer** (past purchases excluded from recommendations and from the truth):')}

Recall@10 against popularity: ${fmt(ratioAll, 2)} × on all items, ${fmt(ratioNew, 2)} × on new items (target ≥ 2 ×).
Training: ${fmt(trainSeconds, 1)} s; model ${fmt(modelBytes / 2 ** 20, 1)} MiB as JSON. recommend() in-process over ${users.length.toLocaleString('en-GB')} users × 3: p50 ${fmt(pct(0.5), 0)} µs, p99 ${fmt(pct(0.99), 0)} µs (not yet through the HTTP API: that route is not built).`;
console.log(md);
if (values.write) writeSection('recommend', md);
