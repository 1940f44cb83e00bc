/**
 * Hyper-parameter search on the VALIDATION split only (train before 2011-06-09, truth = the
 * next three months); the test window is never read here. One method per run, to keep each
 * run to a few minutes on 2 shared cores:
 *
 *   npx tsx bench/recommend/tune-recommender.ts --method popularity   (first: the others' fallback uses it)
 *   npx tsx bench/recommend/tune-recommender.ts --method item-item
 *   npx tsx bench/recommend/tune-recommender.ts --method ease
 *   npx tsx bench/recommend/tune-recommender.ts --method als
 *   [--file ../shared/datasets/online-retail.csv.gz] [--no-write]
 *
 * Coordinate search from a sensible start: one parameter at a time over a short list, the
 * best kept before the next. Objective: Recall@10 on items new to the customer (past
 * purchases excluded), which is what the campaign hook serves; then `repeatWeight` ("buy
 * again") on Recall@10 over all items, which it alone affects. Parameters that only prune or
 * re-weight at serving time (neighbours, keepPerItem, repeatWeight) are applied to one
 * trained model instead of retraining. Writes bench/recommend/tuned-options.json (read by
 * eval-recommender.ts) and a section of bench/results/recommend.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createProvider, type RecommenderModel, type TrainRecommenderOptions, resolveOptions, trainRecommender } from '../../functions/domain/recommend/recommender.ts';
import { evaluate, f4, loadPurchases, makeSplit, type Scores } from './retail-split.ts';
import { machine, TUNED_FILE, writeResultsSection } from './results-file.ts';

const { values } = parseArgs({
  options: { file: { type: 'string', default: '../shared/datasets/online-retail.csv.gz' }, method: { type: 'string' }, write: { type: 'boolean', default: true } },
  allowNegative: true,
});
const method = values.method as 'popularity' | 'item-item' | 'ease' | 'als';
if (!['popularity', 'item-item', 'ease', 'als'].includes(method)) throw new Error('--method popularity|item-item|ease|als');

export interface TunedFile {
  [method: string]: { options: TrainRecommenderOptions; validation: { newItems: Scores; allItems: Scores; trainSeconds: number } };
}
const tuned: TunedFile = existsSync(TUNED_FILE) ? JSON.parse(readFileSync(TUNED_FILE, 'utf8')) : {};
const tunedPopularity = tuned.popularity?.options.popularity;
if (method !== 'popularity' && !tunedPopularity) console.warn('no tuned popularity yet: the fallback uses the defaults');

/** A serving-time variant of a trained model: fewer kept weights per item, another repeat weight. */
function atServing(model: RecommenderModel, keep: number | undefined, repeatWeight: number): RecommenderModel {
  const options = structuredClone(model.options);
  options.repeatWeight = repeatWeight;
  if (keep === undefined || (model.method !== 'item-item' && model.method !== 'ease')) return { ...model, options };
  if (model.method === 'item-item') options.itemItem.neighbours = keep;
  else options.ease.keepPerItem = keep;
  const g = model.itemGraph;
  const out = { offsets: [0], targets: [] as number[], weights: [] as number[] };
  for (let i = 0; i + 1 < g.offsets.length; i++) {
    for (let q = g.offsets[i]; q < Math.min(g.offsets[i + 1], g.offsets[i] + keep); q++) {
      out.targets.push(g.targets[q]);
      out.weights.push(g.weights[q]);
    }
    out.offsets.push(out.targets.length);
  }
  return { ...model, options, itemGraph: out };
}

