/**
 * Gradient-boosted decision trees for a binary outcome (logistic loss), histogram-based,
 * with exact TreeSHAP explanations.
 *
 * Written here on purpose: there is no well-kept gradient-boosting library for JavaScript
 * (the ports of XGBoost/LightGBM are native bindings or abandoned), and what a scorer needs
 * is small — a few hundred shallow trees and their explanation.
 *
 * Training (second-order boosting as in XGBoost, Chen & Guestrin 2016):
 * - Numerics are cut into at most `bins` quantile bins once, up front; a split is "x ≤ a
 *   bin's upper value", so thresholds in the artifact are real training values in the
 *   feature's unit. Categoricals split into a set of levels vs the rest, found by ordering
 *   levels by gradient / (hessian + catSmooth) and scanning the prefixes (the LightGBM
 *   method; optimal for one split with a convex loss). A level unseen in training goes right.
 * - Depth-wise growth to `maxDepth`, a split only if both sides keep `minLeaf` rows and the
 *   gain is positive; leaf value −G / (H + λ) times the learning rate; rows subsampled per
 *   tree (seeded) for variance, all rows re-scored after each tree.
 * - Every node keeps its cover (training rows that reached it), which TreeSHAP needs.
 * - `initMargin` starts the boosting from another model's log-odds (a logistic regression,
 *   see train.ts) instead of the base rate; the trees then fit what it leaves over.
 *
 * Explanation: path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent
 * Individualized Feature Attribution for Tree Ensembles", Algorithm 2): exact Shapley
 * values of E[f(x) | x_S] under the trees' cover distribution, in log-odds. Per tree,
 * Σ φ = f(x) − E[f], so base (baseScore + Σ tree expectations) + Σ φ = the log-odds.
 */
import type { Feature, GbmParams, Tree } from './artifact.ts';
import { levelIndex, numericValue, type RawFeatures } from './features.ts';
import { seededRandom } from '../shared/random.ts';
import { sigmoid } from './math.ts';

export interface GbmOptions {
  /** @default 300 */
  trees?: number;
  /** @default 0.05 */
  learningRate?: number;
  /** @default 4 */
  maxDepth?: number;
  /** Fewest training rows in a leaf. @default 20 */
  minLeaf?: number;
  /** L2 on leaf values. @default 1 */
  lambda?: number;
  /** At most 255 (bins are bytes). @default 64 */
  bins?: number;
  /** Share of rows each tree sees. @default 0.8 */
  subsample?: number;
  /** Smoothing of the gradient ratio that orders levels in a categorical split. @default 10 */
  catSmooth?: number;
  seed?: number;
}

interface BuildSplit { feature: number; mask: Uint8Array; left: number; right: number; cover: number }
interface BuildLeaf { value: number; cover: number }
type BuildNode = BuildSplit | BuildLeaf;

/** Upper values of the quantile bins: bin b holds values v ≤ thresholds[b] (and > thresholds[b−1]). */
export function binThresholds(values: ArrayLike<number>, bins: number): number[] {
  const sorted = Float64Array.from(values).sort();
  const distinct: number[] = [];
  for (const v of sorted) if (distinct.length === 0 || v !== distinct[distinct.length - 1]) distinct.push(v);
  if (distinct.length <= bins) return distinct.slice(0, -1);
  const out: number[] = [];
  for (let b = 1; b < bins; b++) {
    const v = sorted[Math.floor((b * sorted.length) / bins) - 1];
    if ((out.length === 0 || v > out[out.length - 1]) && v < distinct[distinct.length - 1]) out.push(v);
  }
  return out;
}

