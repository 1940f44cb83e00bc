/**
 * One scoring interface for every model: `score(model, features)` returns the value, the
 * base it starts from, and each feature's contribution, with base + Σ contributions = value
 * (to floating-point rounding, about 1e-12), and `explainTop` turns the largest into
 * sentences a marketer reads ("days since last purchase 210 days: +0.31").
 *
 * What the numbers are, per family:
 * - logistic: log-odds; contribution = Σ over the feature's columns of w · (x − training
 *   mean), the exact Shapley value of a linear model; base = log-odds at the means.
 * - gbm: log-odds; TreeSHAP (gbm.ts); base = the trees' expected log-odds. With a linear
 *   start, its linear contributions are added feature by feature (both are additive in
 *   log-odds, so the sum stays exact).
 * - mlp: log-odds; sampled Shapley against the artifact's background profiles (shapley.ts).
 *   For all three, `probability` = sigmoid(value).
 * - recency: days since the last purchase; the one feature carries the whole value, base 0.
 * - bgnbd: expected spend over the horizon; exact Shapley over its four inputs against the
 *   artifact's reference customer (base = that customer's value). `details` carries the
 *   expected purchases, P(alive) and the expected spend per purchase.
 *
 * Pure and synchronous; the first call for an artifact object prepares the trees (cached
 * per object), later calls reuse them.
 */
import type { BgnbdParams, Feature, GbmParams, MlpParams, ModelArtifact } from './artifact.ts';
import { CLV_FEATURES, predictClv, statsFromFeatures } from './clv.ts';
import { displayValue, encodeLinear, linearMeans, numericValue, type RawFeatures } from './features.ts';
import { gbmExplain, gbmLogit, treeInputs } from './gbm.ts';
import { logisticLogit } from './logistic.ts';
import { sigmoid } from './math.ts';
import { mlpLogit } from './mlp.ts';
import { exactShapley, sampledShapley } from './shapley.ts';

export interface Contribution {
  feature: string;
  label: string;
  unit?: string;
  /** The value the model used (a filled-in median for a missing numeric). */
  value: number | string;
  contribution: number;
}

export interface ScoreResult {
  model: string;
  version: string;
  family: ModelArtifact['family'];
  output: ModelArtifact['output'];
  value: number;
  base: number;
  /** One per feature, in the artifact's feature order. */
  contributions: Contribution[];
  /** For log-odds outputs. */
  probability?: number;
  details?: Record<string, number>;
}

const meansCache = new WeakMap<Feature[], Float64Array>();

function contributionsOf(features: Feature[], raw: RawFeatures, phi: ArrayLike<number>): Contribution[] {
  return features.map((f, i) => {
    const c: Contribution = { feature: f.name, label: f.label, value: displayValue(f, raw), contribution: phi[i] };
    if (f.kind === 'numeric' && f.unit) c.unit = f.unit;
    return c;
  });
}

/** Exact Shapley values of a linear model in log-odds: w·(x − mean), summed per feature. */
function scoreLinear(features: Feature[], params: { intercept: number; weights: number[] }, raw: RawFeatures) {
  const row = encodeLinear(features, raw);
  let means = meansCache.get(features);
  if (!means) meansCache.set(features, (means = linearMeans(features)));
  let base = params.intercept;
  for (let j = 0; j < row.length; j++) base += params.weights[j] * means[j];
  const phi = new Float64Array(features.length);
  let c = 0;
  features.forEach((f, i) => {
    const width = f.kind === 'numeric' ? 1 : f.levels.length;
    for (let k = c; k < c + width; k++) phi[i] += params.weights[k] * (row[k] - means[k]);
    c += width;
  });
  let value = params.intercept;
  for (let j = 0; j < row.length; j++) value += params.weights[j] * row[j];
  return { value, base, phi };
}

function scoreGbm(features: Feature[], params: GbmParams, raw: RawFeatures) {
  const trees = gbmExplain(params, features, treeInputs(features, raw));
  if (!params.linear) return trees;
  const linear = scoreLinear(features, params.linear, raw);
  for (let i = 0; i < features.length; i++) linear.phi[i] += trees.phi[i];
  return { value: linear.value + trees.value, base: linear.base + trees.base, phi: linear.phi };
}

function scoreMlp(features: Feature[], params: MlpParams, raw: RawFeatures) {
  const profile = encodeLinear(features, raw);
  const refs = params.background.map((b) => encodeLinear(features, b));
  const spans: [number, number][] = [];
  let c = 0;
  for (const f of features) {
    const width = f.kind === 'numeric' ? 1 : f.levels.length;
    spans.push([c, c + width]);
    c += width;
  }
  const mixed = new Float64Array(profile.length);
  const { phi, base } = sampledShapley(features.length, refs.length, params.permutations, params.seed, (fromProfile, r) => {
    for (let i = 0; i < spans.length; i++) {
      const src = fromProfile[i] ? profile : refs[r];
      for (let k = spans[i][0]; k < spans[i][1]; k++) mixed[k] = src[k];
    }
    return mlpLogit(params, mixed);
  });
  return { value: mlpLogit(params, profile), base, phi };
}

