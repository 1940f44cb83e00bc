/**
 * A trained scoring model as a stored artifact: versioned, zod-validated, plain JSON.
 *
 * Design:
 * - One envelope for every model (name, version, family, feature spec, training data range,
 *   metrics, createdAt) and one `params` shape per family, discriminated on `family`, so the
 *   scorer (score.ts) dispatches on data, not on code paths chosen by the caller.
 * - The feature spec travels with the parameters: encoding at scoring time (standardising,
 *   one-hot levels, the value used when a feature is missing) reads the training statistics
 *   from the artifact, so training and scoring cannot drift apart.
 * - Families: `logistic` (L2 logistic regression), `gbm` (histogram gradient-boosted trees,
 *   logistic loss, optionally boosted from a logistic model), `mlp` (one hidden layer, logistic output), `recency` (the churn baseline:
 *   the score is days since the last purchase), `bgnbd` (BG/NBD + Gamma-Gamma lifetime value).
 * - Version 1 is the first stored version. A breaking change bumps `schemaVersion` and keeps
 *   a reader for the old one.
 */
import { z } from 'zod';
import { parseArtifact } from '../shared/parse-artifact.ts';

export const SCORING_SCHEMA_VERSION = 1;

const name = z.string().regex(/^[a-z][a-z0-9_.]*$/, 'lower-case feature name');

export const numericFeatureSchema = z.object({
  name,
  kind: z.literal('numeric'),
  /** What a marketer reads in an explanation, e.g. "days since last purchase". */
  label: z.string().min(1),
  unit: z.string().optional(),
  /** Applied before standardising (linear models and the MLP only; trees split on raw values). */
  transform: z.enum(['none', 'log1p']),
  /** Mean and standard deviation of the transformed training values. */
  mean: z.number(),
  std: z.number().positive(),
  /** Raw value used when the feature is missing or not a number: the training median. */
  fill: z.number(),
});

export const categoricalFeatureSchema = z.object({
  name,
  kind: z.literal('categorical'),
  label: z.string().min(1),
  /** Levels seen in training; any other value is "unseen" (no one-hot column, right branch of a tree split). */
  levels: z.array(z.string()).min(1),
  /** Training share of each level: the mean of its one-hot column, the linear explanation's reference. */
  shares: z.array(z.number().min(0).max(1)),
});

export const featureSchema = z.discriminatedUnion('kind', [numericFeatureSchema, categoricalFeatureSchema]);
export type NumericFeature = z.infer<typeof numericFeatureSchema>;
export type CategoricalFeature = z.infer<typeof categoricalFeatureSchema>;
export type Feature = z.infer<typeof featureSchema>;

const numbers = z.array(z.number());

export const logisticParamsSchema = z.object({
  family: z.literal('logistic'),
  intercept: z.number(),
  /** One weight per encoded column: numeric features one each, categoricals one per level, in feature order. */
  weights: numbers,
  l2: z.number().min(0),
});

const splitNodeSchema = z.object({
  /** Index into the feature spec. */
  feature: z.number().int().min(0),
  /** Numeric split: x ≤ threshold goes left. */
  threshold: z.number().optional(),
  /** Categorical split: these level indices go left; every other value (unseen too) goes right. */
  leftLevels: z.array(z.number().int().min(0)).optional(),
  left: z.number().int().min(1),
  right: z.number().int().min(1),
  /** Training rows that reached the node: TreeSHAP's weights. */
  cover: z.number().positive(),
});
const leafNodeSchema = z.object({ value: z.number(), cover: z.number().positive() });
export const treeNodeSchema = z.union([splitNodeSchema, leafNodeSchema]);
export type SplitNode = z.infer<typeof splitNodeSchema>;
export type LeafNode = z.infer<typeof leafNodeSchema>;
export type TreeNode = z.infer<typeof treeNodeSchema>;
/** Node 0 is the root; children come after their parent. */
export type Tree = TreeNode[];

export const gbmParamsSchema = z.object({
  family: z.literal('gbm'),
  /**
   * Optional linear start: the trees were fitted to what this logistic model left over, and
   * the log-odds are its log-odds + baseScore + Σ trees. Trees cannot extrapolate beyond
   * the training range (every value past the last split gets the edge leaf); the linear
   * part can, which matters when inputs drift (interest rates, see bench/results/scores.md).
   */
  linear: z.object({ intercept: z.number(), weights: numbers }).optional(),
  /** Log-odds every tree adds to (0 with a linear start). */
  baseScore: z.number(),
  /** Leaf values already include the learning rate. */
  learningRate: z.number().positive(),
  trees: z.array(z.array(treeNodeSchema).min(1)),
});

export const mlpParamsSchema = z.object({
  family: z.literal('mlp'),
  /** hidden × inputs, row-major; inputs are the linear encoding (standardised numerics, one-hot levels). */
  w1: numbers,
  b1: numbers,
  w2: numbers,
  b2: z.number(),
  hidden: z.number().int().positive(),
  /** Reference profiles for sampled Shapley values (raw feature records). */
  background: z.array(z.record(z.string(), z.union([z.number(), z.string()]))).min(1),
  /** Permutations per background profile. */
  permutations: z.number().int().positive(),
  seed: z.number().int(),
});

export const recencyParamsSchema = z.object({
  family: z.literal('recency'),
  /** The feature whose value is the score. */
  feature: name,
});

