/**
 * Feature specs: from a declaration (name, kind, label) and training rows to the statistics
 * an artifact stores, and from a profile's raw feature record to model inputs.
 *
 * Design:
 * - A profile's features are a plain `Record<string, number | string>`, what a profile
 *   store or a CSV row gives. Missing or non-numeric numerics take the training median
 *   (`fill`); categoricals are compared as trimmed lower-case strings, anything not seen in
 *   training is "unseen".
 * - The linear encoding (logistic regression, MLP) standardises numerics (after an optional
 *   log1p for heavy-tailed counts and money) and one-hot encodes levels, one column per
 *   level with no dropped reference: L2 keeps the weights identified, and the explanation
 *   stays symmetric across levels.
 * - Trees read raw numerics (thresholds stay in the feature's own unit, readable in the
 *   artifact) and level indices (−1 for unseen).
 */
import type { CategoricalFeature, Feature, NumericFeature } from './artifact.ts';

export type RawFeatures = Record<string, number | string | undefined | null>;

export type FeatureDeclaration =
  | { name: string; kind: 'numeric'; label: string; unit?: string; transform?: 'none' | 'log1p' }
  | { name: string; kind: 'categorical'; label: string };

/** Numeric value of a raw feature, or NaN when it is missing or not a number. */
export function rawNumber(v: number | string | undefined | null): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

export const normaliseLevel = (v: number | string | undefined | null): string => (v === undefined || v === null ? '' : String(v).trim().toLowerCase());

const applyTransform = (f: NumericFeature, v: number) => (f.transform === 'log1p' ? Math.log1p(Math.max(0, v)) : v);

/** The numeric value used for a feature: the raw value, or the training median if missing. */
export function numericValue(f: NumericFeature, raw: RawFeatures): number {
  const v = rawNumber(raw[f.name]);
  return Number.isFinite(v) ? v : f.fill;
}

/** Level index of a categorical feature, −1 for a value not seen in training. */
export function levelIndex(f: CategoricalFeature, raw: RawFeatures): number {
  return f.levels.indexOf(normaliseLevel(raw[f.name]));
}

/** Training statistics for each declared feature; levels are sorted by frequency, then name. */
export function describeFeatures(declarations: FeatureDeclaration[], rows: RawFeatures[]): Feature[] {
  if (rows.length === 0) throw new RangeError('no training rows');
  return declarations.map((d): Feature => {
    if (d.kind === 'categorical') {
      const counts = new Map<string, number>();
      for (const r of rows) {
        const level = normaliseLevel(r[d.name]);
        counts.set(level, (counts.get(level) ?? 0) + 1);
      }
      const levels = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || a.localeCompare(b));
      return { name: d.name, kind: 'categorical', label: d.label, levels, shares: levels.map((l) => counts.get(l)! / rows.length) };
    }
    const present = rows.map((r) => rawNumber(r[d.name])).filter(Number.isFinite).sort((a, b) => a - b);
    const fill = present.length > 0 ? present[Math.floor((present.length - 1) / 2)] : 0;
    const transform = d.transform ?? 'none';
    const probe: NumericFeature = { name: d.name, kind: 'numeric', label: d.label, transform, mean: 0, std: 1, fill };
    if (d.unit !== undefined) probe.unit = d.unit;
    const values = rows.map((r) => applyTransform(probe, numericValue(probe, r)));
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    // A constant column would divide by zero; 1 leaves it at 0 after centring.
    return { ...probe, mean, std: variance > 1e-12 ? Math.sqrt(variance) : 1 };
  });
}

/** Number of columns of the linear encoding. */
export const linearWidth = (features: Feature[]): number => features.reduce((s, f) => s + (f.kind === 'numeric' ? 1 : f.levels.length), 0);

/** Column names of the linear encoding, e.g. `age`, `job=admin.`. */
export function linearColumns(features: Feature[]): string[] {
  return features.flatMap((f) => (f.kind === 'numeric' ? [f.name] : f.levels.map((l) => `${f.name}=${l}`)));
}

/** Standardised numerics and one-hot levels, in feature order. */
export function encodeLinear(features: Feature[], raw: RawFeatures, out = new Float64Array(linearWidth(features))): Float64Array {
  let c = 0;
  for (const f of features) {
    if (f.kind === 'numeric') {
      out[c++] = (applyTransform(f, numericValue(f, raw)) - f.mean) / f.std;
    } else {
      const k = levelIndex(f, raw);
      for (let l = 0; l < f.levels.length; l++) out[c + l] = l === k ? 1 : 0;
      c += f.levels.length;
    }
  }
  return out;
}

/** Training mean of every linear column (0 for standardised numerics, the share for a level). */
export function linearMeans(features: Feature[]): Float64Array {
  const out = new Float64Array(linearWidth(features));
  let c = 0;
  for (const f of features) {
    if (f.kind === 'numeric') out[c++] = 0;
    else for (const share of f.shares) out[c++] = share;
  }
  return out;
}

/** Raw value shown in an explanation: the number used (after filling) or the level as given. */
export function displayValue(f: Feature, raw: RawFeatures): number | string {
  if (f.kind === 'numeric') return numericValue(f, raw);
  const level = normaliseLevel(raw[f.name]);
  return level === '' ? '(missing)' : level;
}
