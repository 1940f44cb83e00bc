import { describe, expect, it } from 'vitest';
import { makeScoreProfiles } from '../../../functions/handlers/score-profiles.ts';
import { sigmoid } from '../../../functions/domain/score/math.ts';
import type { ModelArtifact } from '../../../functions/domain/score/artifact.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';
import { MemoryProfileStore, MemoryScoreStore } from '../../helpers/memory-profile-store.ts';
import { context, kinesisEvent } from '../../helpers/kinesis-event.ts';
import { buyer, churnModel, clvModel } from '../../helpers/scoring-fixtures.ts';

const change = (profileId: string) => ({ v: 1, profileId, at: '2011-12-01T00:00:00.000Z' });

function setup(models: ModelArtifact[] = [churnModel, clvModel]) {
  const store = new MemoryProfileStore();
  const scores = new MemoryScoreStore(store);
  store.profiles.set('u-ada', buyer('u-ada', { '2011-03': 1, '2011-09': 2 }));
  store.profiles.set('u-bo', buyer('u-bo', { '2011-11': 1 }));
  const failed: FailedEvent[] = [];
  const handler = makeScoreProfiles({
    store,
    scores,
    failed: { put: async (r) => void failed.push(...r) },
    models: { get: async () => models },
    asOf: (p) => new Date(p.tagsAsOf!),
    now: () => new Date('2011-12-01T00:05:00Z'),
  });
  return { store, scores, failed, handler };
}

describe('score-profiles handler', () => {
  it('scores each announced profile once, beside the profile, with explanations that add up, and keeps unreadable records', async () => {
    // Prepare
    const { store, scores, failed, handler } = setup();
    // Act
    const res = await handler(kinesisEvent([change('u-ada'), change('u-ada'), 'not json', change('u-bo'), { v: 1 }]), context);
    // Assess
    expect(res.batchItemFailures).toEqual([]);
    expect(scores.writes).toBe(2);
    expect(store.writes).toBe(0); // the profile item is Tag's alone
    const ada = scores.items.get('u-ada')!;
    expect(ada).toMatchObject({ profileId: 'u-ada', profileVersion: 1 });
    expect(Object.keys(ada.scores).sort()).toEqual(['churn', 'clv']);
    const c = ada.scores.churn;
    expect(sigmoid(c.base + c.contributions.reduce((s, x) => s + x.contribution, 0))).toBeCloseTo(c.value, 10);
    expect(c.explanation.length).toBeGreaterThan(0);
    expect(c.at).toBe('2011-12-01T00:00:00.000Z');
    expect(failed.map((f) => [f.stage, f.reason])).toEqual([
      ['score', 'invalid_json'],
      ['score', 'schema_violation'],
    ]);
  });

  it('writes nothing when the scores did not move, and nothing for an unknown profile', async () => {
    const { scores, handler } = setup();
    await handler(kinesisEvent([change('u-ada')]), context);
    await handler(kinesisEvent([change('u-ada'), change('u-nobody')]), context);
    expect(scores.writes).toBe(1);
  });

  it('never replaces scores computed from a newer profile version', async () => {
    // Prepare: a scorer that read version 3 already wrote; this one reads version 1
    const { scores, handler } = setup();
    await scores.saveScores({ schemaVersion: 1, profileId: 'u-ada', profileVersion: 3, scores: {}, updatedAt: 'x' });
    // Act
    await handler(kinesisEvent([change('u-ada')]), context);
    // Assess
    expect(scores.items.get('u-ada')).toMatchObject({ profileVersion: 3, scores: {} });
  });

  it('throws on a storage failure so the batch is retried, and the retry scores', async () => {
    const { scores, handler } = setup();
    scores.failSaveAt = 1;
    const batch = kinesisEvent([change('u-ada')]);
    await expect(handler(batch, context)).rejects.toThrow(/injected/);
    await handler(batch, context);
    expect(scores.items.get('u-ada')?.scores.churn).toBeDefined();
  });

  it('follows a merged profile to the one that absorbed it', async () => {
    const { store, scores, handler } = setup();
    store.profiles.set('a-anon', { ...buyer('a-anon', { '2011-01': 1 }), mergedInto: 'u-bo' });
    await handler(kinesisEvent([change('a-anon')]), context);
    expect(scores.items.get('u-bo')?.scores.churn).toBeDefined();
    expect(scores.items.has('a-anon')).toBe(false);
  });

  it('scores nothing before any model is trained, and keeps scores of models it was not given', async () => {
    const { scores, handler } = setup([]);
    await handler(kinesisEvent([change('u-ada')]), context);
    expect(scores.writes).toBe(0);
    const onlyChurn = setup([churnModel]);
    await onlyChurn.scores.saveScores({ schemaVersion: 1, profileId: 'u-ada', profileVersion: 1, scores: { propensity: { value: 0.3, output: 'probability', base: 0, contributions: [], explanation: [], model: 'propensity', version: 'p1', at: 'x' } }, updatedAt: 'x' });
    await onlyChurn.handler(kinesisEvent([change('u-ada')]), context);
    expect(Object.keys(onlyChurn.scores.items.get('u-ada')!.scores).sort()).toEqual(['churn', 'propensity']);
  });
});
