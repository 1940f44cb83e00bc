/**
 * Clustering segments: k-means over standardised purchase features, k chosen by
 * silhouette, each cluster described in words by what sets its centroid apart, stored as a
 * versioned artifact in the model registry (name `clusters`) and applied with
 * `assignCluster`, which is what tags a profile `tags.cluster = <name>`.
 *
 * Design:
 * - Features (one row per buyer; a profile with no order has no purchase behaviour to
 *   cluster and gets no cluster): recency (days from the last order to `asOf`), frequency
 *   (orders), monetary (revenue), basket size (items per order) and the category mix (the
 *   shares of the profile's items in the most common categories of the training data, plus
 *   the rest). Only fields of aggregates the v1 schema has always had are read.
 * - Frequency, monetary and basket size are log1p'd before z-scoring: they are heavy-tailed
 *   (Online Retail: a median customer has 2 orders and £650, the largest 248 orders and
 *   £280,000), and on the raw scale a few wholesalers would each take a cluster and squash
 *   everyone else into one; on the log scale a ratio is a distance, which is how spend is
 *   compared ("ten times as much"). Recency stays linear: it is bounded by the history
 *   window, and 200 against 300 days lapsed matters as much to a marketer as 10 against 110.
 *   Shares are in [0, 1] and stay linear.
 * - The category block is weighted so that it counts as one feature, as each of the other
 *   four does (the five features the product names weigh the same): its m columns are each
 *   scaled by sqrt(1/m), so their variances add up to 1. Without it seven share columns
 *   would outvote the four purchase columns. A profile with no category data gets the
 *   training means there (z = 0): unknown, not "buys nothing".
 * - k-means++ seeding (Arthur & Vassilvitskii 2007) with the shared seeded RNG, Lloyd
 *   iterations to convergence, several restarts, the lowest within-cluster sum of squares
 *   kept. Every k has its own RNG stream (seed, k), so `--k 4` gives the model the search
 *   found for k = 4. Rows are sorted by profile id first: the result does not depend on the
 *   order a scan returned them in.
 * - Silhouette (Rousseeuw 1987) is O(n²): it is computed on one seeded sample of at most
 *   3,000 rows (all rows below that), the same sample for every k, so choosing k costs at
 *   most 7 × 9 M distances whatever the table size. k-means itself is O(n·k) per iteration
 *   and runs on every row. The best mean silhouette wins; a tie goes to the smaller k.
 * - Clusters are numbered by size, largest first (c1, c2, …); the labels and sizes stored
 *   are the nearest-centroid assignments of the final centroids, exactly what
 *   `assignCluster` returns for the same profiles and instant.
 *
 * Pure: no AWS SDK, no environment; the CLI (cli/commands/clusters.ts) reads the profiles,
 * publishes the artifact and writes the tags.
 */
import { z } from 'zod';
import type { Profile } from '../../../schemas/profile.ts';
import { parseArtifact } from '../shared/parse-artifact.ts';
import { seededRandom } from '../shared/random.ts';

export const CLUSTER_MODEL_SCHEMA_VERSION = 1;
/** The registry name of the model and the tag it writes. */
export const CLUSTER_MODEL_NAME = 'clusters';
export const CLUSTER_TAG = 'cluster';

/**
 * Rule-evaluated tags with the cluster tag carried over from the profile's current tags.
 * Tag (update-profiles) and re-tagging replace `tags` with what the rules produce; the
 * cluster tag is not a rule's, so they must keep it through this or it is lost at the
 * profile's next event.
 */
export function keepClusterTag(current: Readonly<Record<string, string | number | boolean>>, evaluated: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  return CLUSTER_TAG in current && !(CLUSTER_TAG in evaluated) ? { ...evaluated, [CLUSTER_TAG]: current[CLUSTER_TAG] } : evaluated;
}

export const DEFAULT_K_RANGE: readonly [number, number] = [2, 8];
export const DEFAULT_TOP_CATEGORIES = 6;
export const DEFAULT_RESTARTS = 4;
export const DEFAULT_MAX_ITERATIONS = 100;
export const DEFAULT_SILHOUETTE_SAMPLE = 3000;
/**
 * Online Retail's `categoryOf` files what it cannot place under `other`: never one of the
 * named category columns (it would read "mostly other"); its items count in the rest.
 */
const UNPLACED_CATEGORIES = new Set(['other', 'unknown', '']);

const DAY_MS = 86_400_000;

