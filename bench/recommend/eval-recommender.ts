/**
 * The embedded recommender on UCI Online Retail, TEST split: train on purchases before
 * 2011-09-09, truth = each customer's purchases 2011-09-09 .. 2011-12-09 (customers with a
 * purchase before the cut-off). Every method runs with the hyper-parameters chosen on the
 * validation split by tune-recommender.ts (bench/recommend/tuned-options.json); the winner
 * is the method with the best validation Recall@10 on new items, decided before this runs.
 *
 * Reports Recall@10, NDCG@10, MAP@10 and catalog coverage for all items and for items new to
 * the customer, training time, artifact size, cold-start cost (parse + createProvider), and
 * recommend() latency percentiles in process. Writes the `test` section of
 * bench/results/recommend.md.
 *
 *   npx tsx bench/recommend/eval-recommender.ts [path/to/online-retail.csv.gz | --file path] [--no-write]
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import {
  createProvider,
  DEFAULT_RECOMMENDER_OPTIONS,
  parseRecommenderModel,
  resolveOptions,
  serializeRecommenderModel,
  trainRecommender,
  type TrainRecommenderOptions,
} from '../../functions/domain/recommend/recommender.ts';
import { bootstrap, evaluateDetailed, f4, latency, loadPurchases, makeSplit, type Scores } from './retail-split.ts';
import { machine, TUNED_FILE, writeResultsSection } from './results-file.ts';
import type { TunedFile } from './tune-recommender.ts';

const { values, positionals } = parseArgs({ options: { file: { type: 'string' }, write: { type: 'boolean', default: true } }, allowPositionals: true, allowNegative: true });
const file = values.file ?? positionals[0] ?? '../shared/datasets/online-retail.csv.gz';
if (!existsSync(TUNED_FILE)) throw new Error('run tune-recommender.ts for each method first (validation split)');
const tuned = JSON.parse(readFileSync(TUNED_FILE, 'utf8')) as TunedFile;
const METHODS = ['popularity', 'item-item', 'ease', 'als'] as const;
for (const m of METHODS) if (!tuned[m]) throw new Error(`no tuned options for ${m}: run tune-recommender.ts --method ${m}`);

// The winner, from validation only.
const personal = METHODS.filter((m) => m !== 'popularity');
const winner = [...personal].sort((a, b) => tuned[b].validation.newItems.recall - tuned[a].validation.newItems.recall)[0];
const defaultsMatch = JSON.stringify(resolveOptions(tuned[winner].options)) === JSON.stringify(DEFAULT_RECOMMENDER_OPTIONS);

const started = performance.now();
const { purchases, counts } = await loadPurchases(file);
const test = makeSplit(purchases, 'test', '2011-09-09', '2011-12-10');
const users = [...test.truthAll.keys()];

interface Row {
  method: string;
  options: TrainRecommenderOptions;
  all: Scores;
  fresh: Scores;
  allPerUser: number[];
  freshPerUser: number[];
  trainSeconds: number;
  bytes: number;
  gzipBytes: number;
  coldStartMs: number;
  latencyNew: ReturnType<typeof latency>;
  latencyAll: ReturnType<typeof latency>;
}
const rows: Row[] = [];
for (const method of METHODS) {
  const options = tuned[method].options;
  const t = performance.now();
  const model = trainRecommender(test.train, options);
  const trainSeconds = (performance.now() - t) / 1000;
  const text = serializeRecommenderModel(model);
  const c = performance.now();
  const provider = createProvider(parseRecommenderModel(text)); // what a cold Lambda does
  const coldStartMs = performance.now() - c;
  const all = evaluateDetailed(provider, test, false);
  const fresh = evaluateDetailed(provider, test, true);
  rows.push({
    method,
    options,
    all: all.scores,
    fresh: fresh.scores,
    allPerUser: all.perUserRecall,
    freshPerUser: fresh.perUserRecall,
    trainSeconds,
    bytes: Buffer.byteLength(text),
    gzipBytes: gzipSync(text).length,
    coldStartMs,
    latencyNew: latency(provider, users, true),
    latencyAll: latency(provider, users, false),
  });
  console.log(method, f4(rows.at(-1)!.fresh.recall), f4(rows.at(-1)!.all.recall), `${trainSeconds.toFixed(1)} s`);
}

const pop = rows[0];
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const name = (r: Row) => (r.method === winner ? `**${r.method}** (chosen)` : r.method);
const table = (k: 'all' | 'fresh') =>
  `| method | Recall@10 [95 % CI] | × popularity [95 % CI, paired] | NDCG@10 | MAP@10 | coverage | customers |\n|---|---|---|---|---|---|---|\n${rows
    .map((r) => {
      const perUser = k === 'all' ? [r.allPerUser, pop.allPerUser] : [r.freshPerUser, pop.freshPerUser];
      const ci = bootstrap(perUser[0], perUser[1]);
      const ratio = r === pop ? '1' : `${(r[k].recall / pop[k].recall).toFixed(2)} [${ci.ratio[0].toFixed(2)}, ${ci.ratio[1].toFixed(2)}]`;
      return `| ${name(r)} | ${f4(r[k].recall)} [${f4(ci.mean[0])}, ${f4(ci.mean[1])}] | ${ratio} | ${f4(r[k].ndcg)} | ${f4(r[k].map)} | ${(r[k].coverage * 100).toFixed(1)} % | ${r[k].users} |`;
    })
    .join('\n')}`;
const costs = `| method | train s | artifact JSON | gzip | parse + createProvider | recommend() p50 / p99, exclude purchased | p50 / p99, all items |\n|---|---|---|---|---|---|---|\n${rows
  .map((r) => `| ${r.method} | ${r.trainSeconds.toFixed(1)} | ${mib(r.bytes)} | ${mib(r.gzipBytes)} | ${r.coldStartMs.toFixed(0)} ms | ${r.latencyNew.p50.toFixed(0)} / ${r.latencyNew.p99.toFixed(0)} µs | ${r.latencyAll.p50.toFixed(0)} / ${r.latencyAll.p99.toFixed(0)} µs |`)
  .join('\n')}`;
const w = rows.find((r) => r.method === winner)!;
const md = `## Test: 2011-09-09 → 2011-12-09

Command: \`npx tsx bench/recommend/eval-recommender.ts ${file}\` (${((performance.now() - started) / 60_000).toFixed(1)} min)
Machine: ${machine()}
Data: ${counts.rows.toLocaleString('en-GB')} rows → ${counts.kept.toLocaleString('en-GB')} purchase lines (dropped: ${counts.noCustomer.toLocaleString('en-GB')} without CustomerID, ${counts.cancelled.toLocaleString('en-GB')} C/A invoices, ${counts.nonProduct.toLocaleString('en-GB')} non-product codes, ${counts.badPriceOrQuantity} zero/negative price or quantity, ${counts.duplicate.toLocaleString('en-GB')} exact duplicate lines). Train: ${test.train.length.toLocaleString('en-GB')} lines before 2011-09-09 (UK time), ${test.catalog.toLocaleString('en-GB')} items (the catalog for coverage). Truth: distinct items each customer with a train history bought in the window.
Hyper-parameters: from the validation sections below (tuned-options.json), not from this window. Chosen method: **${winner}**, the best validation Recall@10 on new items (${f4(tuned[winner].validation.newItems.recall)}; ${personal.map((m) => `${m} ${f4(tuned[m].validation.newItems.recall)}`).join(', ')}).${defaultsMatch ? ' `DEFAULT_RECOMMENDER_OPTIONS` equals its tuned options.' : ' **`DEFAULT_RECOMMENDER_OPTIONS` differs from its tuned options.**'}

**Items new to the customer** (past purchases excluded from lists and truth; what campaigns use):

${table('fresh')}

**All items** (repeat purchases count; \`repeatWeight\` blends in "buy again"):

${table('all')}

Costs (training single-threaded, latency in process over ${users.length.toLocaleString('en-GB')} customers × 3 passes, n = 10):

${costs}

Target Recall@10 ≥ 2 × popularity: ${w.method} ${(w.fresh.recall / pop.fresh.recall).toFixed(2)} × on new items, ${(w.all.recall / pop.all.recall).toFixed(2)} × on all items.
${w.method} against the other personal methods, Recall@10 ratio with a paired 95 % bootstrap interval over customers (an interval containing 1 is no measured difference): ${rows
  .filter((r) => r !== w && r !== pop)
  .map((r) => {
    const fresh = bootstrap(w.freshPerUser, r.freshPerUser).ratio;
    const all = bootstrap(w.allPerUser, r.allPerUser).ratio;
    return `vs ${r.method} ${(w.fresh.recall / r.fresh.recall).toFixed(2)} [${fresh[0].toFixed(2)}, ${fresh[1].toFixed(2)}] new, ${(w.all.recall / r.all.recall).toFixed(2)} [${all[0].toFixed(2)}, ${all[1].toFixed(2)}] all`;
  })
  .join('; ')}.`;
console.log(md);
if (values.write) writeResultsSection('test', md);
