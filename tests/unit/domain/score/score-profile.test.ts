import { describe, expect, it } from 'vitest';
import { CHURN_FEATURES } from '../../../../functions/domain/score/churn.ts';
import { seededRandom } from '../../../../functions/domain/shared/random.ts';
import { sigmoid } from '../../../../functions/domain/score/math.ts';
import { churnFeaturesFromProfile, scoreProfile } from '../../../../functions/domain/score/score-profile.ts';
import { trainClv, trainLogistic } from '../../../../functions/domain/score/train.ts';
import { profileSchema, type Profile } from '../../../../schemas/profile.ts';

const meta = (model: string) => ({ model, version: `${model}-v1`, trainingData: { source: 'fixture', from: '2011-01-01T00:00:00.000Z', to: '2011-12-01T00:00:00.000Z', rows: 200 } });
const random = seededRandom(3);
const rows = Array.from({ length: 200 }, () => ({ recency_days: Math.floor(random() * 300), frequency: 1 + Math.floor(random() * 10), monetary: 50 + random() * 500, tenure_days: 300, orders_90d: Math.floor(random() * 3), orders_180d: Math.floor(random() * 5), avg_basket: 40, returns: 0, distinct_months: 1 + Math.floor(random() * 8) }));
const churn = trainLogistic(meta('churn'), CHURN_FEATURES, rows, rows.map((r) => (r.recency_days > 150 ? 1 : 0)));
const clv = trainClv(meta('clv'), Array.from({ length: 200 }, (_, i) => ({ x: i % 7, tx: (i % 7) * 30, T: 300, m: 20 + (i % 5) * 10 })), 365);

const profile: Profile = profileSchema.parse({
  schemaVersion: 1,
  profileId: 'u-ada',
  version: 4,
  createdAt: '2011-01-01T00:00:00.000Z',
  updatedAt: '2011-10-01T00:00:00.000Z',
  identities: { userIds: ['ada'] },
  aggregates: { orders: 3, revenue: 150, firstOrderAt: '2011-03-01T00:00:00.000Z', lastOrderAt: '2011-10-01T00:00:00.000Z', returns: 1, months: { '2011-03': { orders: 1, revenue: 50 }, '2011-09': { orders: 1, revenue: 50 }, '2011-10': { orders: 1, revenue: 50 } } },
});
const asOf = new Date('2011-12-01T00:00:00Z');

describe('scoring a profile', () => {
  it('derives churn features from the aggregates Tag keeps, as of an instant', () => {
    expect(churnFeaturesFromProfile(profile.aggregates, asOf.getTime())).toEqual({
      // orders_90d counts whole months whose first day is in the window: 2011-10 only
      recency_days: 61, frequency: 3, monetary: 150, tenure_days: 275, orders_90d: 1, orders_180d: 2, avg_basket: 50, returns: 1, distinct_months: 3,
    });
  });

  it('stores each score with contributions that add up to it, and a readable explanation', () => {
    // Act
    const scores = scoreProfile(profile, [churn, clv], asOf);
    // Assess
    const c = scores.churn;
    expect(c).toMatchObject({ output: 'probability', model: 'churn', version: 'churn-v1', at: asOf.toISOString() });
    expect(sigmoid(c.base + c.contributions.reduce((s, x) => s + x.contribution, 0))).toBeCloseTo(c.value, 10);
    expect(c.explanation[0]).toMatch(/^days since last purchase 61 days: [+-]\d\.\d\d$/);
    const v = scores.clv;
    expect(v.output).toBe('amount');
    expect(v.base + v.contributions.reduce((s, x) => s + x.contribution, 0)).toBeCloseTo(v.value, 6);
    expect(profileSchema.parse({ ...profile, scores }).scores?.clv.value).toBe(v.value);
  });

  it('leaves out what does not apply: no purchases, no churn or value; no age trait, no propensity', () => {
    const none = profileSchema.parse({ ...profile, aggregates: {} });
    expect(scoreProfile(none, [churn, clv], asOf)).toEqual({});
  });

  it('scores later as time passes without events (recency grows)', () => {
    const later = scoreProfile(profile, [churn], new Date('2012-06-01T00:00:00Z')).churn;
    expect(later.value).toBeGreaterThan(scoreProfile(profile, [churn], asOf).churn.value);
  });
});
