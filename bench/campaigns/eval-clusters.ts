/**
 * Clustering segments on UCI Online Retail (issue 11): silhouette per k = 2..8, the k
 * chosen, cluster sizes and their descriptions, written to bench/results/clusters.md.
 *
 *   npx tsx bench/campaigns/eval-clusters.ts [--file ../shared/datasets/online-retail.csv.gz] [--as-of 2011-12-10T00:00:00Z] [--seed 1] [--seeds 3] [--show-k 4]
 *
 * Each customer becomes a profile with the aggregates the Profiles piece would have folded
 * from the replayed events (datasets/online-retail.ts converts lines to events the same
 * way): orders = distinct purchase invoices, revenue = Σ quantity × price, items = Σ
 * quantity, lastOrderAt = the latest invoice (UK shop time to UTC), categories = items per
 * `categoryOf` category, the top 20 kept. Lines are cleaned by `classifyRetailLine`; exact
 * duplicate lines are dropped across the file, as the scoring loader does. Customers with
 * only returns have no order and are not clustered, as in the product.
 *
 * `--seeds n` re-trains with seeds 1..n to show whether the choice of k depends on the seed;
 * `--show-k N` also lists the clusters of a fixed k (what `--k N` gives), 0 for none.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { profileSchema, type Profile } from '../../schemas/profile.ts';
import { categoryOf, classifyRetailLine, ukLocalToUtc, type RetailRow } from '../../datasets/online-retail.ts';
import { readCsv } from '../../datasets/read-csv.ts';
import { DEFAULT_RETAIL } from '../../datasets/scoring-data.ts';
import { assignCluster, centroidInUnits, clusterSpacePoint, DEFAULT_RESTARTS, purchaseFeatures, silhouette, trainClusters, type ClusterModel } from '../../functions/domain/campaigns/clusters.ts';
import { machine } from '../lib/report.ts';

export const CLUSTERS_RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'clusters.md');
/** What the profile fold keeps of `categories` (schemas/profile.ts). */
const MAX_CATEGORIES = 20;

interface Customer {
  invoices: Set<string>;
  revenue: number;
  items: number;
  last: string;
  first: string;
  categories: Map<string, number>;
  country: string;
}

export async function retailProfiles(file: string, asOf: Date): Promise<{ profiles: Profile[]; lines: number; purchaseLines: number; duplicates: number; customers: number }> {
  const customers = new Map<string, Customer>();
  const seen = new Set<string>();
  let lines = 0;
  let purchaseLines = 0;
  let duplicates = 0;
  for await (const r of readCsv<RetailRow>(file)) {
    lines++;
    const line = classifyRetailLine(r, {
      isDuplicate: (row) => {
        const key = `${row.InvoiceNo}|${row.StockCode}|${row.Description}|${row.Quantity}|${row.InvoiceDate}|${row.UnitPrice}|${row.CustomerID}`;
        if (seen.has(key)) return true;
        seen.add(key);
        return false;
      },
    });
    if (line.kind === 'rejected') {
      if (line.reason === 'duplicate_line') duplicates++;
      continue;
    }
    if (!line.customerId) continue;
    const at = ukLocalToUtc(line.date);
    if (Date.parse(at) > asOf.getTime()) continue;
    const c =
      customers.get(line.customerId) ??
      customers.set(line.customerId, { invoices: new Set(), revenue: 0, items: 0, last: '', first: at, categories: new Map(), country: line.country }).get(line.customerId)!;
    if (line.kind !== 'purchase') continue;
    purchaseLines++;
    c.invoices.add(line.invoiceNo);
    c.revenue += line.quantity * line.price;
    c.items += line.quantity;
    if (at > c.last) c.last = at;
    if (at < c.first) c.first = at;
    const cat = categoryOf(line.name);
    c.categories.set(cat, (c.categories.get(cat) ?? 0) + line.quantity);
  }
  const profiles = [...customers.entries()].map(([id, c]) =>
    profileSchema.parse({
      schemaVersion: 1,
      profileId: `retail-${id}`,
      version: 1,
      createdAt: c.first,
      updatedAt: c.last || c.first,
      identities: { userIds: [id] },
      traits: { country: c.country },
      aggregates: {
        orders: c.invoices.size,
        revenue: Math.round(c.revenue * 100) / 100,
        items: c.items,
        ...(c.last ? { firstOrderAt: c.first, lastOrderAt: c.last } : {}),
        categories: Object.fromEntries([...c.categories.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_CATEGORIES)),
      },
    }),
  );
  return { profiles, lines, purchaseLines, duplicates, customers: customers.size };
}

