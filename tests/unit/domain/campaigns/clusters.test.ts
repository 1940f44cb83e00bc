import { describe, expect, it } from 'vitest';
import { profileSchema, type Profile } from '../../../../schemas/profile.ts';
import { seededRandom } from '../../../../functions/domain/shared/random.ts';
import {
  assignCluster,
  describeCentroid,
  featureSpecs,
  kmeans,
  parseClusterModel,
  purchaseFeatures,
  sampleIndices,
  serializeClusterModel,
  silhouette,
  trainClusters,
  InvalidClusterModelError,
  keepClusterTag,
} from '../../../../functions/domain/campaigns/clusters.ts';

const AS_OF = new Date('2011-12-10T00:00:00Z');
const DAY = 86_400_000;

function profile(id: string, a: { orders: number; revenue: number; items: number; daysAgo: number; categories?: Record<string, number> }, extra: Partial<Profile> = {}): Profile {
  return profileSchema.parse({
    schemaVersion: 1,
    profileId: id,
    version: 3,
    createdAt: '2010-12-01T00:00:00Z',
    updatedAt: '2011-12-01T00:00:00Z',
    identities: { userIds: [id] },
    aggregates: {
      orders: a.orders,
      revenue: a.revenue,
      items: a.items,
      lastOrderAt: new Date(AS_OF.getTime() - a.daysAgo * DAY).toISOString(),
      categories: a.categories ?? {},
    },
    ...extra,
  });
}

/** Three well-separated planted groups, with log-normal noise (the shape of real spend). */
function planted(perGroup = 80, seed = 11): { profiles: Profile[]; group: Map<string, string> } {
  const r = seededRandom(seed);
  const noise = (scale: number) => Math.exp((r() - 0.5) * scale);
  const groups = {
    loyal: { orders: 40, aov: 400, items: 150, days: 4, cats: { christmas: 8, kitchen: 1, bags: 1 } },
    lapsed: { orders: 1, aov: 15, items: 3, days: 320, cats: { kitchen: 8, christmas: 1, bags: 1 } },
    middle: { orders: 6, aov: 60, items: 20, days: 90, cats: { bags: 8, kitchen: 1, christmas: 1 } },
  };
  const profiles: Profile[] = [];
  const group = new Map<string, string>();
  for (const [name, g] of Object.entries(groups)) {
    for (let i = 0; i < perGroup; i++) {
      const id = `${name}-${i}`;
      const orders = Math.max(1, Math.round(g.orders * noise(0.6)));
      const categories = Object.fromEntries(Object.entries(g.cats).map(([c, v]) => [c, Math.round(v * 10 * noise(0.5))]));
      profiles.push(profile(id, { orders, revenue: orders * g.aov * noise(0.6), items: orders * g.items * noise(0.6), daysAgo: Math.min(372, g.days * noise(0.4)), categories }));
      group.set(id, name);
    }
  }
  return { profiles, group };
}

/** Silhouette straight from its definition, written without the module's code. */
function bruteForceSilhouette(points: number[][], labels: number[]): number {
  const d = (a: number[], b: number[]) => Math.hypot(...a.map((v, j) => v - b[j]));
  const clusters = [...new Set(labels)];
  const s = points.map((p, i) => {
    const own = points.filter((_, j) => j !== i && labels[j] === labels[i]);
    if (own.length === 0) return 0;
    const a = own.reduce((t, q) => t + d(p, q), 0) / own.length;
    const b = Math.min(
      ...clusters
        .filter((c) => c !== labels[i])
        .map((c) => {
          const other = points.filter((_, j) => labels[j] === c);
          return other.reduce((t, q) => t + d(p, q), 0) / other.length;
        }),
    );
    return (b - a) / Math.max(a, b);
  });
  return s.reduce((t, v) => t + v, 0) / s.length;
}