export const clusterFeatureSchema = z.object({
  name: z.string(),
  kind: z.enum(['recency', 'frequency', 'monetary', 'basket', 'category', 'categoryRest']),
  /** Applied before z-scoring. */
  transform: z.enum(['none', 'log1p']),
  /** The category a `category` column is the share of. */
  category: z.string().optional(),
  /** The multiplier of the z-score in the clustering space (the category block's share of the distance). */
  weight: z.number().positive(),
});
export type ClusterFeature = z.infer<typeof clusterFeatureSchema>;

const finite = z.number().refine(Number.isFinite, 'must be finite');

export const clusterModelSchema = z
  .object({
    version: z.literal(CLUSTER_MODEL_SCHEMA_VERSION),
    kind: z.literal('kmeans'),
    k: z.number().int().min(1),
    features: z.array(clusterFeatureSchema).min(1),
    /** Of each feature after its transform, over the training rows. */
    means: z.array(finite),
    sds: z.array(finite.refine((v) => v > 0, 'must be positive')),
    /** k rows of z-scores (unweighted): the cluster means in standard units. */
    centroids: z.array(z.array(finite)),
    /** The tag values, `c1-recent-high-spend`. */
    names: z.array(z.string().min(1)),
    descriptions: z.array(z.string()),
    /** Mean silhouette of the chosen k on the sample. */
    silhouette: finite,
    /** Every k tried, with its mean silhouette and within-cluster sum of squares (all rows). */
    selection: z.array(z.object({ k: z.number().int(), silhouette: finite, inertia: finite })),
    /** Training rows per cluster (nearest centroid). */
    sizes: z.array(z.number().int().nonnegative()),
    /** The instant recency was measured from (the `asOf` of training). */
    trainedAt: z.string(),
    /** Buyers the model was trained on. */
    rows: z.number().int().nonnegative(),
    seed: z.number().int(),
    silhouetteSample: z.number().int().nonnegative(),
  })
  .superRefine((m, ctx) => {
    const d = m.features.length;
    const bad = (path: string, message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    if (m.means.length !== d) bad('means', `must have one entry per feature (${d})`);
    if (m.sds.length !== d) bad('sds', `must have one entry per feature (${d})`);
    for (const key of ['centroids', 'names', 'descriptions', 'sizes'] as const) if (m[key].length !== m.k) bad(key, `must have k = ${m.k} entries`);
    if (m.centroids.some((c) => c.length !== d)) bad('centroids', `every centroid must have ${d} coordinates`);
    if (new Set(m.names).size !== m.names.length) bad('names', 'must be distinct');
  });
export type ClusterModel = z.infer<typeof clusterModelSchema>;

export class InvalidClusterModelError extends Error {
  constructor(readonly issues: string) {
    super(`not a valid clusters model: ${issues}`);
    this.name = 'InvalidClusterModelError';
  }
}

export const serializeClusterModel = (model: ClusterModel): string => JSON.stringify(model);
/** Reads an artifact from its JSON text or a parsed value; throws InvalidClusterModelError. */
export const parseClusterModel = (artifact: string | unknown): ClusterModel => parseArtifact(artifact, clusterModelSchema, (issues) => new InvalidClusterModelError(issues));

// ---- features -------------------------------------------------------------------------------

/** A buyer's purchase behaviour in natural units. */
export interface PurchaseFeatures {
  recencyDays: number;
  orders: number;
  revenue: number;
  itemsPerOrder: number;
  /** category → share of the items (sums to 1); undefined when the profile has no category data. */
  categoryShares?: Record<string, number>;
}

/** The features of a live buyer as of `asOf`; undefined for merged profiles and people with no order. */
export function purchaseFeatures(p: Profile, asOf: Date): PurchaseFeatures | undefined {
  if (p.mergedInto) return undefined;
  const a = p.aggregates;
  const orders = a.orders ?? 0;
  if (!(orders > 0)) return undefined;
  const last = Date.parse(a.lastOrderAt ?? a.lastSeen ?? '');
  if (Number.isNaN(last)) return undefined;
  const positive = (v: number | undefined) => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? v : 0);
  let total = 0;
  for (const v of Object.values(a.categories ?? {})) total += positive(v);
  const categoryShares = total > 0 ? Object.fromEntries(Object.entries(a.categories).map(([c, v]) => [c, positive(v) / total])) : undefined;
  return {
    // An order dated after asOf (clock skew, a late asOf) counts as today's.
    recencyDays: Math.max(0, (asOf.getTime() - last) / DAY_MS),
    orders,
    // Net of nothing: returns are their own aggregate; a negative total (data error) is 0.
    revenue: positive(a.revenue),
    itemsPerOrder: positive(a.items) / orders,
    ...(categoryShares ? { categoryShares } : {}),
  };
}