export const bgnbdParamsSchema = z.object({
  family: z.literal('bgnbd'),
  /** BG/NBD (Fader, Hardie & Lee 2005), time in days. */
  r: z.number().positive(),
  alpha: z.number().positive(),
  a: z.number().positive(),
  b: z.number().positive(),
  /** Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"); q > 1. */
  p: z.number().positive(),
  q: z.number().gt(1),
  gamma: z.number().positive(),
  horizonDays: z.number().positive(),
  /** The reference customer of the Shapley explanation (the value every "absent" feature takes). */
  reference: z.record(z.string(), z.number()),
});

export const modelParamsSchema = z.discriminatedUnion('family', [logisticParamsSchema, gbmParamsSchema, mlpParamsSchema, recencyParamsSchema, bgnbdParamsSchema]);
export type ModelParams = z.infer<typeof modelParamsSchema>;
export type ModelFamily = ModelParams['family'];
export type LogisticParams = z.infer<typeof logisticParamsSchema>;
export type GbmParams = z.infer<typeof gbmParamsSchema>;
export type MlpParams = z.infer<typeof mlpParamsSchema>;
export type RecencyParams = z.infer<typeof recencyParamsSchema>;
export type BgnbdParams = z.infer<typeof bgnbdParamsSchema>;

const binnedSchema = z.object({ edges: numbers, shares: numbers });
export const driftReferenceSchema = z.object({
  features: z.array(binnedSchema.extend({ name })),
  score: binnedSchema,
});
export type DriftReference = z.infer<typeof driftReferenceSchema>;

export const modelArtifactSchema = z
  .object({
    schemaVersion: z.literal(SCORING_SCHEMA_VERSION),
    /** What it predicts, e.g. `response-propensity`, `churn-risk`, `lifetime-value`. */
    model: z.string().regex(/^[a-z][a-z0-9-]*$/),
    version: z.string().min(1),
    family: z.enum(['logistic', 'gbm', 'mlp', 'recency', 'bgnbd']),
    /** What `value` means: log-odds (with a probability beside it), days, or a currency amount. */
    output: z.enum(['log-odds', 'days', 'amount']),
    features: z.array(featureSchema).min(1),
    params: modelParamsSchema,
    trainingData: z.object({
      source: z.string().min(1),
      from: z.iso.datetime(),
      to: z.iso.datetime(),
      rows: z.number().int().min(0),
    }),
    /** Held-out figures, named (e.g. `cv_roc_auc`); informational. */
    metrics: z.record(z.string(), z.number()),
    /**
     * The training distribution drift is measured against (drift.ts): per feature, decile
     * edges and shares (numerics) or level shares plus an unseen bucket (categoricals); and
     * the same for the score. Optional and additive: artifacts without it report no drift.
     */
    drift: driftReferenceSchema.optional(),
    createdAt: z.iso.datetime(),
  })
  .superRefine((m, ctx) => {
    const bad = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (m.family !== m.params.family) bad('family differs from params.family');
    const names = new Set(m.features.map((f) => f.name));
    if (names.size !== m.features.length) bad('feature names must be unique');
    for (const f of m.features) if (f.kind === 'categorical' && f.shares.length !== f.levels.length) bad(`${f.name}: one share per level`);
    const columns = m.features.reduce((s, f) => s + (f.kind === 'numeric' ? 1 : f.levels.length), 0);
    const p = m.params;
    if (p.family === 'logistic' && p.weights.length !== columns) bad(`logistic: ${p.weights.length} weights for ${columns} columns`);
    if (p.family === 'gbm' && p.linear && p.linear.weights.length !== columns) bad(`gbm linear start: ${p.linear.weights.length} weights for ${columns} columns`);
    if (p.family === 'mlp' && (p.w1.length !== p.hidden * columns || p.b1.length !== p.hidden || p.w2.length !== p.hidden)) bad('mlp: weight shapes do not match hidden × columns');
    if (p.family === 'recency' && !names.has(p.feature)) bad(`recency: no feature ${p.feature}`);
    if (p.family === 'gbm') {
      p.trees.forEach((tree, t) => {
        tree.forEach((node, i) => {
          if (!('feature' in node)) return;
          if (node.left <= i || node.right <= i || node.left >= tree.length || node.right >= tree.length) bad(`tree ${t} node ${i}: children must follow it`);
          const f = m.features[node.feature];
          if (!f) return bad(`tree ${t} node ${i}: no feature ${node.feature}`);
          if (f.kind === 'numeric' ? node.threshold === undefined : node.leftLevels === undefined) bad(`tree ${t} node ${i}: split does not match the feature's kind`);
        });
      });
    }
    if (p.family === 'bgnbd') for (const f of m.features) if (!(f.name in p.reference)) bad(`bgnbd: reference lacks ${f.name}`);
    if (m.output !== (p.family === 'recency' ? 'days' : p.family === 'bgnbd' ? 'amount' : 'log-odds')) bad(`output ${m.output} does not fit family ${p.family}`);
  });
export type ModelArtifact = z.infer<typeof modelArtifactSchema>;

export class InvalidModelArtifactError extends Error {
  constructor(readonly issues: string) {
    super(`not a scoring model artifact of schema version ${SCORING_SCHEMA_VERSION}: ${issues}`);
    this.name = 'InvalidModelArtifactError';
  }
}

/** The artifact's bytes. */
export function serializeModel(model: ModelArtifact): string {
  return JSON.stringify(model);
}

/** Reads an artifact from its JSON text or an already-parsed value; throws InvalidModelArtifactError. */
export function parseModel(artifact: string | unknown): ModelArtifact {
  return parseArtifact(artifact, modelArtifactSchema, (issues) => new InvalidModelArtifactError(issues));
}
