import { describe, expect, it } from 'vitest';
import { InvalidModelArtifactError, parseModel, serializeModel, type ModelArtifact } from '../../../../functions/domain/score/artifact.ts';
import { churnFeatures, churnLabel, CHURN_FEATURES, type CustomerTransaction } from '../../../../functions/domain/score/churn.ts';
import type { FeatureDeclaration, RawFeatures } from '../../../../functions/domain/score/features.ts';
import { fitLogistic } from '../../../../functions/domain/score/logistic.ts';
import { seededRandom } from '../../../../functions/domain/shared/random.ts';
import { sigmoid } from '../../../../functions/domain/score/math.ts';
import { explainTop, predict, score } from '../../../../functions/domain/score/score.ts';
import { exactShapley, sampledShapley } from '../../../../functions/domain/score/shapley.ts';
import { recencyBaseline, trainClv, trainGbm, trainLogistic, trainMlp, type ArtifactMeta } from '../../../../functions/domain/score/train.ts';

const META: ArtifactMeta = {
  model: 'test-model',
  version: '1.0.0',
  trainingData: { source: 'hand-written fixture', from: '2011-01-01T00:00:00.000Z', to: '2011-06-01T00:00:00.000Z', rows: 0 },
  createdAt: '2026-11-22T00:00:00.000Z',
};

const DECLARATIONS: FeatureDeclaration[] = [
  { name: 'recency_days', kind: 'numeric', label: 'days since last purchase', unit: 'days' },
  { name: 'orders', kind: 'numeric', label: 'orders', transform: 'log1p' },
  { name: 'channel', kind: 'categorical', label: 'channel' },
];

/** 400 customers in the shape of profile aggregates; churn grows with recency, falls with orders, sms churns more. */
function fixture(): { rows: RawFeatures[]; y: number[] } {
  const random = seededRandom(9);
  const rows: RawFeatures[] = [];
  const y: number[] = [];
  for (let i = 0; i < 400; i++) {
    const recency = Math.floor(random() * 300);
    const orders = 1 + Math.floor(random() * 12);
    const channel = ['email', 'sms', 'push'][Math.floor(random() * 3)];
    rows.push({ recency_days: recency, orders, channel });
    y.push(random() < sigmoid(0.012 * recency - 0.25 * orders + (channel === 'sms' ? 0.8 : 0) - 1) ? 1 : 0);
  }
  return { rows, y };
}

const PROFILES: RawFeatures[] = [
  { recency_days: 210, orders: 2, channel: 'sms' },
  { recency_days: 5, orders: 11, channel: 'email' },
  { recency_days: '40', orders: '3', channel: ' PUSH ' }, // strings as a CSV or a form gives them
  { channel: 'fax' }, // missing numerics and an unseen level
];

function models(): ModelArtifact[] {
  const { rows, y } = fixture();
  const meta = { ...META, trainingData: { ...META.trainingData, rows: rows.length } };
  return [
    trainLogistic({ ...meta, model: 'churn-risk' }, DECLARATIONS, rows, y),
    trainGbm({ ...meta, model: 'churn-risk' }, DECLARATIONS, rows, y, { trees: 40, maxDepth: 3, minLeaf: 10, learningRate: 0.1 }),
    trainGbm({ ...meta, model: 'churn-risk' }, DECLARATIONS, rows, y, { trees: 20, maxDepth: 2, minLeaf: 10, learningRate: 0.1, linearStart: { l2: 1 } }),
    trainMlp({ ...meta, model: 'churn-risk' }, DECLARATIONS, rows, y, { hidden: 6, epochs: 20, batchSize: 32, seed: 2, background: 4, permutations: 3 }),
    recencyBaseline({ ...meta, model: 'churn-risk' }, DECLARATIONS, rows),
  ];
}

describe('score: base + Σ contributions = value', () => {
  const trained = models();
  for (const model of trained) {
    it.each(PROFILES.map((p, i) => [i, p] as const))(`${model.family}${model.params.family === 'gbm' && model.params.linear ? ' with a linear start' : ''}, profile %i`, (_i, profile) => {
      // Prepare (the models above)
      // Act
      const result = score(model, profile);
      // Assess
      const sum = result.base + result.contributions.reduce((s, c) => s + c.contribution, 0);
      expect(sum).toBeCloseTo(result.value, 9);
      expect(result.contributions.map((c) => c.feature)).toEqual(model.features.map((f) => f.name));
      expect(result.value).toBeCloseTo(predict(model, profile), 12);
      if (model.output === 'log-odds') expect(result.probability).toBeCloseTo(sigmoid(result.value), 12);
    });
  }

  it('lifetime value: exact Shapley over its four inputs sums to the expected spend', () => {
    // Prepare: calibration statistics in days, in the shape of Online Retail customers
    const customers = [
      ...Array.from({ length: 30 }, (_, i) => ({ x: 0, tx: 0, T: 20 + i * 5, m: 0 })),
      ...Array.from({ length: 30 }, (_, i) => ({ x: 1 + (i % 6), tx: 30 + i, T: 100 + i * 3, m: 15 + (i % 7) * 10 })),
      ...Array.from({ length: 10 }, (_, i) => ({ x: 2 + i, tx: 10, T: 200, m: 40 })),
    ];
    const model = trainClv({ ...META, model: 'lifetime-value' }, customers, 90);
    const profile = { repeat_purchases: 6, recency_days: 12, tenure_days: 180, avg_repeat_spend: 55 };
    // Act
    const result = score(model, profile);
    // Assess
    const sum = result.base + result.contributions.reduce((s, c) => s + c.contribution, 0);
    expect(sum).toBeCloseTo(result.value, 9);
    expect(result.value).toBeCloseTo(result.details!.expectedPurchases * result.details!.expectedSpendPerPurchase, 9);
    expect(result.value).toBeGreaterThan(result.base); // a frequent, recent, big spender beats the median customer
    expect(result.output).toBe('amount');
  });
});