/** The top categories by summed per-buyer share: what most buyers buy, not what wholesalers buy most of. */
export function topCategories(rows: PurchaseFeatures[], n: number): string[] {
  const sum = new Map<string, number>();
  for (const r of rows) for (const [c, s] of Object.entries(r.categoryShares ?? {})) if (!UNPLACED_CATEGORIES.has(c)) sum.set(c, (sum.get(c) ?? 0) + s);
  return [...sum.entries()]
    .filter(([, s]) => s > 0)
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .slice(0, n)
    .map(([c]) => c);
}

export function featureSpecs(categories: string[]): ClusterFeature[] {
  const specs: ClusterFeature[] = [
    { name: 'recency_days', kind: 'recency', transform: 'none', weight: 1 },
    { name: 'orders', kind: 'frequency', transform: 'log1p', weight: 1 },
    { name: 'revenue', kind: 'monetary', transform: 'log1p', weight: 1 },
    { name: 'items_per_order', kind: 'basket', transform: 'log1p', weight: 1 },
  ];
  if (!categories.length) return specs;
  const w = Math.sqrt(1 / (categories.length + 1));
  for (const c of categories) specs.push({ name: `share_${c}`, kind: 'category', category: c, transform: 'none', weight: w });
  specs.push({ name: 'share_rest', kind: 'categoryRest', transform: 'none', weight: w });
  return specs;
}

/** One row after the transforms; undefined where the value is unknown (no category data). */
function transformed(f: PurchaseFeatures, specs: ClusterFeature[]): (number | undefined)[] {
  const named = new Set(specs.filter((s) => s.kind === 'category').map((s) => s.category!));
  return specs.map((s) => {
    let v: number | undefined;
    switch (s.kind) {
      case 'recency':
        v = f.recencyDays;
        break;
      case 'frequency':
        v = f.orders;
        break;
      case 'monetary':
        v = f.revenue;
        break;
      case 'basket':
        v = f.itemsPerOrder;
        break;
      case 'category':
        v = f.categoryShares ? (f.categoryShares[s.category!] ?? 0) : undefined;
        break;
      case 'categoryRest':
        v = f.categoryShares ? Math.max(0, 1 - [...named].reduce((t, c) => t + (f.categoryShares![c] ?? 0), 0)) : undefined;
        break;
    }
    return v === undefined ? undefined : s.transform === 'log1p' ? Math.log1p(v) : v;
  });
}

/** Means and standard deviations of the known values (a constant feature gets sd 1). */
function standardisation(rows: (number | undefined)[][], d: number): { means: number[]; sds: number[] } {
  const means: number[] = [];
  const sds: number[] = [];
  for (let j = 0; j < d; j++) {
    let n = 0;
    let sum = 0;
    for (const r of rows) if (r[j] !== undefined) (n++, (sum += r[j]!));
    const mean = n ? sum / n : 0;
    let ss = 0;
    for (const r of rows) if (r[j] !== undefined) ss += (r[j]! - mean) ** 2;
    const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
    means.push(mean);
    sds.push(sd > 1e-12 ? sd : 1);
  }
  return { means, sds };
}

const zScores = (row: (number | undefined)[], means: number[], sds: number[]) => row.map((v, j) => (v === undefined ? 0 : (v - means[j]) / sds[j]));
const weighted = (z: number[], specs: ClusterFeature[]) => z.map((v, j) => v * specs[j].weight);

// ---- k-means and silhouette -----------------------------------------------------------------

const dist2 = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const t = a[j] - b[j];
    s += t * t;
  }
  return s;
};

function nearest(point: number[], centroids: number[][]): { index: number; d2: number } {
  let index = 0;
  let d2 = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const d = dist2(point, centroids[c]);
    if (d < d2) (d2 = d), (index = c);
  }
  return { index, d2 };
}

/** k-means++ seeding: each next centre drawn with probability ∝ squared distance to the nearest chosen. */
export function kmeansPlusPlusInit(points: number[][], k: number, random: () => number): number[][] {
  const n = points.length;
  const centres = [points[Math.floor(random() * n)].slice()];
  const d2 = points.map((p) => dist2(p, centres[0]));
  while (centres.length < k) {
    const total = d2.reduce((s, v) => s + v, 0);
    let i: number;
    if (total > 0) {
      let u = random() * total;
      i = 0;
      while (i < n - 1 && (u -= d2[i]) >= 0) i++;
    } else i = Math.floor(random() * n); // fewer distinct points than k: any point
    centres.push(points[i].slice());
    for (let p = 0; p < n; p++) d2[p] = Math.min(d2[p], dist2(points[p], centres[centres.length - 1]));
  }
  return centres;
}

