/**
 * Scores of extreme profiles (issue 10, finding 2): heavy buyers made the score consumer give
 * up ("NaN is not allowed" from BG/NBD, "Number underflow" from probabilities below 1e-130).
 * For any profile Tag can write, every number of every score is one DynamoDB can store.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { marshall } from '@aws-sdk/util-dynamodb';
import { scoreProfile } from '../../../../functions/domain/score/score-profile.ts';
import { scaledHyp2f1, hyp2f1 } from '../../../../functions/domain/score/math.ts';
import { bgnbdConditionalExpectedPurchases } from '../../../../functions/domain/score/clv.ts';
import { isStorableNumber, type StoredScore } from '../../../../schemas/profile.ts';
import { MAX_SUM } from '../../../../functions/domain/profiles/profile.ts';
import { buyer, churnModel, clvModel } from '../../../helpers/scoring-fixtures.ts';

const DAY = 86_400_000;
const asOf = new Date('2011-12-01T00:00:00Z');
const numbers = (s: StoredScore) => [s.value, s.base, ...s.contributions.flatMap((c) => [c.contribution, ...(typeof c.value === 'number' ? [c.value] : [])])];

describe('scores of extreme profiles', () => {
  it('scores 900 orders in one minute (BG/NBD overflowed into NaN)', () => {
    // Prepare
    const p = buyer('u-heavy', { '2011-11': 900 });
    p.aggregates.firstOrderAt = '2011-11-30T23:00:00.000Z';
    p.aggregates.lastOrderAt = '2011-11-30T23:01:00.000Z';
    // Act
    const scores = scoreProfile(p, [churnModel, clvModel], asOf);
    // Assess
    expect(Number.isFinite(scores.clv.value)).toBe(true);
    expect(scores.clv.value).toBeGreaterThan(0);
    expect(() => marshall(scores)).not.toThrow();
  });

  it('sums BG/NBD’s power × 2F1 in logs, equal to the plain product where that is finite', () => {
    for (const [a, b, c, z, s] of [[1.2, 3, 4.5, 0.3, -0.7], [0.24, 2.4, 2.2, 0.9, 0], [50, 52, 101, 0.5, -20]]) {
      expect(scaledHyp2f1(a, b, c, z, s)).toBeCloseTo(Math.exp(s) * hyp2f1(a, b, c, z), 9);
    }
    const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    expect(Number.isFinite(bgnbdConditionalExpectedPurchases(params, 52, 2000, 1, 2))).toBe(true);
  });

  it('property: every number of every score of any profile Tag can write is storable', () => {
    const profile = fc.record({
      orders: fc.oneof(fc.integer({ min: 1, max: 5_000_000 }), fc.integer({ min: 1, max: 3000 })),
      revenue: fc.oneof(fc.double({ min: 0, max: MAX_SUM, noNaN: true }), fc.constantFrom(0, 1e-6, MAX_SUM)),
      returns: fc.integer({ min: 0, max: 1_000_000 }),
      firstDaysAgo: fc.oneof(fc.double({ min: 0, max: 20_000, noNaN: true }), fc.constantFrom(0, 1e-9, 1 / 1440)),
      spanShare: fc.double({ min: 0, max: 1, noNaN: true }),
      months: fc.integer({ min: 1, max: 36 }),
    });
    fc.assert(
      fc.property(profile, (g) => {
        const first = asOf.getTime() - g.firstDaysAgo * DAY;
        const last = first + (asOf.getTime() - first) * g.spanShare;
        const perMonth = Math.ceil(g.orders / g.months);
        const months = Object.fromEntries(Array.from({ length: g.months }, (_, i) => [new Date(Date.UTC(2011, 11 - i - 1, 1)).toISOString().slice(0, 7), perMonth]));
        const p = buyer('u-x', months);
        Object.assign(p.aggregates, { orders: g.orders, revenue: g.revenue, returns: g.returns, firstOrderAt: new Date(first).toISOString(), lastOrderAt: new Date(last).toISOString() });
        const scores = scoreProfile(p, [churnModel, clvModel], asOf);
        for (const s of Object.values(scores)) expect(numbers(s).every(isStorableNumber), JSON.stringify(s)).toBe(true);
        expect(() => marshall(scores, { removeUndefinedValues: true })).not.toThrow();
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