function scoreClv(features: Feature[], params: BgnbdParams, raw: RawFeatures) {
  const index = new Map(features.map((f, i) => [f.name, i]));
  const own = CLV_FEATURES.map((name) => {
    const f = features[index.get(name)!];
    return f && f.kind === 'numeric' ? numericValue(f, raw) : Number.NaN;
  });
  const ref = CLV_FEATURES.map((name) => params.reference[name]);
  const bg = { r: params.r, alpha: params.alpha, a: params.a, b: params.b };
  const gg = { p: params.p, q: params.q, gamma: params.gamma };
  const at = (mask: number) => {
    const pick = (i: number) => (mask & (1 << i) ? own[i] : ref[i]);
    return statsFromFeatures({ repeat_purchases: pick(0), recency_days: pick(1), tenure_days: pick(2), avg_repeat_spend: pick(3) });
  };
  const { phi, base } = exactShapley(CLV_FEATURES.length, (mask) => predictClv(bg, gg, at(mask), params.horizonDays).value);
  const full = predictClv(bg, gg, at((1 << CLV_FEATURES.length) - 1), params.horizonDays);
  // Shapley values are in CLV_FEATURES order; report them in the artifact's feature order.
  const byFeature = new Float64Array(features.length);
  CLV_FEATURES.forEach((name, i) => (byFeature[index.get(name)!] = phi[i]));
  return {
    value: full.value,
    base,
    phi: byFeature,
    details: { expectedPurchases: full.purchases, probabilityAlive: full.pAlive, expectedSpendPerPurchase: full.spendPerPurchase, horizonDays: params.horizonDays },
  };
}

/** Scores one profile's features with a model artifact (parsed with parseModel). */
export function score(model: ModelArtifact, features: RawFeatures): ScoreResult {
  const p = model.params;
  let out: { value: number; base: number; phi: ArrayLike<number>; details?: Record<string, number> };
  switch (p.family) {
    case 'logistic':
      out = scoreLinear(model.features, p, features);
      break;
    case 'gbm':
      out = scoreGbm(model.features, p, features);
      break;
    case 'mlp':
      out = scoreMlp(model.features, p, features);
      break;
    case 'recency': {
      const phi = new Float64Array(model.features.length);
      const i = model.features.findIndex((f) => f.name === p.feature);
      const f = model.features[i];
      phi[i] = f.kind === 'numeric' ? numericValue(f, features) : Number.NaN;
      out = { value: phi[i], base: 0, phi };
      break;
    }
    case 'bgnbd':
      out = scoreClv(model.features, p, features);
      break;
  }
  const result: ScoreResult = {
    model: model.model,
    version: model.version,
    family: model.family,
    output: model.output,
    value: out.value,
    base: out.base,
    contributions: contributionsOf(model.features, features, out.phi),
  };
  if (model.output === 'log-odds') result.probability = sigmoid(out.value);
  if (out.details) result.details = out.details;
  return result;
}

/**
 * The value alone, without the explanation: for batch evaluation and ranking, where the
 * contributions would cost more than the prediction (TreeSHAP is about depth² per leaf).
 */
export function predict(model: ModelArtifact, features: RawFeatures): number {
  const p = model.params;
  switch (p.family) {
    case 'logistic':
      return logisticLogit(p, encodeLinear(model.features, features));
    case 'gbm': {
      const trees = gbmLogit(p, model.features, treeInputs(model.features, features));
      return p.linear ? trees + logisticLogit({ family: 'logistic', l2: 0, ...p.linear }, encodeLinear(model.features, features)) : trees;
    }
    case 'mlp':
      return mlpLogit(p, encodeLinear(model.features, features));
    default:
      return score(model, features).value;
  }
}

const shortNumber = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toFixed(2))));

/**
 * The k largest contributions by size, as "label value unit: ±contribution"; contributions
 * that round to zero are left out. Log-odds contributions read as "+0.31" (a push up or
 * down in the odds), amounts and days in their own unit.
 */
export function explainTop(result: ScoreResult, k = 3): string[] {
  return result.contributions
    .filter((c) => Math.abs(c.contribution) >= 0.005)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, k)
    .map((c) => {
      const value = typeof c.value === 'number' ? `${shortNumber(c.value)}${c.unit ? ` ${c.unit}` : ''}` : c.value;
      const sign = c.contribution >= 0 ? '+' : '-';
      return `${c.label} ${value}: ${sign}${Math.abs(c.contribution).toFixed(2)}`;
    });
}