export interface KMeansResult {
  centroids: number[][];
  labels: number[];
  /** Within-cluster sum of squared distances. */
  inertia: number;
  iterations: number;
}

/** Lloyd iterations from a k-means++ start, `restarts` times; the lowest inertia is kept. */
export function kmeans(points: number[][], k: number, opts: { random: () => number; restarts?: number; maxIterations?: number }): KMeansResult {
  if (points.length < k) throw new Error(`k-means needs at least k = ${k} points, got ${points.length}`);
  const d = points[0].length;
  let best: KMeansResult | undefined;
  for (let r = 0; r < (opts.restarts ?? DEFAULT_RESTARTS); r++) {
    let centroids = kmeansPlusPlusInit(points, k, opts.random);
    const labels = new Array<number>(points.length).fill(-1);
    let iterations = 0;
    for (; iterations < (opts.maxIterations ?? DEFAULT_MAX_ITERATIONS); iterations++) {
      let changed = false;
      for (let i = 0; i < points.length; i++) {
        const c = nearest(points[i], centroids).index;
        if (c !== labels[i]) (labels[i] = c), (changed = true);
      }
      if (!changed) break;
      const sums = Array.from({ length: k }, () => new Array<number>(d).fill(0));
      const counts = new Array<number>(k).fill(0);
      for (let i = 0; i < points.length; i++) {
        counts[labels[i]]++;
        for (let j = 0; j < d; j++) sums[labels[i]][j] += points[i][j];
      }
      const next = sums.map((s, c) => (counts[c] ? s.map((v) => v / counts[c]) : centroids[c]));
      // An emptied cluster restarts at the point farthest from its centre (deterministic).
      for (let c = 0; c < k; c++) {
        if (counts[c]) continue;
        let far = 0;
        let farD = -1;
        for (let i = 0; i < points.length; i++) {
          const dd = dist2(points[i], next[labels[i]]);
          if (dd > farD) (farD = dd), (far = i);
        }
        next[c] = points[far].slice();
        labels[far] = c;
      }
      centroids = next;
    }
    // Final labels: the nearest centre of the final centroids (what assignCluster computes).
    let inertia = 0;
    for (let i = 0; i < points.length; i++) {
      const { index, d2 } = nearest(points[i], centroids);
      labels[i] = index;
      inertia += d2;
    }
    if (!best || inertia < best.inertia) best = { centroids, labels: labels.slice(), inertia, iterations };
  }
  return best!;
}

/**
 * Mean silhouette of the points with these labels: s(i) = (b − a) / max(a, b), a the mean
 * distance to the others of its cluster, b the smallest mean distance to another cluster;
 * 0 for a point alone in its cluster (Rousseeuw's convention). O(n²·d): pass a sample.
 */
export function silhouette(points: number[][], labels: number[], k: number): number {
  const n = points.length;
  const counts = new Array<number>(k).fill(0);
  for (const l of labels) counts[l]++;
  if (counts.filter((c) => c > 0).length < 2) return 0;
  const sums = new Float64Array(k);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[labels[j]] += Math.sqrt(dist2(points[i], points[j]));
    const own = labels[i];
    if (counts[own] < 2) continue;
    const a = sums[own] / (counts[own] - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && counts[c] > 0) b = Math.min(b, sums[c] / counts[c]);
    const m = Math.max(a, b);
    total += m > 0 ? (b - a) / m : 0;
  }
  return total / n;
}

/** `size` distinct indices of 0..n−1 (all of them, in order, when n ≤ size), by a partial Fisher–Yates shuffle. */
export function sampleIndices(n: number, size: number, random: () => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  if (n <= size) return idx;
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (n - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, size).sort((a, b) => a - b);
}

/** A 32-bit seed for one purpose of one run, so that each k has its own stream. */
const streamSeed = (seed: number, stream: number) => (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(stream + 1, 0x85ebca6b)) >>> 0;

