import { describe, expect, it } from 'vitest';
import { makeScoreProfiles } from '../../../functions/handlers/score-profiles.ts';
import { sigmoid } from '../../../functions/domain/scoring/math.ts';
import type { ModelArtifact } from '../../../functions/domain/scoring/artifact.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';
import { MemoryProfileStore } from '../../helpers/memory-profile-store.ts';
import { context, kinesisEvent } from '../../helpers/kinesis-event.ts';
import { buyer, churnModel, clvModel } from '../../helpers/scoring-fixtures.ts';

const change = (profileId: string) => ({ v: 1, profileId, at: '2011-12-01T00:00:00.000Z' });

function setup(models: ModelArtifact[] = [churnModel, clvModel]) {
  const store = new MemoryProfileStore();
  store.profiles.set('u-ada', buyer('u-ada', { '2011-03': 1, '2011-09': 2 }));
  store.profiles.set('u-bo', buyer('u-bo', { '2011-11': 1 }));
  const failed: FailedEvent[] = [];
  const handler = makeScoreProfiles({
    store,
    failed: { put: async (r) => void failed.push(...r) },
    models: { get: async () => models },
    asOf: (p) => new Date(p.tagsAsOf!),
    now: () => new Date('2011-12-01T00:05:00Z'),
  });
  return { store, failed, handler };
}

describe('score-profiles handler', () => {
  it('scores each announced profile once, with explanations that add up, and keeps unreadable records', async () => {
    // Prepare
    const { store, failed, handler } = setup();
    const writesBefore = store.writes;
    // Act
    const res = await handler(kinesisEvent([change('u-ada'), change('u-ada'), 'not json', change('u-bo'), { v: 1 }]), context);
    // Assess
    expect(res.batchItemFailures).toEqual([]);
    expect(store.writes - writesBefore).toBe(2);
    const ada = store.profiles.get('u-ada')!;
    expect(ada.version).toBe(2);
    expect(Object.keys(ada.scores!).sort()).toEqual(['churn', 'clv']);
    const c = ada.scores!.churn;
    expect(sigmoid(c.base + c.contributions.reduce((s, x) => s + x.contribution, 0))).toBeCloseTo(c.value, 10);
    expect(c.explanation.length).toBeGreaterThan(0);
    expect(c.at).toBe('2011-12-01T00:00:00.000Z');
    expect(failed.map((f) => [f.stage, f.reason])).toEqual([
      ['score', 'invalid_json'],
      ['score', 'schema_violation'],
    ]);
  });

  it('writes nothing when the scores did not move, and nothing for an unknown profile', async () => {
    const { store, handler } = setup();
    await handler(kinesisEvent([change('u-ada')]), context);
    const writes = store.writes;
    await handler(kinesisEvent([change('u-ada'), change('u-nobody')]), context);
    expect(store.writes).toBe(writes);
  });

  it('re-reads and re-scores when a concurrent writer wins the race', async () => {
    // Prepare: Tag writes the profile between the scorer's read and its write
    const { store, handler } = setup();
    store.concurrentWriteAt = 1;
    // Act
    await handler(kinesisEvent([change('u-ada')]), context);
    // Assess: the concurrent version (2) was kept and scored on top (3)
    expect(store.profiles.get('u-ada')).toMatchObject({ version: 3, scores: { churn: expect.any(Object) } });
  });

  it('throws on a storage failure so the batch is retried, and the retry scores', async () => {
    const { store, handler } = setup();
    store.failSaveAt = 1;
    const batch = kinesisEvent([change('u-ada')]);
    await expect(handler(batch, context)).rejects.toThrow(/injected/);
    await handler(batch, context);
    expect(store.profiles.get('u-ada')?.scores?.churn).toBeDefined();
  });

  it('follows a merged profile to the one that absorbed it', async () => {
    const { store, handler } = setup();
    store.profiles.set('a-anon', { ...buyer('a-anon', { '2011-01': 1 }), mergedInto: 'u-bo' });
    await handler(kinesisEvent([change('a-anon')]), context);
    expect(store.profiles.get('u-bo')?.scores?.churn).toBeDefined();
    expect(store.profiles.get('a-anon')?.scores).toBeUndefined();
  });

  it('scores nothing before any model is trained', async () => {
    const { store, handler } = setup([]);
    const writes = store.writes;
    await handler(kinesisEvent([change('u-ada')]), context);
    expect(store.writes).toBe(writes);
  });
});
