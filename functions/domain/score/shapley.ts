/**
 * Shapley values for models that are not additive, against a reference ("interventional"
 * Shapley: a feature left out of a coalition takes the reference's value).
 *
 * - `exactShapley` enumerates all 2ⁿ coalitions: right for the few inputs of the lifetime
 *   value model (n = 4, 16 evaluations).
 * - `sampledShapley` averages marginal contributions over random feature orders (Štrumbelj
 *   & Kononenko 2014). Each order's contributions telescope to f(x) − f(reference), so the
 *   average sums to it exactly whatever the sample: base + Σ φ = value holds for every
 *   explanation, only the split between features is estimated.
 */
import { seededRandom } from '../shared/random.ts';
import { shuffle } from './math.ts';

/** `value(mask)`: the model with feature i taken from the profile when bit i is set, else from the reference. */
export function exactShapley(n: number, value: (mask: number) => number): { phi: number[]; base: number; full: number } {
  if (n > 20) throw new RangeError('exact Shapley enumerates 2^n coalitions: use sampledShapley');
  const count = 1 << n;
  const v = new Float64Array(count);
  for (let m = 0; m < count; m++) v[m] = value(m);
  const factorial = [1];
  for (let i = 1; i <= n; i++) factorial.push(factorial[i - 1] * i);
  const phi = new Array<number>(n).fill(0);
  for (let m = 0; m < count; m++) {
    let size = 0;
    for (let b = m; b; b &= b - 1) size++;
    for (let i = 0; i < n; i++) {
      if (m & (1 << i)) continue;
      phi[i] += ((factorial[size] * factorial[n - size - 1]) / factorial[n]) * (v[m | (1 << i)] - v[m]);
    }
  }
  return { phi, base: v[0], full: v[count - 1] };
}

/**
 * `value(fromProfile)`: the model with feature i from the profile where fromProfile[i] is 1,
 * else from reference `r`. Averages over `references` × `permutations` orders.
 */
export function sampledShapley(n: number, references: number, permutations: number, seed: number, value: (fromProfile: Uint8Array, reference: number) => number): { phi: number[]; base: number } {
  const random = seededRandom(seed);
  const phi = new Array<number>(n).fill(0);
  const order = Array.from({ length: n }, (_, i) => i);
  const mask = new Uint8Array(n);
  let base = 0;
  const samples = references * permutations;
  for (let r = 0; r < references; r++) {
    mask.fill(0);
    const atReference = value(mask, r);
    base += atReference / references;
    for (let s = 0; s < permutations; s++) {
      shuffle(order, random);
      mask.fill(0);
      let previous = atReference;
      for (const i of order) {
        mask[i] = 1;
        const next = value(mask, r);
        phi[i] += (next - previous) / samples;
        previous = next;
      }
    }
  }
  return { phi, base };
}