// ---- descriptions ---------------------------------------------------------------------------

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** The words for one feature of a centroid: z in standard units, raw the centroid in natural units. */
function phrase(f: ClusterFeature, z: number, raw: number): { text: string; slug: string; purchase: boolean } {
  const up = z > 0;
  switch (f.kind) {
    case 'recency':
      return { text: up ? 'lapsed' : 'recent', slug: up ? 'lapsed' : 'recent', purchase: true };
    case 'frequency':
      return { text: up ? 'frequent' : 'infrequent', slug: up ? 'frequent' : 'infrequent', purchase: true };
    case 'monetary':
      return { text: up ? 'high-spend' : 'low-spend', slug: up ? 'high-spend' : 'low-spend', purchase: true };
    case 'basket':
      return { text: up ? 'large baskets' : 'small baskets', slug: up ? 'large-basket' : 'small-basket', purchase: true };
    case 'category': {
      const c = f.category!;
      if (!up) return { text: `little ${c}`, slug: `low-${slug(c)}`, purchase: false };
      return { text: raw >= 0.5 ? `mostly ${c}` : `more ${c}`, slug: slug(c), purchase: false };
    }
    case 'categoryRest':
      // The rest: every category outside the named columns (and items it could not place).
      return up
        ? { text: raw >= 0.5 ? 'mostly other categories' : 'more varied categories', slug: 'other-categories', purchase: false }
        : { text: 'few other categories', slug: 'core-categories', purchase: false };
  }
}

/** A centroid back in natural units (orders, £, days, shares), for words and reports. */
export function centroidInUnits(model: Pick<ClusterModel, 'features' | 'means' | 'sds'>, z: number[]): number[] {
  return z.map((v, j) => {
    const t = v * model.sds[j] + model.means[j];
    return model.features[j].transform === 'log1p' ? Math.expm1(t) : t;
  });
}

/**
 * The 2–3 features with the largest |z| of the centroid (the third only when |z| ≥ 0.5: a
 * weak third word would say less than two clear ones), in words: purchase behaviour first
 * in a fixed order, then the category mix (more of before less of) — "recent, frequent,
 * high-spend; mostly christmas".
 * The name is the cluster number and the two strongest words: `c1-recent-high-spend`.
 */
export function describeCentroid(model: Pick<ClusterModel, 'features' | 'means' | 'sds'>, z: number[], index: number): { name: string; description: string } {
  const raw = centroidInUnits(model, z);
  const order = z.map((v, j) => j).sort((a, b) => Math.abs(z[b]) - Math.abs(z[a]) || a - b);
  const picked = order.slice(0, 3).filter((j, rank) => rank < 2 || Math.abs(z[j]) >= 0.5);
  const phrases = new Map(picked.map((j) => [j, phrase(model.features[j], z[j], raw[j])]));
  const inFeatureOrder = [...picked].sort((a, b) => a - b);
  const purchase = inFeatureOrder.filter((j) => phrases.get(j)!.purchase).map((j) => phrases.get(j)!.text);
  // What the cluster buys more of before what it buys less of.
  const mix = inFeatureOrder
    .filter((j) => !phrases.get(j)!.purchase)
    .sort((a, b) => Number(z[b] > 0) - Number(z[a] > 0) || Math.abs(z[b]) - Math.abs(z[a]))
    .map((j) => phrases.get(j)!.text);
  const description = [purchase.join(', '), mix.join(', ')].filter(Boolean).join('; ');
  const name = [`c${index + 1}`, ...picked.slice(0, 2).map((j) => phrases.get(j)!.slug)].join('-').slice(0, 60);
  return { name, description };
}

// ---- training and assignment ----------------------------------------------------------------

export interface TrainClustersOptions {
  /** Recency is measured to this instant; it is stored as `trainedAt`. */
  asOf: Date;
  seed?: number;
  /** A fixed k; absent: the best silhouette over `kRange`. */
  k?: number;
  kRange?: readonly [number, number];
  topCategories?: number;
  restarts?: number;
  maxIterations?: number;
  silhouetteSample?: number;
}

export interface ClusterTraining {
  model: ClusterModel;
  /** The training rows' profile ids and cluster indices (in profile-id order). */
  assignments: { profileId: string; cluster: number }[];
  /** Profiles read but not clustered: merged, or without an order. */
  skipped: number;
}