interface Stage {
  name: string;
  values: unknown[];
  /** train: changes training options; serve: changes only serving (keep / repeatWeight). */
  kind: 'train' | 'serve';
  set: (o: TrainRecommenderOptions, v: unknown) => TrainRecommenderOptions;
}
const hl = (v: unknown) => (v === null ? '∞' : `${v} d`);
const popularityStart = tunedPopularity ?? {};
const starts: Record<typeof method, { start: TrainRecommenderOptions; stages: Stage[]; keepKey?: 'neighbours' | 'keepPerItem' }> = {
  popularity: {
    start: { method: 'popularity', popularity: { count: 'buyers', halfLifeDays: 30, countryPrior: 20 } },
    stages: [
      { name: 'popularity.count', kind: 'train', values: ['buyers', 'purchases', 'units'], set: (o, v) => ({ ...o, popularity: { ...o.popularity, count: v as 'buyers' } }) },
      { name: 'popularity.halfLifeDays', kind: 'train', values: [7, 14, 30, 60, 120, null], set: (o, v) => ({ ...o, popularity: { ...o.popularity, halfLifeDays: v as number | null } }) },
      { name: 'popularity.countryPrior', kind: 'train', values: [0, 5, 20, 100, 1000], set: (o, v) => ({ ...o, popularity: { ...o.popularity, countryPrior: v as number } }) },
    ],
  },
  'item-item': {
    start: { method: 'item-item', halfLifeDays: 180, itemItem: { neighbours: 400, maxItemsPerUser: 300 }, popularity: popularityStart },
    keepKey: 'neighbours',
    stages: [
      { name: 'halfLifeDays', kind: 'train', values: [30, 90, 180, 365, null], set: (o, v) => ({ ...o, halfLifeDays: v as number | null }) },
      { name: 'itemItem.maxItemsPerUser', kind: 'train', values: [100, 300, 1000], set: (o, v) => ({ ...o, itemItem: { ...o.itemItem, maxItemsPerUser: v as number } }) },
      { name: 'itemItem.neighbours', kind: 'serve', values: [10, 20, 50, 100, 200, 400], set: (o) => o },
    ],
  },
  ease: {
    start: { method: 'ease', halfLifeDays: 180, ease: { lambda: 300, topItems: 2500, keepPerItem: 400 }, popularity: popularityStart },
    keepKey: 'keepPerItem',
    stages: [
      { name: 'ease.lambda', kind: 'train', values: [100, 300, 1000, 3000], set: (o, v) => ({ ...o, ease: { ...o.ease, lambda: v as number } }) },
      { name: 'halfLifeDays', kind: 'train', values: [60, 180, 365, null], set: (o, v) => ({ ...o, halfLifeDays: v as number | null }) },
      { name: 'ease.topItems', kind: 'train', values: [1500, 2500, 3200], set: (o, v) => ({ ...o, ease: { ...o.ease, topItems: v as number } }) },
      { name: 'ease.keepPerItem', kind: 'serve', values: [25, 50, 100, 200, 400], set: (o) => o },
    ],
  },
  als: {
    start: { method: 'als', halfLifeDays: 180, als: { factors: 64, lambda: 1, alpha: 10, iterations: 10, seed: 1 }, popularity: popularityStart },
    stages: [
      { name: 'als.alpha', kind: 'train', values: [1, 3, 10, 30], set: (o, v) => ({ ...o, als: { ...o.als, alpha: v as number } }) },
      { name: 'als.lambda', kind: 'train', values: [0.1, 1, 10, 50], set: (o, v) => ({ ...o, als: { ...o.als, lambda: v as number } }) },
      { name: 'halfLifeDays', kind: 'train', values: [60, 180, null], set: (o, v) => ({ ...o, halfLifeDays: v as number | null }) },
      { name: 'als.factors', kind: 'train', values: [32, 64, 128], set: (o, v) => ({ ...o, als: { ...o.als, factors: v as number } }) },
    ],
  },
};

const started = performance.now();
const { purchases } = await loadPurchases(values.file!);
const val = makeSplit(purchases, 'validation', '2011-06-09', '2011-09-09');
console.log(`validation: ${val.train.length} train lines, ${val.truthAll.size} customers (all), ${val.truthNew.size} (new)`);

const plan = starts[method];
const rows: string[] = [];
const trainCache = new Map<string, { model: RecommenderModel; seconds: number }>();
function trained(o: TrainRecommenderOptions) {
  const key = JSON.stringify(resolveOptions(o));
  let hit = trainCache.get(key);
  if (!hit) {
    const t = performance.now();
    const model = trainRecommender(val.train, { ...o, repeatWeight: 0 });
    hit = { model, seconds: (performance.now() - t) / 1000 };
    trainCache.clear(); // one model in memory at a time (EASE's are large before pruning)
    trainCache.set(key, hit);
  }
  return hit;
}

