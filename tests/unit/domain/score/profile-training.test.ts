import { describe, expect, it } from 'vitest';
import { churnExamplesFromProfiles, clvStatsFromProfiles, NotEnoughProfilesError, trainChurnFromProfiles, trainFromProfiles } from '../../../../functions/domain/score/profile-training.ts';
import { parseModel } from '../../../../functions/domain/score/artifact.ts';
import { seededRandom } from '../../../../functions/domain/shared/random.ts';
import { buyer } from '../../../helpers/scoring-fixtures.ts';

const asOf = new Date('2011-12-09T00:00:00Z'); // asOf − 90 d = 2011-09-10 → cut-off 2011-09-01

describe('churn examples from profiles', () => {
  it('builds features from the months before the cut-off and the label from the months after', () => {
    // Prepare
    const stayed = buyer('u-a', { '2011-02': 1, '2011-07': 2, '2011-10': 1 });
    const left = buyer('u-b', { '2011-05': 1, '2011-08': 1 });
    const tooNew = buyer('u-c', { '2011-10': 3 });
    // Act
    const { cutOff, rows, labels } = churnExamplesFromProfiles([stayed, left, tooNew], asOf);
    // Assess
    expect(new Date(cutOff).toISOString()).toBe('2011-09-01T00:00:00.000Z');
    expect(labels).toEqual([0, 1]);
    // u-a: last order before the cut-off is in July (its lastOrderAt is after): the 15th stands in
    expect(rows[0]).toMatchObject({ recency_days: 48, frequency: 3, monetary: 150, distinct_months: 2, orders_90d: 2, orders_180d: 2, returns: undefined });
    expect(rows[0].tenure_days).toBe(Math.floor((cutOff - Date.parse('2011-02-10T00:00:00Z')) / 86_400_000));
    // u-b: its last order (2011-08-20) is before the cut-off: exact recency
    expect(rows[1]).toMatchObject({ recency_days: 12, frequency: 2 });
  });

  it('gives lifetime-value statistics as of the instant', () => {
    const [s] = clvStatsFromProfiles([buyer('u-a', { '2011-02': 1, '2011-10': 2 })], asOf);
    expect(s).toMatchObject({ x: 2, T: (asOf.getTime() - Date.parse('2011-02-10T00:00:00Z')) / 86_400_000 });
    expect(s.T - s.tx).toBeCloseTo((asOf.getTime() - Date.parse('2011-10-20T00:00:00Z')) / 86_400_000, 9);
  });
});

describe('training from profiles', () => {
  const random = seededRandom(11);
  // 300 buyers; those whose last month before the cut-off is recent tend to come back
  const population = Array.from({ length: 300 }, (_, i) => {
    const last = 1 + Math.floor(random() * 8); // 2011-01 … 2011-08
    const months: Record<string, number> = { '2011-01': 1, [`2011-0${last}`]: 1 + (i % 3) };
    if (random() < last / 9) months['2011-10'] = 1;
    return buyer(`u-${i}`, months);
  });

  it('trains churn, reports its held-out AUC against recency-only, and gates promotion on it', () => {
    const r = trainChurnFromProfiles(population, asOf, 'profiles:test');
    expect(parseModel(JSON.stringify(r.artifact)).family).toBe('logistic');
    expect(r.artifact.metrics.holdout_roc_auc).toBeGreaterThan(0.5);
    expect(r.promote).toBe(r.artifact.metrics.holdout_roc_auc > r.artifact.metrics.holdout_recency_baseline_roc_auc);
    expect(r.verdict).toMatch(/held-out ROC AUC \d\.\d{3} vs recency-only \d\.\d{3}/);
    expect(r.artifact.trainingData).toMatchObject({ source: 'profiles:test', to: '2011-09-01T00:00:00.000Z', rows: 300 });
  });

  it('trains lifetime value and stores a drift reference with it', () => {
    const r = trainFromProfiles('clv', population.slice(0, 60), asOf, 'profiles:test');
    expect(r.artifact.family).toBe('bgnbd');
    expect(r.artifact.drift?.features.map((f) => f.name)).toEqual(r.artifact.features.map((f) => f.name));
  });

  it('refuses too few profiles, and propensity without campaign contacts that have an outcome', () => {
    expect(() => trainChurnFromProfiles(population.slice(0, 10), asOf, 'x')).toThrow(NotEnoughProfilesError);
    expect(() => trainFromProfiles('propensity', population, asOf, 'x')).toThrow(/propensity: 0 usable profiles/);
  });
});