const table = (header: string[], rows: (string | number)[][]) => [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const int = (n: number) => Math.round(n).toLocaleString('en-GB');

function clusterRows(model: ClusterModel): (string | number)[][] {
  const shareCols = model.features.map((f, j) => ({ f, j })).filter(({ f }) => f.kind === 'category' || f.kind === 'categoryRest');
  return model.names.map((name, i) => {
    const u = centroidInUnits(model, model.centroids[i]);
    // The category the centroid leans to most (largest z), with its share of the cluster's items.
    const z = model.centroids[i];
    const top = [...shareCols].sort((a, b) => z[b.j] - z[a.j])[0];
    const topText = top ? `${top.f.category ?? 'rest'} ${(100 * u[top.j]).toFixed(0)} % (z ${z[top.j] >= 0 ? '+' : ''}${z[top.j].toFixed(2)})` : '—';
    return [
      `\`${name}\``,
      int(model.sizes[i]),
      `${((100 * model.sizes[i]) / model.rows).toFixed(1)} %`,
      model.descriptions[i],
      int(u[0]),
      u[1].toFixed(1),
      `£${int(u[2])}`,
      int(u[3]),
      topText,
    ];
  });
}

async function main() {
  const { values } = parseArgs({
    options: { file: { type: 'string', default: DEFAULT_RETAIL }, 'as-of': { type: 'string', default: '2011-12-10T00:00:00Z' }, seed: { type: 'string', default: '1' }, seeds: { type: 'string', default: '3' }, 'show-k': { type: 'string', default: '4' } },
  });
  const asOf = new Date(values['as-of']!);
  const seed = Number(values.seed);
  const started = performance.now();
  const data = await retailProfiles(values.file!, asOf);
  const loaded = (performance.now() - started) / 1000;
  const t0 = performance.now();
  const { model, skipped } = trainClusters(data.profiles, { asOf, seed });
  const trainSeconds = (performance.now() - t0) / 1000;

  // The silhouette the sample estimates, on every row (O(n²): affordable once at this size).
  const t1 = performance.now();
  const buyers = data.profiles.filter((p) => purchaseFeatures(p, asOf));
  const fullSilhouette = silhouette(
    buyers.map((p) => clusterSpacePoint(model, purchaseFeatures(p, asOf)!)),
    buyers.map((p) => assignCluster(model, p, asOf)!.cluster),
    model.k,
  );
  const fullSeconds = (performance.now() - t1) / 1000;

  const seeds: { seed: number; k: number; silhouette: number; sizes: number[] }[] = [];
  for (let s = 1; s <= Number(values.seeds); s++) {
    const m = s === seed ? model : trainClusters(data.profiles, { asOf, seed: s }).model;
    seeds.push({ seed: s, k: m.k, silhouette: m.silhouette, sizes: m.sizes });
  }

  // What a marketer who asks for more segments than the silhouette picks (`--k N`) gets.
  const showK = Number(values['show-k']);
  const shown = showK && showK !== model.k ? trainClusters(data.profiles, { asOf, seed, k: showK }).model : undefined;

  const features = model.features.map((f) => `\`${f.name}\`${f.transform === 'log1p' ? ' (log1p)' : ''}${f.weight !== 1 ? ` ×${f.weight.toFixed(3)}` : ''}`).join(', ');
  const md = `## Clustering segments (UCI Online Retail, as of ${asOf.toISOString().slice(0, 10)})

Command: \`npx tsx bench/campaigns/eval-clusters.ts --file ${values.file} --as-of ${values['as-of']} --seed ${seed} --seeds ${values.seeds} --show-k ${values['show-k']}\`
Machine: ${machine()}
Data: ${int(data.lines)} lines, ${int(data.purchaseLines)} purchase lines of customers kept (${int(data.duplicates)} exact duplicate lines dropped); ${int(data.customers)} customers, ${int(model.rows)} with at least one order clustered, ${int(skipped)} (returns only) skipped. Read in ${loaded.toFixed(1)} s; trained (k = 2..8, ${DEFAULT_RESTARTS} restarts each, silhouette on a seeded sample of ${int(model.silhouetteSample)}) in ${trainSeconds.toFixed(1)} s.

Features (z-scored; the category block weighted to count as one feature): ${features}.

Silhouette per k (seed ${seed}; mean over the sample, in the weighted z space k-means minimises; inertia = within-cluster sum of squares over all rows):

${table(['k', 'silhouette', 'inertia'], model.selection.map((s) => [s.k === model.k ? `**${s.k}**` : s.k, s.k === model.k ? `**${s.silhouette.toFixed(4)}**` : s.silhouette.toFixed(4), int(s.inertia)]))}

Chosen: **k = ${model.k}**, silhouette ${model.silhouette.toFixed(4)} on the sample; ${fullSilhouette.toFixed(4)} on all ${int(buyers.length)} rows (exact, ${fullSeconds.toFixed(1)} s: what the sample estimates).

Clusters (numbered by size; centroid in natural units — a log1p feature's centroid is a geometric-mean-like value, not an arithmetic mean):

${table(['name (tags.cluster)', 'size', 'share', 'description', 'recency days', 'orders', 'revenue', 'items/order', 'leaning category: share (z)'], clusterRows(model))}

${
  shown
    ? `With a fixed k = ${shown.k} (\`sightline segment cluster --k ${shown.k}\`; silhouette ${shown.silhouette.toFixed(4)}):

${table(['name (tags.cluster)', 'size', 'share', 'description', 'recency days', 'orders', 'revenue', 'items/order', 'leaning category: share (z)'], clusterRows(shown))}

`
    : ''
}Seed stability (same data, seeds 1..${values.seeds}):

${table(['seed', 'chosen k', 'silhouette', 'sizes'], seeds.map((s) => [s.seed, s.k, s.silhouette.toFixed(4), s.sizes.map(int).join(' / ')]))}

The seed draws both the k-means++ starts and the silhouette sample: where the sizes agree across seeds the partition is the same, and the silhouettes differ only by the sample.
`;
  writeResults('online-retail', md);
  console.log(md);
}

const HEADER = `# Clustering segments — results (issue 11)

Each section names the command that produced it and the machine it ran on; re-run the
command to refresh it. Data: UCI Online Retail, read from ../shared/datasets/ (never committed).
The model is functions/domain/campaigns/clusters.ts, the command \`sightline segment cluster\`.
`;

function writeResults(name: string, markdown: string): void {
  const begin = `<!-- section:${name} -->`;
  const end = `<!-- /section:${name} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  mkdirSync(dirname(CLUSTERS_RESULTS), { recursive: true });
  let text = existsSync(CLUSTERS_RESULTS) ? readFileSync(CLUSTERS_RESULTS, 'utf8') : HEADER;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(CLUSTERS_RESULTS, text);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