let best = { options: plan.start, keep: undefined as number | undefined, newItems: undefined as Scores | undefined, allItems: undefined as Scores | undefined, seconds: 0 };
const stages: Stage[] = [...plan.stages];
if (method !== 'popularity') stages.push({ name: 'repeatWeight', kind: 'serve', values: [0, 0.25, 0.5, 0.75, 0.9, 0.97, 1], set: (o) => o });
let repeatWeight = 0;
for (const stage of stages) {
  let stageBest: typeof best | undefined;
  for (const v of stage.values) {
    const options = stage.kind === 'train' ? stage.set(best.options, v) : best.options;
    const { model, seconds } = trained(options);
    const keep = stage.name.endsWith('neighbours') || stage.name.endsWith('keepPerItem') ? (v as number) : best.keep;
    const rw = stage.name === 'repeatWeight' ? (v as number) : repeatWeight;
    const provider = createProvider(atServing(model, keep, rw));
    const newItems = evaluate(provider, val, true);
    const allItems = evaluate(provider, val, false);
    const label = stage.name.toLowerCase().includes('halflife') ? hl(v) : String(v);
    rows.push(`| ${stage.name} | ${label} | ${f4(newItems.recall)} | ${f4(newItems.ndcg)} | ${f4(allItems.recall)} | ${f4(allItems.ndcg)} | ${seconds.toFixed(1)} |`);
    console.log(rows.at(-1));
    const objective = (s: Scores, a: Scores) => (stage.name === 'repeatWeight' ? a.recall : s.recall);
    if (!stageBest || objective(newItems, allItems) > objective(stageBest.newItems!, stageBest.allItems!)) {
      stageBest = { options, keep, newItems, allItems, seconds };
      if (stage.name === 'repeatWeight') repeatWeight = v as number;
    }
  }
  best = stageBest!;
}

const chosen = resolveOptions({ ...best.options, repeatWeight });
if (plan.keepKey === 'neighbours') chosen.itemItem.neighbours = best.keep!;
if (plan.keepKey === 'keepPerItem') chosen.ease.keepPerItem = best.keep!;
const chosenOptions: TrainRecommenderOptions = { method: chosen.method, halfLifeDays: chosen.halfLifeDays, repeatWeight: chosen.repeatWeight, popularity: chosen.popularity };
if (method === 'item-item') chosenOptions.itemItem = chosen.itemItem;
if (method === 'ease') chosenOptions.ease = chosen.ease;
if (method === 'als') chosenOptions.als = chosen.als;
tuned[method] = { options: chosenOptions, validation: { newItems: best.newItems!, allItems: best.allItems!, trainSeconds: best.seconds } };
const minutes = (performance.now() - started) / 60_000;

const md = `## Validation: ${method}

Command: \`npx tsx bench/recommend/tune-recommender.ts --method ${method} --file ${values.file}\` (${minutes.toFixed(1)} min)
Machine: ${machine()}
Split: train before 2011-06-09 (${val.train.length.toLocaleString('en-GB')} lines), truth 2011-06-09 to 2011-09-09: ${val.truthNew.size.toLocaleString('en-GB')} customers with new items, ${val.truthAll.size.toLocaleString('en-GB')} with any. Coordinate search in table order, best of each stage kept; objective Recall@10 on new items, except \`repeatWeight\` (Recall@10 on all items).${method === 'popularity' ? '' : ` Fallback popularity: ${JSON.stringify(chosen.popularity)}.`}

| stage | value | R@10 new | NDCG@10 new | R@10 all | NDCG@10 all | train s |
|---|---|---|---|---|---|---|
${rows.join('\n')}

Chosen: \`${JSON.stringify(chosenOptions)}\``;
console.log(md);
if (values.write) {
  writeFileSync(TUNED_FILE, `${JSON.stringify(tuned, null, 2)}\n`);
  writeResultsSection(`validation-${method}`, md);
}