describe('purchaseFeatures', () => {
  it('reads recency, frequency, monetary, basket size and category shares from the aggregates', () => {
    // Prepare
    const p = profile('p', { orders: 4, revenue: 200, items: 40, daysAgo: 10, categories: { christmas: 30, kitchen: 10 } });

    // Act
    const f = purchaseFeatures(p, AS_OF)!;

    // Assess
    expect(f.recencyDays).toBeCloseTo(10, 9);
    expect(f).toMatchObject({ orders: 4, revenue: 200, itemsPerOrder: 10, categoryShares: { christmas: 0.75, kitchen: 0.25 } });
  });

  it('has none for people who never ordered and for merged profiles', () => {
    expect(purchaseFeatures(profile('n', { orders: 0, revenue: 0, items: 0, daysAgo: 1 }), AS_OF)).toBeUndefined();
    expect(purchaseFeatures(profile('m', { orders: 2, revenue: 9, items: 2, daysAgo: 1 }, { mergedInto: 'x' }), AS_OF)).toBeUndefined();
  });
});

describe('silhouette', () => {
  it('matches the hand computation on four points in one dimension', () => {
    // a(0) = 1, b(0) = 10.5; a(1) = 1, b(1) = 9.5; the other two mirror them.
    const s = silhouette([[0], [1], [10], [11]], [0, 0, 1, 1], 2);
    expect(s).toBeCloseTo((9.5 / 10.5 + 8.5 / 9.5) / 2, 12);
  });

  it('matches a brute-force computation on a tiny random set, singletons included', () => {
    // Prepare
    const r = seededRandom(5);
    const points = Array.from({ length: 13 }, () => [r() * 4, r() * 4, r()]);
    const labels = points.map((_, i) => (i === 12 ? 3 : i % 3));

    // Act
    const s = silhouette(points, labels, 4);

    // Assess
    expect(s).toBeCloseTo(bruteForceSilhouette(points, labels), 12);
  });

  it('is 0 with a single cluster', () => {
    expect(silhouette([[0], [1], [2]], [0, 0, 0], 1)).toBe(0);
  });
});

describe('sampleIndices', () => {
  it('takes every index below the size, and a seeded distinct sample above it', () => {
    expect(sampleIndices(5, 10, seededRandom(1))).toEqual([0, 1, 2, 3, 4]);
    const s = sampleIndices(10_000, 3000, seededRandom(1));
    expect(new Set(s).size).toBe(3000);
    expect(s.every((i) => i >= 0 && i < 10_000)).toBe(true);
    expect(sampleIndices(10_000, 3000, seededRandom(1))).toEqual(s);
  });
});