describe('logistic regression', () => {
  it('learns a separable toy problem', () => {
    // Prepare: y = 1 exactly when x₀ + x₁ > 0, with a margin of 0.1 around the boundary
    const random = seededRandom(3);
    const x: Float64Array[] = [];
    const y: number[] = [];
    while (x.length < 200) {
      const a = random() * 2 - 1;
      const b = random() * 2 - 1;
      if (Math.abs(a + b) < 0.1) continue;
      x.push(Float64Array.from([a, b]));
      y.push(a + b > 0 ? 1 : 0);
    }
    // Act
    const params = fitLogistic(x, y, { l2: 0.01 });
    // Assess: every row on the right side, weights positive and about equal
    x.forEach((row, i) => expect(params.intercept + params.weights[0] * row[0] + params.weights[1] * row[1] > 0 ? 1 : 0).toBe(y[i]));
    expect(params.weights[0]).toBeGreaterThan(5);
    expect(params.weights[0] / params.weights[1]).toBeGreaterThan(0.7);
    expect(params.weights[0] / params.weights[1]).toBeLessThan(1.4);
  });

  it('explains as w·(x − mean) per feature, summed over one-hot columns', () => {
    // Prepare
    const model = models()[0];
    const p = model.params as { intercept: number; weights: number[] };
    const channel = model.features[2];
    if (channel.kind !== 'categorical') throw new Error('fixture');
    const sms = channel.levels.indexOf('sms');
    // Act
    const result = score(model, PROFILES[0]);
    // Assess: columns 2.. are the channel levels
    const expected = channel.levels.reduce((s, _l, k) => s + p.weights[2 + k] * ((k === sms ? 1 : 0) - channel.shares[k]), 0);
    expect(result.contributions[2].contribution).toBeCloseTo(expected, 12);
  });
});

describe('GBM with a linear start', () => {
  it('extrapolates a trend past the training range where trees alone stay flat', () => {
    // Prepare: P(y) rises with rate ∈ [0, 1]
    const random = seededRandom(21);
    const rows: RawFeatures[] = [];
    const y: number[] = [];
    for (let i = 0; i < 1500; i++) {
      const rate = random();
      rows.push({ rate });
      y.push(random() < sigmoid(4 * rate - 2) ? 1 : 0);
    }
    const decl: FeatureDeclaration[] = [{ name: 'rate', kind: 'numeric', label: 'rate' }];
    const options = { trees: 30, maxDepth: 2, minLeaf: 20, learningRate: 0.1 };
    // Act
    const trees = trainGbm(META, decl, rows, y, options);
    const hybrid = trainGbm(META, decl, rows, y, { ...options, linearStart: { l2: 1 } });
    // Assess: beyond the range, trees give the edge value; the hybrid keeps rising
    expect(predict(trees, { rate: 3 })).toBeCloseTo(predict(trees, { rate: 1 }), 12);
    expect(predict(hybrid, { rate: 3 }) - predict(hybrid, { rate: 1 })).toBeGreaterThan(4);
  });
});

describe('explainTop', () => {
  it('reads as "label value unit: ±contribution", largest first', () => {
    // Prepare
    const result = {
      model: 'churn-risk',
      version: '1',
      family: 'logistic' as const,
      output: 'log-odds' as const,
      value: 0.5,
      base: -0.2,
      contributions: [
        { feature: 'orders', label: 'orders', value: 2, contribution: -0.12 },
        { feature: 'recency_days', label: 'days since last purchase', unit: 'days', value: 210, contribution: 0.31 },
        { feature: 'channel', label: 'channel', value: 'sms', contribution: 0.51 },
        { feature: 'tiny', label: 'tiny', value: 1.23456, contribution: 0.001 },
      ],
    };
    // Act
    const lines = explainTop(result, 3);
    // Assess
    expect(lines).toEqual(['channel sms: +0.51', 'days since last purchase 210 days: +0.31', 'orders 2: -0.12']);
    expect(explainTop(result, 10)).toHaveLength(3); // the 0.001 rounds to nothing and is left out
  });
});