function lowerBound(thresholds: number[], v: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (thresholds[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Fits boosted trees on raw feature records and 0/1 labels; `features` come from describeFeatures. */
export function fitGbm(features: Feature[], rows: RawFeatures[], y: ArrayLike<number>, options: GbmOptions = {}, initMargin?: ArrayLike<number>): GbmParams {
  const n = rows.length;
  if (n === 0 || n !== y.length) throw new RangeError('need as many labels as rows, and at least one row');
  const o = { trees: 300, learningRate: 0.05, maxDepth: 4, minLeaf: 20, lambda: 1, bins: 64, subsample: 0.8, catSmooth: 10, seed: 1, ...options };
  if (o.bins > 255 || o.bins < 2) throw new RangeError('bins must be in 2…255');
  const random = seededRandom(o.seed);

  // 1. Bin every feature once.
  const binned: Uint8Array[] = [];
  const thresholds: number[][] = [];
  const nBins: number[] = [];
  for (const f of features) {
    const col = new Uint8Array(n);
    if (f.kind === 'numeric') {
      const values = rows.map((r) => numericValue(f, r));
      const thr = binThresholds(values, o.bins);
      for (let i = 0; i < n; i++) col[i] = lowerBound(thr, values[i]);
      thresholds.push(thr);
      nBins.push(thr.length + 1);
    } else {
      if (f.levels.length > 254) throw new RangeError(`${f.name}: more than 254 levels`);
      for (let i = 0; i < n; i++) {
        const k = levelIndex(f, rows[i]);
        col[i] = k < 0 ? f.levels.length : k;
      }
      thresholds.push([]);
      nBins.push(f.levels.length + 1);
    }
    binned.push(col);
  }

  // Row-major copy: a histogram pass reads one row's bins together.
  const F = features.length;
  const rowBins = new Uint8Array(n * F);
  for (let f = 0; f < F; f++) for (let i = 0; i < n; i++) rowBins[i * F + f] = binned[f][i];
  const binOffset: number[] = [];
  let totalBins = 0;
  for (const nb of nBins) {
    binOffset.push(totalBins);
    totalBins += nb;
  }

  // 2. Boost.
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i];
  const rate = Math.min(Math.max(positives / n, 1e-6), 1 - 1e-6);
  // With an initial margin (another model's log-odds) the trees fit what it leaves over.
  const baseScore = initMargin ? 0 : Math.log(rate / (1 - rate));
  const margin = initMargin ? Float64Array.from(initMargin) : new Float64Array(n).fill(baseScore);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const trees: Tree[] = [];
  const all = Int32Array.from({ length: n }, (_, i) => i);

  for (let t = 0; t < o.trees; t++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(margin[i]);
      g[i] = p - y[i];
      h[i] = Math.max(p * (1 - p), 1e-12);
    }
    let sample = all;
    if (o.subsample < 1) {
      const picked: number[] = [];
      for (let i = 0; i < n; i++) if (random() < o.subsample) picked.push(i);
      sample = Int32Array.from(picked);
    }
    const nodes: BuildNode[] = [];
    // Histograms of all features in one flat array, (G, H, count) per bin; a child's is built
    // only for the smaller child, the larger one is the parent's minus it.
    const buildHist = (idx: Int32Array): Float64Array => {
      const hist = new Float64Array(totalBins * 3);
      for (let q = 0; q < idx.length; q++) {
        const i = idx[q];
        const gi = g[i];
        const hi = h[i];
        const base = i * F;
        for (let f = 0; f < F; f++) {
          const k = (binOffset[f] + rowBins[base + f]) * 3;
          hist[k] += gi;
          hist[k + 1] += hi;
          hist[k + 2] += 1;
        }
      }
      return hist;
    };
    const grow = (idx: Int32Array, depth: number, hist: Float64Array | undefined): number => {
      const id = nodes.length;
      const size = idx.length;
      let G = 0;
      let H = 0;
      for (let q = 0; q < size; q++) {
        const i = idx[q];
        G += g[i];
        H += h[i];
      }
      const leaf: BuildLeaf = { value: (-G / (H + o.lambda)) * o.learningRate, cover: size };
      nodes.push(leaf);
      if (depth >= o.maxDepth || size < 2 * o.minLeaf) return id;
      hist ??= buildHist(idx);
      const parentScore = (G * G) / (H + o.lambda);
      let best: { gain: number; feature: number; mask: Uint8Array } | undefined;
      for (let f = 0; f < F; f++) {
        const nb = nBins[f];
        const off = binOffset[f] * 3;
        // Scan order: bins as they are for numerics, levels by gradient ratio for categoricals.
        let order: number[];
        if (features[f].kind === 'numeric') order = Array.from({ length: nb }, (_, b) => b);
        else
          order = Array.from({ length: nb }, (_, b) => b)
            .filter((b) => hist[off + b * 3 + 2] > 0)
            .sort((a, b) => hist[off + a * 3] / (hist[off + a * 3 + 1] + o.catSmooth) - hist[off + b * 3] / (hist[off + b * 3 + 1] + o.catSmooth));
        let GL = 0;
        let HL = 0;
        let CL = 0;
        for (let k = 0; k < order.length - 1; k++) {
          const j = off + order[k] * 3;
          GL += hist[j];
          HL += hist[j + 1];
          CL += hist[j + 2];
          const CR = size - CL;
          if (CL < o.minLeaf) continue;
          if (CR < o.minLeaf) break;
          const GR = G - GL;
          const HR = H - HL;
          const gain = (GL * GL) / (HL + o.lambda) + (GR * GR) / (HR + o.lambda) - parentScore;
          if (gain > 1e-9 && (!best || gain > best.gain)) {
            const mask = new Uint8Array(nb);
            for (let q = 0; q <= k; q++) mask[order[q]] = 1;
            best = { gain, feature: f, mask };
          }
        }
      }
      if (!best) return id;
      const col = best.feature;
      const mask = best.mask;
      let nLeft = 0;
      for (let q = 0; q < size; q++) nLeft += mask[rowBins[idx[q] * F + col]];
      const leftIdx = new Int32Array(nLeft);
      const rightIdx = new Int32Array(size - nLeft);
      let a = 0;
      let c = 0;
      for (let q = 0; q < size; q++) {
        const i = idx[q];
        if (mask[rowBins[i * F + col]]) leftIdx[a++] = i;
        else rightIdx[c++] = i;
      }
      // Children that will not split need no histogram at all.
      const needs = (child: Int32Array) => depth + 1 < o.maxDepth && child.length >= 2 * o.minLeaf;
      let leftHist: Float64Array | undefined;
      let rightHist: Float64Array | undefined;
      if (needs(leftIdx) || needs(rightIdx)) {
        const leftSmaller = nLeft <= size - nLeft;
        const small = buildHist(leftSmaller ? leftIdx : rightIdx);
        const large = hist;
        for (let k = 0; k < large.length; k++) large[k] -= small[k];
        [leftHist, rightHist] = leftSmaller ? [small, large] : [large, small];
      }
      const left = grow(leftIdx, depth + 1, leftHist);
      const right = grow(rightIdx, depth + 1, rightHist);
      nodes[id] = { feature: best.feature, mask: best.mask, left, right, cover: size };
      return id;
    };
    grow(sample, 0, undefined);

    // Re-score every row (sampled or not) by routing its bins.
    for (let i = 0; i < n; i++) {
      let k = 0;
      for (;;) {
        const node = nodes[k];
        if (!('feature' in node)) {
          margin[i] += node.value;
          break;
        }
        k = node.mask[binned[node.feature][i]] ? node.left : node.right;
      }
    }
    trees.push(
      nodes.map((node) => {
        if (!('feature' in node)) return { value: node.value, cover: node.cover };
        const f = features[node.feature];
        const split = { feature: node.feature, left: node.left, right: node.right, cover: node.cover };
        if (f.kind === 'numeric') {
          const lastLeft = node.mask.lastIndexOf(1);
          return { ...split, threshold: thresholds[node.feature][lastLeft] };
        }
        const leftLevels: number[] = [];
        for (let b = 0; b < f.levels.length; b++) if (node.mask[b]) leftLevels.push(b);
        return { ...split, leftLevels };
      }),
    );
  }
  return { family: 'gbm', baseScore, learningRate: o.learningRate, trees };
}

// ---------------------------------------------------------------------------------------
// Scoring and TreeSHAP on the artifact's trees (raw values, not bins).

/** Flat arrays per tree: faster to walk than the artifact's node objects. */
interface PreparedTree {
  feature: Int32Array; // −1 for a leaf
  threshold: Float64Array; // NaN for a categorical split
  leftMask: (Uint8Array | null)[];
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  cover: Float64Array;
  expected: number;
  depth: number;
}
interface PreparedGbm { trees: PreparedTree[]; expected: number; pathSize: number }

const prepared = new WeakMap<GbmParams, PreparedGbm>();

function prepareTree(tree: Tree, features: Feature[]): PreparedTree {
  const m = tree.length;
  const p: PreparedTree = {
    feature: new Int32Array(m).fill(-1),
    threshold: new Float64Array(m).fill(Number.NaN),
    leftMask: new Array(m).fill(null),
    left: new Int32Array(m),
    right: new Int32Array(m),
    value: new Float64Array(m),
    cover: new Float64Array(m),
    expected: 0,
    depth: 0,
  };
  tree.forEach((node, i) => {
    p.cover[i] = node.cover;
    if (!('feature' in node)) {
      p.value[i] = node.value;
      return;
    }
    p.feature[i] = node.feature;
    p.left[i] = node.left;
    p.right[i] = node.right;
    const f = features[node.feature];
    if (node.threshold !== undefined) p.threshold[i] = node.threshold;
    if (node.leftLevels !== undefined && f.kind === 'categorical') {
      const mask = new Uint8Array(f.levels.length);
      for (const l of node.leftLevels) mask[l] = 1;
      p.leftMask[i] = mask;
    }
  });
  const walk = (i: number, depth: number): number => {
    p.depth = Math.max(p.depth, depth);
    if (p.feature[i] < 0) return p.value[i];
    return (p.cover[p.left[i]] * walk(p.left[i], depth + 1) + p.cover[p.right[i]] * walk(p.right[i], depth + 1)) / p.cover[i];
  };
  p.expected = walk(0, 0);
  return p;
}

function prepare(params: GbmParams, features: Feature[]): PreparedGbm {
  let p = prepared.get(params);
  if (!p) {
    const trees = params.trees.map((t) => prepareTree(t, features));
    const maxDepth = trees.reduce((d, t) => Math.max(d, t.depth), 0);
    p = { trees, expected: params.baseScore + trees.reduce((s, t) => s + t.expected, 0), pathSize: ((maxDepth + 2) * (maxDepth + 3)) / 2 + 1 };
    prepared.set(params, p);
  }
  return p;
}

/** A profile's values as the trees read them: numerics (filled) and level indices (−1 unseen). */
export interface TreeInputs { numeric: Float64Array; level: Int32Array }

export function treeInputs(features: Feature[], raw: RawFeatures): TreeInputs {
  const numeric = new Float64Array(features.length);
  const level = new Int32Array(features.length).fill(-1);
  features.forEach((f, j) => {
    if (f.kind === 'numeric') numeric[j] = numericValue(f, raw);
    else level[j] = levelIndex(f, raw);
  });
  return { numeric, level };
}

function goesLeft(t: PreparedTree, node: number, x: TreeInputs): boolean {
  const f = t.feature[node];
  const mask = t.leftMask[node];
  if (mask) {
    const l = x.level[f];
    return l >= 0 && l < mask.length && mask[l] === 1;
  }
  return x.numeric[f] <= t.threshold[node];
}

function leafValue(t: PreparedTree, x: TreeInputs): number {
  let k = 0;
  while (t.feature[k] >= 0) k = goesLeft(t, k, x) ? t.left[k] : t.right[k];
  return t.value[k];
}

/** Log-odds of a profile. */
export function gbmLogit(params: GbmParams, features: Feature[], x: TreeInputs): number {
  const p = prepare(params, features);
  let z = params.baseScore;
  for (const t of p.trees) z += leafValue(t, x);
  return z;
}

/** E[f]: the log-odds the explanation starts from (cover-weighted mean of every tree). */
export function gbmExpectedLogit(params: GbmParams, features: Feature[]): number {
  return prepare(params, features).expected;
}

/** The unique path of TreeSHAP as parallel arrays; each recursion level uses its own segment. */
interface Path { fi: Int32Array; zf: Float64Array; of: Float64Array; w: Float64Array }

function extendPath(p: Path, at: number, depth: number, zero: number, one: number, feature: number): void {
  p.fi[at + depth] = feature;
  p.zf[at + depth] = zero;
  p.of[at + depth] = one;
  p.w[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    p.w[at + i + 1] += (one * p.w[at + i] * (i + 1)) / (depth + 1);
    p.w[at + i] = (zero * p.w[at + i] * (depth - i)) / (depth + 1);
  }
}

function unwindPath(p: Path, at: number, depth: number, index: number): void {
  const one = p.of[at + index];
  const zero = p.zf[at + index];
  let next = p.w[at + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = p.w[at + i];
      p.w[at + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (p.w[at + i] * zero * (depth - i)) / (depth + 1);
    } else {
      p.w[at + i] = (p.w[at + i] * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    p.fi[at + i] = p.fi[at + i + 1];
    p.zf[at + i] = p.zf[at + i + 1];
    p.of[at + i] = p.of[at + i + 1];
  }
}

function unwoundPathSum(p: Path, at: number, depth: number, index: number): number {
  const one = p.of[at + index];
  const zero = p.zf[at + index];
  let next = p.w[at + depth];
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = p.w[at + i] - (tmp * zero * (depth - i)) / (depth + 1);
    } else {
      total += p.w[at + i] / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

function treeShapRecurse(t: PreparedTree, x: TreeInputs, phi: Float64Array, p: Path, node: number, depth: number, parentAt: number, zero: number, one: number, feature: number): void {
  const at = parentAt + depth + 1;
  for (let i = 0; i < depth; i++) {
    p.fi[at + i] = p.fi[parentAt + i];
    p.zf[at + i] = p.zf[parentAt + i];
    p.of[at + i] = p.of[parentAt + i];
    p.w[at + i] = p.w[parentAt + i];
  }
  extendPath(p, at, depth, zero, one, feature);
  const split = t.feature[node];
  if (split < 0) {
    for (let i = 1; i <= depth; i++) {
      const w = unwoundPathSum(p, at, depth, i);
      phi[p.fi[at + i]] += w * (p.of[at + i] - p.zf[at + i]) * t.value[node];
    }
    return;
  }
  const left = goesLeft(t, node, x);
  const hot = left ? t.left[node] : t.right[node];
  const cold = left ? t.right[node] : t.left[node];
  const hotZero = t.cover[hot] / t.cover[node];
  const coldZero = t.cover[cold] / t.cover[node];
  let incomingZero = 1;
  let incomingOne = 1;
  // A feature split on again further down: undo its earlier entry, carry its fractions.
  let k = 0;
  while (k <= depth && p.fi[at + k] !== split) k++;
  if (k <= depth) {
    incomingZero = p.zf[at + k];
    incomingOne = p.of[at + k];
    unwindPath(p, at, depth, k);
    depth -= 1;
  }
  treeShapRecurse(t, x, phi, p, hot, depth + 1, at, hotZero * incomingZero, incomingOne, split);
  treeShapRecurse(t, x, phi, p, cold, depth + 1, at, coldZero * incomingZero, 0, split);
}

/** Log-odds, E[f] and the TreeSHAP value of every feature (spec order); base + Σ φ = value. */
export function gbmExplain(params: GbmParams, features: Feature[], x: TreeInputs): { value: number; base: number; phi: Float64Array } {
  const prep = prepare(params, features);
  const phi = new Float64Array(features.length);
  const size = prep.pathSize * 2 + 8;
  const path: Path = { fi: new Int32Array(size), zf: new Float64Array(size), of: new Float64Array(size), w: new Float64Array(size) };
  let value = params.baseScore;
  for (const t of prep.trees) {
    value += leafValue(t, x);
    treeShapRecurse(t, x, phi, path, 0, 0, 0, 1, 1, -1);
  }
  return { value, base: prep.expected, phi };
}
