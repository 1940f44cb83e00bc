/**
 * Implicit-feedback matrix factorisation by alternating least squares (Hu, Koren, Volinsky
 * 2008): preference p_ui = 1 for every bought item, confidence c_ui = 1 + α · frequency_ui
 * (recency-weighted purchase lines), and the unbought items count as weak negatives
 * (c = 1). Each half-iteration solves, per user (then per item),
 *   (YᵀY + Yᵀ(Cᵤ − I)Y + λI) xᵤ = Yᵀ Cᵤ p(u)
 * using YᵀY once per half-iteration, so a row costs n_u · f² + f³/3, not items · f².
 *
 * Only item factors are stored: a person's factor is folded in from their history per
 * request (the same solve), so new purchases count without retraining. Deterministic: a
 * seeded generator initialises the factors.
 */
import { choleskyInPlace, choleskySolveInPlace } from './dense-matrix.ts';
import { itemColumns, type InteractionMatrix } from './interactions.ts';
import type { RecommenderOptions } from './model-schema.ts';
import { seededRandom } from '../shared/random.ts';


/** FᵀF (f × f) of a row-major rows × f matrix. */
export function gramOf(factors: Float64Array | number[], rows: number, f: number): Float64Array {
  const g = new Float64Array(f * f);
  for (let r = 0; r < rows; r++) {
    const o = r * f;
    for (let a = 0; a < f; a++) {
      const va = factors[o + a];
      if (va === 0) continue;
      for (let b = 0; b <= a; b++) g[a * f + b] += va * factors[o + b];
    }
  }
  for (let a = 0; a < f; a++) for (let b = 0; b < a; b++) g[b * f + a] = g[a * f + b];
  return g;
}

/**
 * Solves one row's factor into out[outOffset ..]: `others` are the fixed factors, `idx` and
 * `conf` the row's bought items (or buyers) and their confidences, `gram` = othersᵀ·others.
 * `a` and `b` are scratch buffers (f × f and f).
 */
export function solveRow(
  others: Float64Array | number[], gram: Float64Array, f: number, lambda: number,
  idx: ArrayLike<number>, conf: ArrayLike<number>, start: number, end: number,
  out: Float64Array, outOffset: number, a: Float64Array, b: Float64Array,
): void {
  a.set(gram);
  b.fill(0);
  for (let d = 0; d < f; d++) a[d * f + d] += lambda;
  for (let p = start; p < end; p++) {
    const o = idx[p] * f;
    const c = conf[p];
    for (let r = 0; r < f; r++) {
      const vr = others[o + r];
      b[r] += c * vr;
      const cr = (c - 1) * vr;
      for (let s = 0; s <= r; s++) a[r * f + s] += cr * others[o + s];
    }
  }
  choleskyInPlace(a, f); // reads the lower triangle only
  choleskySolveInPlace(a, f, b);
  out.set(b, outOffset);
}

export function trainAls(m: InteractionMatrix, o: RecommenderOptions['als']): Float64Array {
  const f = o.factors;
  const nUsers = m.users.length;
  const nItems = m.items.length;
  const conf = Float64Array.from(m.frequency, (x) => 1 + o.alpha * x);
  const cols = itemColumns(m, conf);
  const rand = seededRandom(o.seed);
  const x = new Float64Array(nUsers * f);
  const y = Float64Array.from({ length: nItems * f }, () => (rand() - 0.5) * 0.02);
  const a = new Float64Array(f * f);
  const b = new Float64Array(f);
  for (let it = 0; it < o.iterations; it++) {
    let gram = gramOf(y, nItems, f);
    for (let u = 0; u < nUsers; u++) solveRow(y, gram, f, o.lambda, m.userItems, conf, m.userOffsets[u], m.userOffsets[u + 1], x, u * f, a, b);
    gram = gramOf(x, nUsers, f);
    for (let i = 0; i < nItems; i++) solveRow(x, gram, f, o.lambda, cols.users, cols.values, cols.offsets[i], cols.offsets[i + 1], y, i * f, a, b);
  }
  return y;
}
