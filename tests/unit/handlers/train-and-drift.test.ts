import { describe, expect, it } from 'vitest';
import { makeTrainScores } from '../../../functions/handlers/train-scores.ts';
import { makeMeasureDrift } from '../../../functions/handlers/measure-drift.ts';
import { parseModel } from '../../../functions/domain/score/artifact.ts';
import { seededRandom } from '../../../functions/domain/shared/random.ts';
import { MemoryProfileStore } from '../../helpers/memory-profile-store.ts';
import { MemoryModelRegistry } from '../../helpers/memory-model-registry.ts';
import { buyer } from '../../helpers/scoring-fixtures.ts';

function shop(n: number) {
  const store = new MemoryProfileStore();
  const random = seededRandom(4);
  for (let i = 0; i < n; i++) {
    const last = 1 + Math.floor(random() * 8);
    const months: Record<string, number> = { '2011-01': 1, [`2011-0${last}`]: 1 + (i % 3) };
    if (random() < last / 9) months['2011-10'] = 1;
    const p = buyer(`u-${i}`, months);
    store.profiles.set(p.profileId, { ...p, aggregates: { ...p.aggregates, revenue: p.aggregates.revenue * (0.5 + random()) } });
  }
  return store;
}

describe('train-scores (the weekly job)', () => {
  it('trains churn from every profile page, publishes it, and promotes it only with a verdict that says so', async () => {
    // Prepare
    const registry = new MemoryModelRegistry();
    const train = makeTrainScores({ scanner: shop(120), registry, models: ['churn'], source: 'profiles:test', now: () => new Date('2011-12-09T00:00:00Z') });
    // Act
    const [r] = await train();
    // Assess
    const [info] = await registry.list('churn');
    expect(r).toMatchObject({ model: 'churn', version: info.version });
    expect(r.promoted).toBe((await registry.pointer('churn'))?.version === info.version);
    expect(r.verdict).toMatch(r.promoted ? /promoted$/ : /not promoted/);
    const artifact = parseModel(await registry.load('churn', info.version));
    expect(artifact.version).toBe(info.version);
    expect(artifact.trainingData.rows).toBe(120);
    expect(artifact.drift).toBeDefined();
  });

  it('skips a model when there are too few profiles, without failing the run', async () => {
    const registry = new MemoryModelRegistry();
    const [r] = await makeTrainScores({ scanner: shop(10), registry, models: ['clv'], source: 's', now: () => new Date('2011-12-09T00:00:00Z') })();
    expect(r).toMatchObject({ model: 'clv', promoted: false, verdict: expect.stringMatching(/at least 50/) });
    expect(await registry.list('clv')).toEqual([]);
  });
});

describe('measure-drift (the daily check)', () => {
  it('reports each current model with a drift reference over the profiles it applies to', async () => {
    // Prepare: train from the shop as of December, then look at it as of the next June
    const store = shop(120);
    const registry = new MemoryModelRegistry();
    await makeTrainScores({ scanner: store, registry, models: ['churn'], source: 's', now: () => new Date('2011-12-09T00:00:00Z') })();
    const [info] = await registry.list('churn');
    const model = parseModel(await registry.load('churn', info.version));
    // Act
    const [soon] = await makeMeasureDrift({ scanner: store, models: { get: async () => [model] }, asOf: () => new Date('2011-09-01T00:00:00Z') })();
    const [late] = await makeMeasureDrift({ scanner: store, models: { get: async () => [model] }, asOf: () => new Date('2012-06-01T00:00:00Z') })();
    // Assess
    expect(soon).toMatchObject({ model: 'churn', rows: 120 });
    expect(late.features[0].psi).toBeGreaterThan(soon.features[0].psi);
    expect(late.features.find((f) => f.name === 'recency_days')!.psi).toBeGreaterThan(0.25);
  });
});
