/**
 * L2-regularised logistic regression, fitted by Newton's method (IRLS).
 *
 * Design:
 * - The encoded width here is tens of columns, so the exact Hessian (d × d) is cheap and
 *   Newton converges in a handful of passes to the unique optimum: no learning rate to
 *   tune, and the same data always gives the same weights.
 * - The intercept is not penalised. Loss: Σ logloss + (l2 / 2)·‖w‖².
 * - Explanation (score.ts): with columns independent, the exact Shapley value of a linear
 *   model in log-odds is wⱼ·(xⱼ − mean xⱼ); a feature's contribution sums its columns, and
 *   the base is the log-odds at the training means.
 */
import type { LogisticParams } from './artifact.ts';
import { sigmoid, solveSpd } from './math.ts';

export interface LogisticOptions {
  /** @default 1 */
  l2?: number;
  /** @default 50 */
  maxIterations?: number;
  /** Stop when no weight moves more than this in a step. @default 1e-9 */
  tolerance?: number;
  /** Optional weight per row (e.g. for balancing); @default 1 each */
  sampleWeights?: ArrayLike<number>;
}

/** Fits on encoded rows (see encodeLinear) and 0/1 labels. */
export function fitLogistic(x: Float64Array[], y: ArrayLike<number>, options: LogisticOptions = {}): LogisticParams & { iterations: number } {
  const n = x.length;
  if (n === 0 || n !== y.length) throw new RangeError('need as many labels as rows, and at least one row');
  const d = x[0].length;
  const l2 = options.l2 ?? 1;
  const maxIterations = options.maxIterations ?? 50;
  const tolerance = options.tolerance ?? 1e-9;
  const m = d + 1; // column 0 is the intercept
  const beta = new Float64Array(m);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i];
  // Start at the base rate: the first step is then small and well-conditioned.
  beta[0] = Math.log(Math.max(positives, 0.5) / Math.max(n - positives, 0.5));
  const grad = new Float64Array(m);
  const hess = new Float64Array(m * m);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    grad.fill(0);
    hess.fill(0);
    for (let i = 0; i < n; i++) {
      const row = x[i];
      let z = beta[0];
      for (let j = 0; j < d; j++) z += beta[j + 1] * row[j];
      const p = sigmoid(z);
      const w = options.sampleWeights ? options.sampleWeights[i] : 1;
      const g = w * (p - y[i]);
      const h = w * Math.max(p * (1 - p), 1e-12);
      grad[0] += g;
      hess[0] += h;
      for (let j = 0; j < d; j++) {
        const xj = row[j];
        if (xj === 0) continue; // one-hot columns are mostly zero
        grad[j + 1] += g * xj;
        const hx = h * xj;
        hess[j + 1] += hx; // row 0, column j+1
        const base = (j + 1) * m;
        for (let k = 0; k <= j; k++) {
          const xk = row[k];
          if (xk !== 0) hess[base + k + 1] += hx * xk;
        }
      }
    }
    // Fill the symmetric halves (only the lower triangle and row 0 were accumulated).
    for (let j = 1; j < m; j++) {
      hess[j * m] = hess[j];
      for (let k = 1; k < j; k++) hess[k * m + j] = hess[j * m + k];
      grad[j] += l2 * beta[j];
      hess[j * m + j] += l2;
    }
    // A tiny ridge on the intercept keeps the solve defined when every label is equal.
    hess[0] += 1e-9;
    const step = solveSpd(hess, grad, m);
    // Damped Newton: halve the step until the penalised loss does not rise. Pure Newton
    // can overshoot on logistic loss when some level is (nearly) all one class.
    const current = penalisedLoss(x, y, beta, l2, options.sampleWeights);
    let t = 1;
    const trial = new Float64Array(m);
    for (let halvings = 0; halvings < 30; halvings++, t /= 2) {
      for (let j = 0; j < m; j++) trial[j] = beta[j] - t * step[j];
      if (penalisedLoss(x, y, trial, l2, options.sampleWeights) <= current + 1e-12 * Math.abs(current)) break;
    }
    let largest = 0;
    for (let j = 0; j < m; j++) largest = Math.max(largest, Math.abs(trial[j] - beta[j]));
    beta.set(trial);
    if (largest < tolerance) {
      iterations++;
      break;
    }
  }
  return { family: 'logistic', intercept: beta[0], weights: Array.from(beta.subarray(1)), l2, iterations };
}

/** Log-odds of one encoded row. */
export function logisticLogit(params: LogisticParams, row: Float64Array): number {
  let z = params.intercept;
  for (let j = 0; j < row.length; j++) z += params.weights[j] * row[j];
  return z;
}

function penalisedLoss(x: Float64Array[], y: ArrayLike<number>, beta: Float64Array, l2: number, weights?: ArrayLike<number>): number {
  let loss = 0;
  for (let i = 0; i < x.length; i++) {
    const row = x[i];
    let z = beta[0];
    for (let j = 0; j < row.length; j++) z += beta[j + 1] * row[j];
    // log(1 + e^z) − y·z, computed without overflow.
    const l = (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i] * z;
    loss += (weights ? weights[i] : 1) * l;
  }
  for (let j = 1; j < beta.length; j++) loss += 0.5 * l2 * beta[j] * beta[j];
  return loss;
}