describe('artifact', () => {
  it('round-trips every family through serialize and parse', () => {
    // Prepare
    for (const model of models()) {
      // Act
      const back = parseModel(serializeModel(model));
      // Assess
      expect(back).toEqual(model);
      expect(score(back, PROFILES[0]).value).toBe(score(model, PROFILES[0]).value);
    }
  });

  it('rejects an artifact whose weights do not fit its features, and non-JSON', () => {
    // Prepare
    const model = models()[0];
    const broken = { ...model, params: { ...model.params, weights: [1, 2] } };
    // Act / Assess
    expect(() => parseModel(broken)).toThrow(InvalidModelArtifactError);
    expect(() => parseModel(broken)).toThrow(/weights for/);
    expect(() => parseModel('{not json')).toThrow(/not JSON/);
    expect(() => parseModel({ ...model, schemaVersion: 2 })).toThrow(InvalidModelArtifactError);
  });

  it('rejects a tree whose children come before it', () => {
    // Prepare
    const gbm = models()[1];
    const params = gbm.params as { trees: unknown[][] };
    const bad = { ...gbm, params: { ...gbm.params, trees: [[{ feature: 0, threshold: 1, left: 1, right: 1, cover: 2 }], ...params.trees.slice(1)] } };
    // Act / Assess
    expect(() => parseModel(bad)).toThrow(/children must follow/);
  });
});

describe('shapley helpers', () => {
  it('exact: splits a pure interaction equally and gives an additive term to its feature', () => {
    // Prepare: f = 2·x0·x1 + 3·x2, reference all 0, profile all 1 → φ = [1, 1, 3]
    const f = (mask: number) => 2 * (mask & 1 ? 1 : 0) * (mask & 2 ? 1 : 0) + 3 * (mask & 4 ? 1 : 0);
    // Act
    const { phi, base, full } = exactShapley(3, f);
    // Assess
    expect(phi).toEqual([1, 1, 3]);
    expect(base).toBe(0);
    expect(full).toBe(5);
  });

  it('sampled: sums exactly to f(profile) − mean f(reference) whatever the sample', () => {
    // Prepare: f = x0·x1·x2 + x3 on 0/1 inputs; two references
    const refs = [
      [0, 0, 0, 0],
      [1, 0, 1, 1],
    ];
    const profile = [1, 1, 1, 0];
    const f = (from: Uint8Array, r: number) => {
      const v = [0, 1, 2, 3].map((i) => (from[i] ? profile[i] : refs[r][i]));
      return v[0] * v[1] * v[2] + v[3];
    };
    // Act
    const { phi, base } = sampledShapley(4, 2, 5, 123, f);
    // Assess: f(profile) = 1; references give 0 and 1 → base 0.5
    expect(base).toBeCloseTo(0.5, 12);
    expect(base + phi.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
  });
});

describe('churn features', () => {
  it('aggregates orders, returns and windows before the cut-off', () => {
    // Prepare: cut-off 2011-09-09; orders on 2011-01-10 (two lines), 2011-06-20 and 2011-08-30; one return
    const t = (s: string) => Date.parse(`${s}T10:00:00Z`);
    const cutOff = Date.parse('2011-09-09T00:00:00Z');
    const tx: CustomerTransaction[] = [
      { invoice: '1', at: t('2011-01-10'), amount: 30, kind: 'purchase' },
      { invoice: '1', at: t('2011-01-10'), amount: 20, kind: 'purchase' },
      { invoice: '2', at: t('2011-06-20'), amount: 100, kind: 'purchase' },
      { invoice: 'C3', at: t('2011-06-25'), amount: 15, kind: 'return' },
      { invoice: '4', at: t('2011-08-30'), amount: 50, kind: 'purchase' },
      { invoice: '5', at: t('2011-10-01'), amount: 70, kind: 'purchase' }, // after the cut-off
    ];
    // Act
    const features = churnFeatures(tx, cutOff);
    // Assess
    expect(features).toEqual({
      recency_days: 9, // 2011-08-30 10:00 → 2011-09-09 00:00 = 9.6 days
      frequency: 3,
      monetary: 200,
      tenure_days: 241,
      orders_90d: 2, // from 2011-06-11
      orders_180d: 2, // from 2011-03-13
      avg_basket: 66.67,
      returns: 1,
      distinct_months: 3,
    });
    expect(churnLabel(tx, cutOff, 92)).toBe(0);
    expect(churnLabel(tx, cutOff, 10)).toBe(1);
    expect(churnFeatures(tx, t('2011-01-01'))).toBeUndefined();
    expect(CHURN_FEATURES.map((f) => f.name)).toEqual(Object.keys(features!));
  });
});