export function trainClusters(profiles: Profile[], opts: TrainClustersOptions): ClusterTraining {
  const seed = opts.seed ?? 1;
  const buyers = profiles
    .map((p) => ({ id: p.profileId, f: purchaseFeatures(p, opts.asOf) }))
    .filter((r): r is { id: string; f: PurchaseFeatures } => r.f !== undefined)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const n = buyers.length;
  const [kMin, kMax] = opts.k ? [opts.k, opts.k] : (opts.kRange ?? DEFAULT_K_RANGE);
  if (kMin < 1 || kMax < kMin) throw new Error(`k range ${kMin}..${kMax} is empty`);
  if (n < Math.max(kMin, 2) + 1) throw new Error(`clustering needs more buyers than k: ${n} profiles with orders, k from ${kMin}`);

  const specs = featureSpecs(topCategories(buyers.map((b) => b.f), opts.topCategories ?? DEFAULT_TOP_CATEGORIES));
  const rows = buyers.map((b) => transformed(b.f, specs));
  const { means, sds } = standardisation(rows, specs.length);
  const points = rows.map((r) => weighted(zScores(r, means, sds), specs));

  const sample = sampleIndices(n, opts.silhouetteSample ?? DEFAULT_SILHOUETTE_SAMPLE, seededRandom(streamSeed(seed, 0)));
  const samplePoints = sample.map((i) => points[i]);
  const selection: ClusterModel['selection'] = [];
  let chosen: { k: number; fit: KMeansResult; silhouette: number } | undefined;
  for (let k = kMin; k <= Math.min(kMax, n - 1); k++) {
    const fit = kmeans(points, k, { random: seededRandom(streamSeed(seed, k)), restarts: opts.restarts, maxIterations: opts.maxIterations });
    const s = silhouette(samplePoints, sample.map((i) => fit.labels[i]), k);
    selection.push({ k, silhouette: s, inertia: fit.inertia });
    if (!chosen || s > chosen.silhouette) chosen = { k, fit, silhouette: s };
  }
  const { k, fit } = chosen!;

  // The centroids as stored (z units) and the labels recomputed from them by the very
  // arithmetic assignCluster uses, so stored sizes and later assignments agree exactly.
  const stored = fit.centroids.map((c) => c.map((v, j) => v / specs[j].weight));
  const reweighted = stored.map((c) => weighted(c, specs));
  const labels = points.map((p) => nearest(p, reweighted).index);
  // Number clusters by size, largest first; ties by the first member's position (stable).
  const sizesByOld = new Array<number>(k).fill(0);
  for (const l of labels) sizesByOld[l]++;
  const order = Array.from({ length: k }, (_, c) => c).sort((a, b) => sizesByOld[b] - sizesByOld[a] || labels.indexOf(a) - labels.indexOf(b));
  const newIndex = new Array<number>(k);
  order.forEach((old, i) => (newIndex[old] = i));
  const centroids = order.map((old) => stored[old]);
  const sizes = order.map((old) => sizesByOld[old]);
  const base = { features: specs, means, sds };
  const words = centroids.map((c, i) => describeCentroid(base, c, i));

  const model = clusterModelSchema.parse({
    version: CLUSTER_MODEL_SCHEMA_VERSION,
    kind: 'kmeans',
    k,
    ...base,
    centroids,
    names: words.map((w) => w.name),
    descriptions: words.map((w) => w.description),
    silhouette: chosen!.silhouette,
    selection,
    sizes,
    trainedAt: opts.asOf.toISOString(),
    rows: n,
    seed,
    silhouetteSample: sample.length,
  } satisfies ClusterModel);
  return { model, assignments: buyers.map((b, i) => ({ profileId: b.id, cluster: newIndex[labels[i]] })), skipped: profiles.length - n };
}

export interface ClusterAssignment {
  cluster: number;
  name: string;
  description: string;
  /** Distance to the centroid in the clustering space. */
  distance: number;
}

/** A buyer's point in the space the model clusters in (weighted z-scores), e.g. for an exact silhouette. */
export function clusterSpacePoint(model: Pick<ClusterModel, 'features' | 'means' | 'sds'>, f: PurchaseFeatures): number[] {
  return weighted(zScores(transformed(f, model.features), model.means, model.sds), model.features);
}

/** The cluster of a profile as of `asOf` (the nearest centroid); undefined for merged profiles and non-buyers. */
export function assignCluster(model: ClusterModel, profile: Profile, asOf: Date): ClusterAssignment | undefined {
  const f = purchaseFeatures(profile, asOf);
  if (!f) return undefined;
  const point = clusterSpacePoint(model, f);
  const { index, d2 } = nearest(point, model.centroids.map((c) => weighted(c, model.features)));
  return { cluster: index, name: model.names[index], description: model.descriptions[index], distance: Math.sqrt(d2) };
}
