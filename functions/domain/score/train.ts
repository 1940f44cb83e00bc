/**
 * Training entry points: raw feature records and labels in, a validated artifact out.
 *
 * The batch job (and the bench scripts) call these; each fits the feature statistics on
 * the training rows only, so a held-out row never leaks into standardisation or levels.
 * Every artifact goes through `parseModel` before it is returned: what is stored is what
 * the schema accepts.
 */
import { parseModel, SCORING_SCHEMA_VERSION, type Feature, type ModelArtifact, type ModelParams } from './artifact.ts';
import { CLV_FEATURES, featuresFromStats, fitBgnbd, fitGammaGamma, type ClvStats } from './clv.ts';
import { describeFeatures, encodeLinear, type FeatureDeclaration, type RawFeatures } from './features.ts';
import { fitGbm, type GbmOptions } from './gbm.ts';
import { fitLogistic, type LogisticOptions } from './logistic.ts';
import { fitMlp, type MlpOptions } from './mlp.ts';
import { seededRandom } from '../shared/random.ts';

export interface ArtifactMeta {
  model: string;
  version: string;
  trainingData: ModelArtifact['trainingData'];
  metrics?: Record<string, number>;
  /** @default now */
  createdAt?: string;
}

export function buildArtifact(meta: ArtifactMeta, features: Feature[], params: ModelParams): ModelArtifact {
  const output = params.family === 'recency' ? 'days' : params.family === 'bgnbd' ? 'amount' : 'log-odds';
  return parseModel({
    schemaVersion: SCORING_SCHEMA_VERSION,
    model: meta.model,
    version: meta.version,
    family: params.family,
    output,
    features,
    params,
    trainingData: meta.trainingData,
    metrics: meta.metrics ?? {},
    createdAt: meta.createdAt ?? new Date().toISOString(),
  });
}

export function trainLogistic(meta: ArtifactMeta, declarations: FeatureDeclaration[], rows: RawFeatures[], y: ArrayLike<number>, options?: LogisticOptions): ModelArtifact {
  const features = describeFeatures(declarations, rows);
  const { iterations: _iterations, ...params } = fitLogistic(rows.map((r) => encodeLinear(features, r)), y, options);
  return buildArtifact(meta, features, params);
}

export interface GbmTrainOptions extends GbmOptions {
  /**
   * Boost from an L2 logistic regression (this is its l2) instead of from the base rate:
   * the trees then model interactions and thresholds, the linear part carries trends that
   * must extrapolate. @default undefined (no linear start)
   */
  linearStart?: LogisticOptions;
}

export function trainGbm(meta: ArtifactMeta, declarations: FeatureDeclaration[], rows: RawFeatures[], y: ArrayLike<number>, options: GbmTrainOptions = {}): ModelArtifact {
  const features = describeFeatures(declarations, rows);
  const { linearStart, ...gbmOptions } = options;
  if (!linearStart) return buildArtifact(meta, features, fitGbm(features, rows, y, gbmOptions));
  const encoded = rows.map((r) => encodeLinear(features, r));
  const { intercept, weights } = fitLogistic(encoded, y, linearStart);
  const init = encoded.map((row) => row.reduce((z, v, j) => z + weights[j] * v, intercept));
  const trees = fitGbm(features, rows, y, gbmOptions, init);
  return buildArtifact(meta, features, { ...trees, linear: { intercept, weights } });
}

export interface MlpTrainOptions extends MlpOptions {
  /** Background profiles kept for the explanation. @default 8 */
  background?: number;
  /** Feature orders sampled per background profile. @default 4 */
  permutations?: number;
}

export function trainMlp(meta: ArtifactMeta, declarations: FeatureDeclaration[], rows: RawFeatures[], y: ArrayLike<number>, options: MlpTrainOptions = {}): ModelArtifact {
  const features = describeFeatures(declarations, rows);
  const { epochs: _epochs, ...weights } = fitMlp(rows.map((r) => encodeLinear(features, r)), y, options);
  const seed = options.seed ?? 1;
  const random = seededRandom(seed + 1);
  const background = Array.from({ length: Math.min(options.background ?? 8, rows.length) }, () => {
    const r = rows[Math.floor(random() * rows.length)];
    return Object.fromEntries(features.map((f) => [f.name, r[f.name] ?? ''])) as Record<string, number | string>;
  });
  return buildArtifact(meta, features, { family: 'mlp', ...weights, background, permutations: options.permutations ?? 4, seed });
}

/** The churn baseline: the score is the named feature (days since last purchase). */
export function recencyBaseline(meta: ArtifactMeta, declarations: FeatureDeclaration[], rows: RawFeatures[], feature = 'recency_days'): ModelArtifact {
  const features = describeFeatures(declarations.filter((d) => d.name === feature), rows);
  return buildArtifact(meta, features, { family: 'recency', feature });
}

/** Lifetime value: BG/NBD + Gamma-Gamma fitted on calibration statistics (days). */
export function trainClv(meta: ArtifactMeta, customers: ClvStats[], horizonDays: number): ModelArtifact {
  const bg = fitBgnbd(customers);
  const gg = fitGammaGamma(customers);
  const rows = customers.map(featuresFromStats);
  const features = describeFeatures(
    [
      { name: 'repeat_purchases', kind: 'numeric', label: 'repeat purchases' },
      { name: 'recency_days', kind: 'numeric', label: 'days since last purchase', unit: 'days' },
      { name: 'tenure_days', kind: 'numeric', label: 'days since first purchase', unit: 'days' },
      { name: 'avg_repeat_spend', kind: 'numeric', label: 'average spend per repeat purchase' },
    ],
    rows,
  );
  // The reference customer is the median one (each feature's median): "typical", and a
  // real combination (medians of x = 0-heavy data stay valid counts).
  const reference = Object.fromEntries(CLV_FEATURES.map((name) => [name, (features.find((f) => f.name === name) as Feature & { fill: number }).fill]));
  return buildArtifact(
    { ...meta, metrics: { ...meta.metrics, bgnbd_log_likelihood: bg.logLikelihood, gamma_gamma_log_likelihood: gg.logLikelihood } },
    features,
    { family: 'bgnbd', ...bg.params, ...gg.params, horizonDays, reference },
  );
}
