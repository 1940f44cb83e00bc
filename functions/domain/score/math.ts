/**
 * Small numerical pieces the scoring models share, written here rather than pulled in:
 * the few JS numeric libraries that offer them are either unmaintained or far larger than
 * the 200 lines needed, and each piece below is checked in tests against known values.
 *
 * - `logGamma`: Lanczos (g = 7, 9 coefficients), about 15 significant digits for x > 0.
 * - `hyp2f1`: the Gauss series, fine for the |z| < 1 arguments BG/NBD produces (z is
 *   t / (alpha + T + t) or t / (alpha + t)); it stops when a term no longer changes the sum.
 *   `scaledHyp2f1` is e^s · 2F1 summed in logs: for a heavy buyer (x in the hundreds) BG/NBD
 *   multiplies a 2F1 that overflows to Infinity by a power that underflows to 0, and
 *   Infinity × 0 is the NaN that kept those profiles unscored.
 * - `nelderMead`: the textbook simplex (reflection 1, expansion 2, contraction ½, shrink ½),
 *   enough for the 3- and 4-parameter likelihoods here, fitted on log parameters.
 * - `solveSpd`: Cholesky solve for the Newton steps of logistic regression.
 * - `seededRandom`: mulberry32, so folds, subsamples and initial weights are reproducible.
 */

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
export const logit = (p: number): number => Math.log(p / (1 - p));

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln B(a, b). */
export const logBeta = (a: number, b: number): number => logGamma(a) + logGamma(b) - logGamma(a + b);

/** Gauss hypergeometric 2F1(a, b; c; z) for |z| < 1, by its power series. */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(Math.abs(z) < 1)) throw new RangeError(`hyp2f1 needs |z| < 1, got ${z}`);
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 200_000; n++) {
    term *= ((a + n) * (b + n)) / ((c + n) * (n + 1)) * z;
    const next = sum + term;
    if (next === sum) return next;
    sum = next;
  }
  return sum;
}

/**
 * e^logScale · 2F1(a, b; c; z) for |z| < 1, without overflow in between: the series is summed
 * as logarithms when its terms are all positive (a, b, c > 0 and 0 ≤ z < 1, BG/NBD's case),
 * and falls back to the plain series otherwise.
 */
export function scaledHyp2f1(a: number, b: number, c: number, z: number, logScale: number): number {
  if (!(Math.abs(z) < 1)) throw new RangeError(`hyp2f1 needs |z| < 1, got ${z}`);
  if (!(a > 0 && b > 0 && c > 0 && z >= 0)) return Math.exp(logScale) * hyp2f1(a, b, c, z);
  if (z === 0) return Math.exp(logScale);
  const logZ = Math.log(z);
  let logTerm = 0;
  let logSum = 0;
  for (let n = 0; n < 1_000_000; n++) {
    const logFactor = Math.log(a + n) + Math.log(b + n) - Math.log(c + n) - Math.log(n + 1) + logZ;
    logTerm += logFactor;
    logSum = logTerm > logSum ? logTerm + Math.log1p(Math.exp(logSum - logTerm)) : logSum + Math.log1p(Math.exp(logTerm - logSum));
    // Terms shrinking and 37 orders of magnitude below the sum: nothing more to add.
    if (logFactor < 0 && logTerm < logSum - 85) return Math.exp(logScale + logSum);
  }
  // Not converged (parameters in the millions): no value rather than a wrong one.
  return Number.NaN;
}

export interface NelderMeadOptions {
  /** Initial step per coordinate. @default 0.5 */
  step?: number;
  maxIterations?: number;
  /** Stop when the simplex's function values differ by less than this. @default 1e-10 */
  tolerance?: number;
}

/** Minimises f from x0; returns the best point and its value. */
export function nelderMead(f: (x: number[]) => number, x0: number[], options: NelderMeadOptions = {}): { x: number[]; value: number; iterations: number } {
  const n = x0.length;
  const step = options.step ?? 0.5;
  const maxIterations = options.maxIterations ?? 2000 * n;
  const tolerance = options.tolerance ?? 1e-10;
  const safe = (x: number[]) => {
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  let simplex = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] += step;
    simplex.push(p);
  }
  let values = simplex.map(safe);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
    simplex = order.map((i) => simplex[i]);
    values = order.map((i) => values[i]);
    if (Math.abs(values[n] - values[0]) <= tolerance * (Math.abs(values[0]) + tolerance)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i][j] / n;
    const along = (t: number) => centroid.map((c, j) => c + t * (simplex[n][j] - c));
    const reflected = along(-1);
    const fr = safe(reflected);
    if (fr < values[0]) {
      const expanded = along(-2);
      const fe = safe(expanded);
      [simplex[n], values[n]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[n - 1]) {
      [simplex[n], values[n]] = [reflected, fr];
    } else {
      const contracted = fr < values[n] ? along(-0.5) : along(0.5);
      const fc = safe(contracted);
      if (fc < Math.min(fr, values[n])) {
        [simplex[n], values[n]] = [contracted, fc];
      } else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = simplex[i].map((v, j) => simplex[0][j] + 0.5 * (v - simplex[0][j]));
          values[i] = safe(simplex[i]);
        }
      }
    }
  }
  const best = values.indexOf(Math.min(...values));
  return { x: simplex[best], value: values[best], iterations };
}

/** Solves A x = b for a symmetric positive-definite A (row-major n × n); throws if A is not. */
export function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new RangeError('matrix is not positive definite');
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}


/** Fisher–Yates, in place. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
