/**
 * A small multilayer perceptron for a binary outcome: linear encoding (features.ts) → one
 * hidden ReLU layer → logistic output. Trained with Adam on mini-batches, L2 weight decay,
 * and early stopping on a seeded validation slice of the training rows.
 *
 * Kept deliberately small (tens of hidden units): the candidates are compared on tabular
 * data where trees usually win, and scoring must stay in the microseconds.
 *
 * Explanation (score.ts): sampled Shapley values against the artifact's background
 * profiles, in log-odds (see shapley.ts): base + Σ φ = value holds exactly for every sample.
 */
import type { MlpParams } from './artifact.ts';
import { seededRandom } from '../shared/random.ts';
import { shuffle, sigmoid } from './math.ts';

export interface MlpOptions {
  /** @default 16 */
  hidden?: number;
  /** @default 0.002 */
  learningRate?: number;
  /** @default 30 */
  epochs?: number;
  /** @default 256 */
  batchSize?: number;
  /** Weight decay on w1 and w2. @default 1e-4 */
  l2?: number;
  /** Share of training rows held out for early stopping. @default 0.1 */
  validation?: number;
  /** Epochs without a better validation loss before stopping. @default 4 */
  patience?: number;
  seed?: number;
}

export type MlpWeights = Pick<MlpParams, 'w1' | 'b1' | 'w2' | 'b2' | 'hidden'>;

/** Log-odds of one encoded row. */
export function mlpLogit(m: MlpWeights, row: Float64Array): number {
  const d = row.length;
  let z = m.b2;
  for (let j = 0; j < m.hidden; j++) {
    let a = m.b1[j];
    const off = j * d;
    for (let k = 0; k < d; k++) a += m.w1[off + k] * row[k];
    if (a > 0) z += m.w2[j] * a;
  }
  return z;
}

export function fitMlp(x: Float64Array[], y: ArrayLike<number>, options: MlpOptions = {}): MlpWeights & { epochs: number } {
  const o = { hidden: 16, learningRate: 0.002, epochs: 30, batchSize: 256, l2: 1e-4, validation: 0.1, patience: 4, seed: 1, ...options };
  const n = x.length;
  if (n === 0 || n !== y.length) throw new RangeError('need as many labels as rows, and at least one row');
  const d = x[0].length;
  const H = o.hidden;
  const random = seededRandom(o.seed);
  // He initialisation for the ReLU layer.
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const params = new Float64Array(H * d + H + H + 1);
  const W1 = 0;
  const B1 = H * d;
  const W2 = B1 + H;
  const B2 = W2 + H;
  for (let i = 0; i < H * d; i++) params[W1 + i] = gauss() * Math.sqrt(2 / d);
  for (let j = 0; j < H; j++) params[W2 + j] = gauss() * Math.sqrt(1 / H);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i];
  params[B2] = Math.log(Math.max(positives, 0.5) / Math.max(n - positives, 0.5));

  const order = shuffle(Array.from({ length: n }, (_, i) => i), random);
  const nVal = Math.floor(n * o.validation);
  const val = order.slice(0, nVal);
  const train = order.slice(nVal);

  const m1 = new Float64Array(params.length);
  const m2 = new Float64Array(params.length);
  const grad = new Float64Array(params.length);
  const act = new Float64Array(H);
  let step = 0;
  const view = (): MlpWeights => ({ w1: Array.from(params.subarray(W1, B1)), b1: Array.from(params.subarray(B1, W2)), w2: Array.from(params.subarray(W2, B2)), b2: params[B2], hidden: H });
  const logit = (row: Float64Array) => {
    let z = params[B2];
    for (let j = 0; j < H; j++) {
      let a = params[B1 + j];
      const off = W1 + j * d;
      for (let k = 0; k < d; k++) a += params[off + k] * row[k];
      act[j] = a > 0 ? a : 0;
      z += params[W2 + j] * act[j];
    }
    return z;
  };
  const valLoss = () => {
    let loss = 0;
    for (const i of val) {
      const p = Math.min(Math.max(sigmoid(logit(x[i])), 1e-12), 1 - 1e-12);
      loss -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
    }
    return loss / Math.max(1, val.length);
  };
  let best = { loss: Number.POSITIVE_INFINITY, params: params.slice(), epoch: 0 };
  let epoch = 0;
  for (; epoch < o.epochs; epoch++) {
    shuffle(train, random);
    for (let start = 0; start < train.length; start += o.batchSize) {
      const batch = train.slice(start, start + o.batchSize);
      grad.fill(0);
      for (const i of batch) {
        const row = x[i];
        const err = sigmoid(logit(row)) - y[i];
        grad[B2] += err;
        for (let j = 0; j < H; j++) {
          if (act[j] <= 0) continue;
          grad[W2 + j] += err * act[j];
          const back = err * params[W2 + j];
          grad[B1 + j] += back;
          const off = j * d;
          for (let k = 0; k < d; k++) if (row[k] !== 0) grad[W1 + off + k] += back * row[k];
        }
      }
      step++;
      const b1c = 1 - 0.9 ** step;
      const b2c = 1 - 0.999 ** step;
      for (let q = 0; q < params.length; q++) {
        let gq = grad[q] / batch.length;
        if (q < B1 || (q >= W2 && q < B2)) gq += o.l2 * params[q];
        m1[q] = 0.9 * m1[q] + 0.1 * gq;
        m2[q] = 0.999 * m2[q] + 0.001 * gq * gq;
        params[q] -= (o.learningRate * (m1[q] / b1c)) / (Math.sqrt(m2[q] / b2c) + 1e-8);
      }
    }
    const loss = val.length > 0 ? valLoss() : 0;
    if (loss < best.loss - 1e-6) best = { loss, params: params.slice(), epoch: epoch + 1 };
    else if (epoch + 1 - best.epoch >= o.patience) break;
  }
  params.set(best.params);
  return { ...view(), epochs: best.epoch };
}
