import { describe, expect, it } from 'vitest';
import type { Feature, GbmParams, Tree } from '../../../../functions/domain/score/artifact.ts';
import { describeFeatures, type RawFeatures } from '../../../../functions/domain/score/features.ts';
import { binThresholds, fitGbm, gbmExplain, gbmLogit, treeInputs, type TreeInputs } from '../../../../functions/domain/score/gbm.ts';
import { seededRandom } from '../../../../functions/domain/shared/random.ts';
import { rocAuc } from '../../../../functions/domain/score/metrics.ts';

const FEATURES: Feature[] = [
  { name: 'recency', kind: 'numeric', label: 'days since last purchase', unit: 'days', transform: 'none', mean: 0, std: 1, fill: 30 },
  { name: 'orders', kind: 'numeric', label: 'orders', transform: 'none', mean: 0, std: 1, fill: 2 },
  { name: 'channel', kind: 'categorical', label: 'channel', levels: ['email', 'sms', 'push'], shares: [0.5, 0.3, 0.2] },
];

/**
 * Hand-made trees: the first splits on recency twice along one path (TreeSHAP's "unwind"
 * case) and on a categorical set; the second is a single leaf.
 */
const TREES: Tree[] = [
  [
    { feature: 0, threshold: 60, left: 1, right: 2, cover: 100 },
    { feature: 2, leftLevels: [0, 2], left: 3, right: 4, cover: 70 },
    { feature: 0, threshold: 120, left: 5, right: 6, cover: 30 },
    { feature: 0, threshold: 20, left: 7, right: 8, cover: 45 },
    { value: -0.4, cover: 25 },
    { value: 0.3, cover: 18 },
    { feature: 1, threshold: 3, left: 9, right: 10, cover: 12 },
    { value: 1.2, cover: 20 },
    { value: 0.1, cover: 25 },
    { value: 0.9, cover: 7 },
    { value: -1.5, cover: 5 },
  ],
  [{ value: 0.25, cover: 100 }],
];
const PARAMS: GbmParams = { family: 'gbm', baseScore: -1, learningRate: 1, trees: TREES };

/** E[f(x) | x_S] under the covers: follow x where the split's feature is in S, else average the children. */
function conditional(tree: Tree, x: TreeInputs, inS: (f: number) => boolean, node = 0): number {
  const n = tree[node];
  if (!('feature' in n)) return n.value;
  if (inS(n.feature)) {
    const f = FEATURES[n.feature];
    const left = f.kind === 'numeric' ? x.numeric[n.feature] <= n.threshold! : n.leftLevels!.includes(x.level[n.feature]);
    return conditional(tree, x, inS, left ? n.left : n.right);
  }
  const l = tree[n.left];
  const r = tree[n.right];
  return (l.cover * conditional(tree, x, inS, n.left) + r.cover * conditional(tree, x, inS, n.right)) / n.cover;
}

/** Shapley values of the ensemble's conditional expectation by enumerating every coalition. */
function bruteForceShapley(x: TreeInputs): number[] {
  const n = FEATURES.length;
  const v = (mask: number) => PARAMS.baseScore + TREES.reduce((s, t) => s + conditional(t, x, (f) => (mask & (1 << f)) !== 0), 0);
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Array<number>(n).fill(0);
  for (let mask = 0; mask < 1 << n; mask++) {
    const size = [...Array(n).keys()].filter((i) => mask & (1 << i)).length;
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) continue;
      phi[i] += ((fact(size) * fact(n - size - 1)) / fact(n)) * (v(mask | (1 << i)) - v(mask));
    }
  }
  return phi;
}

describe('TreeSHAP', () => {
  const profiles: RawFeatures[] = [
    { recency: 10, orders: 1, channel: 'email' },
    { recency: 45, orders: 5, channel: 'sms' },
    { recency: 90, orders: 2, channel: 'push' },
    { recency: 200, orders: 1, channel: 'email' },
    { recency: 200, orders: 8, channel: 'fax' }, // unseen level: right branch
    { channel: 'push' }, // missing numerics: filled
  ];

  it.each(profiles.map((p, i) => [i, p] as const))('profile %i: equals brute-force Shapley values and sums to the log-odds', (_i, profile) => {
    // Prepare
    const x = treeInputs(FEATURES, profile);
    // Act
    const { value, base, phi } = gbmExplain(PARAMS, FEATURES, x);
    // Assess
    const expected = bruteForceShapley(x);
    Array.from(phi).forEach((p, j) => expect(p).toBeCloseTo(expected[j], 12));
    expect(value).toBeCloseTo(gbmLogit(PARAMS, FEATURES, x), 12);
    expect(base + phi.reduce((s, p) => s + p, 0)).toBeCloseTo(value, 12);
  });

  it('starts from the cover-weighted mean of the trees', () => {
    // Prepare: tree 1: 0.7·[45/70·(20/45·1.2 + 25/45·0.1) + 25/70·(−0.4)] + 0.3·[18/30·0.3 + 12/30·(7/12·0.9 + 5/12·(−1.5))]
    const tree1 = 0.7 * ((45 / 70) * ((20 / 45) * 1.2 + (25 / 45) * 0.1) + (25 / 70) * -0.4) + 0.3 * ((18 / 30) * 0.3 + (12 / 30) * ((7 / 12) * 0.9 + (5 / 12) * -1.5));
    // Act
    const { base } = gbmExplain(PARAMS, FEATURES, treeInputs(FEATURES, { recency: 1, orders: 1, channel: 'sms' }));
    // Assess
    expect(base).toBeCloseTo(-1 + tree1 + 0.25, 12);
  });
});

describe('fitGbm', () => {
  it('learns an interaction a linear model cannot (XOR of two features) and explains it additively', () => {
    // Prepare: y = 1 when exactly one of (a > 0.5, channel = sms) holds, with 10 % label noise
    const random = seededRandom(5);
    const rows: RawFeatures[] = [];
    const y: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const a = random();
      const channel = random() < 0.5 ? 'sms' : 'email';
      rows.push({ a, channel, noise: random() });
      const truth = a > 0.5 !== (channel === 'sms') ? 1 : 0;
      y.push(random() < 0.1 ? 1 - truth : truth);
    }
    const features = describeFeatures(
      [
        { name: 'a', kind: 'numeric', label: 'a' },
        { name: 'channel', kind: 'categorical', label: 'channel' },
        { name: 'noise', kind: 'numeric', label: 'noise' },
      ],
      rows,
    );
    // Act
    const params = fitGbm(features, rows, y, { trees: 60, maxDepth: 2, learningRate: 0.2, minLeaf: 10, seed: 3 });
    const logits = rows.map((r) => gbmLogit(params, features, treeInputs(features, r)));
    // Assess
    expect(rocAuc(logits, y)).toBeGreaterThan(0.85);
    for (const r of rows.slice(0, 50)) {
      const { value, base, phi } = gbmExplain(params, features, treeInputs(features, r));
      expect(base + phi.reduce((s, p) => s + p, 0)).toBeCloseTo(value, 10);
    }
  });

  it('keeps bins at real training values', () => {
    // Prepare
    const values = [1, 1, 2, 3, 3, 3, 4, 5];
    // Act
    const few = binThresholds(values, 10);
    const two = binThresholds(Array.from({ length: 100 }, (_, i) => i), 2);
    // Assess: every distinct value but the last is a threshold; 2 bins split at the median
    expect(few).toEqual([1, 2, 3, 4]);
    expect(two).toEqual([49]);
  });
});