describe('kmeans', () => {
  it('finds two obvious groups and the lowest within-cluster sum of squares', () => {
    const points = [[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [11, 10]];
    const fit = kmeans(points, 2, { random: seededRandom(3), restarts: 3 });
    expect(fit.labels[0]).toBe(fit.labels[1]);
    expect(fit.labels[0]).toBe(fit.labels[2]);
    expect(fit.labels[3]).toBe(fit.labels[4]);
    expect(fit.labels[0]).not.toBe(fit.labels[3]);
    expect(fit.inertia).toBeCloseTo(4 * (2 / 3), 9);
  });
});

describe('trainClusters', () => {
  it('recovers three planted groups: k = 3 chosen by silhouette, purity ≥ 0.95', () => {
    // Prepare
    const { profiles, group } = planted();

    // Act
    const { model, assignments } = trainClusters(profiles, { asOf: AS_OF, seed: 42 });

    // Assess
    expect(model.k).toBe(3);
    expect(model.selection.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const best = Math.max(...model.selection.map((s) => s.silhouette));
    expect(model.silhouette).toBe(best);
    let majority = 0;
    for (let c = 0; c < model.k; c++) {
      const counts = new Map<string, number>();
      for (const a of assignments) if (a.cluster === c) counts.set(group.get(a.profileId)!, (counts.get(group.get(a.profileId)!) ?? 0) + 1);
      majority += Math.max(0, ...counts.values());
    }
    expect(majority / assignments.length).toBeGreaterThanOrEqual(0.95);
    expect(model.sizes.reduce((a, b) => a + b, 0)).toBe(240);
    expect([...model.sizes].sort((a, b) => b - a)).toEqual(model.sizes);
  });

  it('describes each planted cluster by what sets it apart, in the right direction', () => {
    // Prepare
    const { profiles, group } = planted();

    // Act
    const { model, assignments } = trainClusters(profiles, { asOf: AS_OF, seed: 42 });

    // Assess
    const clusterOf = (g: string) => assignments.find((a) => group.get(a.profileId) === g)!.cluster;
    const loyal = model.descriptions[clusterOf('loyal')];
    const lapsed = model.descriptions[clusterOf('lapsed')];
    const middle = model.descriptions[clusterOf('middle')];
    expect(loyal).toMatch(/recent|frequent|high-spend|large baskets|christmas/);
    expect(loyal).not.toMatch(/lapsed|infrequent|low-spend|small baskets/);
    expect(lapsed).toMatch(/lapsed|infrequent|low-spend|small baskets|kitchen/);
    expect(lapsed).not.toMatch(/recent|\bfrequent|high-spend|large baskets/);
    // The middle group stands out by its category mix, not by its (average) spend.
    expect(middle).toMatch(/bags/);
    const words = (d: string) => d.split(/[;,]\s*/).length;
    for (const d of model.descriptions) expect(words(d)).toBeGreaterThanOrEqual(2);
    for (const d of model.descriptions) expect(words(d)).toBeLessThanOrEqual(3);
    model.names.forEach((n, i) => expect(n).toMatch(new RegExp(`^c${i + 1}-[a-z0-9-]+$`)));
    const names = model.features.map((f) => f.name);
    expect(names.slice(0, 4)).toEqual(['recency_days', 'orders', 'revenue', 'items_per_order']);
    expect(names.slice(4, 7).sort()).toEqual(['share_bags', 'share_christmas', 'share_kitchen']);
    expect(names[7]).toBe('share_rest');
  });

  it('is deterministic by seed and does not depend on the order profiles were read in', () => {
    // Prepare
    const { profiles } = planted(40, 3);
    const reversed = [...profiles].reverse();

    // Act
    const a = trainClusters(profiles, { asOf: AS_OF, seed: 7 });
    const b = trainClusters(reversed, { asOf: AS_OF, seed: 7 });

    // Assess
    expect(serializeClusterModel(b.model)).toBe(serializeClusterModel(a.model));
    expect(b.assignments).toEqual(a.assignments);
    expect(a.model.seed).toBe(7);
  });

  it('gives a fixed k the same model the search found for that k', () => {
    const { profiles } = planted(40, 3);
    const fixed = trainClusters(profiles, { asOf: AS_OF, seed: 7, k: 4 });
    const searched = trainClusters(profiles, { asOf: AS_OF, seed: 7 });
    expect(fixed.model.k).toBe(4);
    expect(fixed.model.silhouette).toBe(searched.model.selection.find((s) => s.k === 4)!.silhouette);
  });

  it('skips non-buyers and merged profiles, and refuses too few buyers', () => {
    const { profiles } = planted(20, 1);
    const extra = [profile('none', { orders: 0, revenue: 0, items: 0, daysAgo: 0 }), profile('gone', { orders: 3, revenue: 30, items: 3, daysAgo: 5 }, { mergedInto: 'x' })];
    const t = trainClusters([...profiles, ...extra], { asOf: AS_OF, seed: 1 });
    expect(t.skipped).toBe(2);
    expect(t.model.rows).toBe(60);
    expect(() => trainClusters(profiles.slice(0, 2), { asOf: AS_OF })).toThrow(/more buyers than k/);
  });
});

describe('describeCentroid', () => {
  const model = { features: featureSpecs(['christmas', 'kitchen']), means: [100, 1, 5, 2, 0.3, 0.3, 0.4], sds: [80, 0.8, 1.5, 1, 0.2, 0.2, 0.2] };

  it('names the 2–3 features with the largest |z|, purchase words first in a fixed order', () => {
    const d = describeCentroid(model, [-2, 0.9, 1.5, 0.1, 0.2, -0.1, 0], 0);
    expect(d).toEqual({ name: 'c1-recent-high-spend', description: 'recent, frequent, high-spend' });
  });

  it('drops a weak third feature and speaks of the category mix after a semicolon', () => {
    // christmas share at the centroid: 0.3 + 2 × 0.2 = 0.7 → "mostly".
    const d = describeCentroid(model, [1.2, 0, 0, 0.3, 2, -0.8, 0], 2);
    expect(d).toEqual({ name: 'c3-christmas-lapsed', description: 'lapsed; mostly christmas, little kitchen' });
    expect(describeCentroid(model, [1.2, 0, 0, 0, 2, -0.4, 0], 1).description).toBe('lapsed; mostly christmas');
  });
});

describe('assignCluster', () => {
  it('puts every training profile in the cluster training gave it, and agrees with the stored sizes', () => {
    // Prepare
    const { profiles } = planted(50, 9);
    const { model, assignments } = trainClusters(profiles, { asOf: AS_OF, seed: 5 });
    const reloaded = parseClusterModel(serializeClusterModel(model));
    const byId = new Map(profiles.map((p) => [p.profileId, p]));

    // Act
    const assigned = assignments.map((a) => assignCluster(reloaded, byId.get(a.profileId)!, AS_OF)!);

    // Assess
    expect(assigned.map((a) => a.cluster)).toEqual(assignments.map((a) => a.cluster));
    const sizes = new Array(model.k).fill(0);
    for (const a of assigned) sizes[a.cluster]++;
    expect(sizes).toEqual(model.sizes);
    expect(assigned[0].name).toBe(model.names[assigned[0].cluster]);
  });

  it('assigns nothing to non-buyers; a buyer without category data is placed by the rest', () => {
    const { profiles } = planted(30, 2);
    const { model } = trainClusters(profiles, { asOf: AS_OF, seed: 5 });
    expect(assignCluster(model, profile('none', { orders: 0, revenue: 0, items: 0, daysAgo: 0 }), AS_OF)).toBeUndefined();
    const bigSpender = assignCluster(model, profile('x', { orders: 45, revenue: 18_000, items: 6_000, daysAgo: 3 }), AS_OF)!;
    const loyal = assignCluster(model, profiles.find((p) => p.profileId === 'loyal-0')!, AS_OF)!;
    expect(bigSpender.cluster).toBe(loyal.cluster);
  });
});

describe('clusterModelSchema', () => {
  it('refuses an artifact whose arrays disagree with k and the features', () => {
    const { profiles } = planted(20, 4);
    const { model } = trainClusters(profiles, { asOf: AS_OF, seed: 1 });
    expect(() => parseClusterModel({ ...model, names: model.names.slice(1) })).toThrow(InvalidClusterModelError);
    expect(() => parseClusterModel({ ...model, means: [1] })).toThrow(/means/);
    expect(() => parseClusterModel('{')).toThrow(/not JSON/);
  });
});

describe('keepClusterTag', () => {
  it('carries the cluster tag through a rule re-evaluation and adds nothing when there is none', () => {
    expect(keepClusterTag({ cluster: 'c2-x', lifecycle: 'active' }, { lifecycle: 'lapsed' })).toEqual({ lifecycle: 'lapsed', cluster: 'c2-x' });
    expect(keepClusterTag({ lifecycle: 'active' }, { lifecycle: 'lapsed' })).toEqual({ lifecycle: 'lapsed' });
  });
});
