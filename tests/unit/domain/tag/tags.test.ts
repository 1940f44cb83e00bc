import { describe, expect, it } from 'vitest';
import { evaluateTags, holds, longestMonthlyStreak, metricsOf, RULE_SET_V1, withAssignedTags } from '../../../../functions/domain/tag/tags.ts';
import { emptyAggregates } from '../../../../functions/domain/profiles/profile.ts';
import type { Aggregates } from '../../../../schemas/profile.ts';

const asOf = new Date('2011-12-01T00:00:00Z');
function agg(over: Partial<Aggregates>): Aggregates {
  return { ...emptyAggregates(), ...over };
}

describe('tag rules v1', () => {
  it('scores a frequent, recent, big spender as a champion and loyal', () => {
    const months = { '2011-09': { orders: 4, revenue: 900 }, '2011-10': { orders: 4, revenue: 900 }, '2011-11': { orders: 4, revenue: 1200 } };
    const tags = evaluateTags(agg({ orders: 12, revenue: 3000, items: 600, months, firstOrderAt: '2011-01-05T00:00:00Z', lastOrderAt: '2011-11-20T00:00:00Z' }), asOf, RULE_SET_V1);
    expect(tags).toMatchObject({ rfm_r: 5, rfm_f: 5, rfm_m: 5, rfm_segment: 'champions', lifecycle: 'active', loyal: true, high_value: true, price_sensitivity: 'low' });
    expect(tags.one_time_buyer).toBeUndefined();
  });

  it('marks an old single purchase as lost, lapsed and one-time', () => {
    const tags = evaluateTags(agg({ orders: 1, revenue: 40, items: 4, months: { '2010-12': { orders: 1, revenue: 40 } }, firstOrderAt: '2010-12-10T00:00:00Z', lastOrderAt: '2010-12-10T00:00:00Z' }), asOf, RULE_SET_V1);
    expect(tags).toMatchObject({ rfm_r: 1, rfm_f: 1, rfm_m: 1, rfm_segment: 'lost', lifecycle: 'lapsed', one_time_buyer: true });
  });

  it('ages recency with asOf and no new event', () => {
    const a = agg({ orders: 3, revenue: 400, items: 40, firstOrderAt: '2011-01-01T00:00:00Z', lastOrderAt: '2011-11-15T00:00:00Z' });
    expect(evaluateTags(a, asOf, RULE_SET_V1).lifecycle).toBe('active');
    expect(evaluateTags(a, new Date('2012-03-01T00:00:00Z'), RULE_SET_V1).lifecycle).toBe('at_risk');
    expect(evaluateTags(a, new Date('2012-08-01T00:00:00Z'), RULE_SET_V1).lifecycle).toBe('lapsed');
  });

  it('flags returns-heavy and price-sensitive buyers, and a prospect without orders', () => {
    const r = evaluateTags(agg({ orders: 4, returns: 2, revenue: 100, items: 100, discountedOrders: 3, lastOrderAt: '2011-11-01T00:00:00Z', firstOrderAt: '2011-05-01T00:00:00Z' }), asOf, RULE_SET_V1);
    expect(r.returns_heavy).toBe(true);
    expect(r.price_sensitivity).toBe('high');
    expect(evaluateTags(agg({ events: 3, channels: { web: 3 } }), asOf, RULE_SET_V1)).toEqual({ lifecycle: 'prospect', preferred_channel: 'web' });
  });

  it('counts consecutive months only inside the 12-month window', () => {
    const months = { '2010-01': { orders: 1, revenue: 1 }, '2010-02': { orders: 1, revenue: 1 }, '2010-03': { orders: 1, revenue: 1 }, '2011-10': { orders: 1, revenue: 1 }, '2011-11': { orders: 1, revenue: 1 } };
    expect(longestMonthlyStreak(months, asOf)).toBe(2);
    expect(longestMonthlyStreak({ ...months, '2011-12': { orders: 1, revenue: 1 } }, asOf)).toBe(3);
  });

  it('rejects a rule on an unknown metric instead of silently not tagging', () => {
    expect(() => holds({ metric: 'nope', op: 'gt', value: 1 }, metricsOf(emptyAggregates(), asOf))).toThrow(/unknown metric/);
  });
});

describe('assigned tags', () => {
  it('keeps a cluster tag through rule evaluation and re-tagging, unless the rules set it', () => {
    // Prepare / Act / Assess
    expect(withAssignedTags({ cluster: 'c1-recent', lifecycle: 'new' }, { lifecycle: 'active' })).toEqual({ lifecycle: 'active', cluster: 'c1-recent' });
    expect(withAssignedTags({ cluster: 'c1' }, { cluster: 'c2' })).toEqual({ cluster: 'c2' });
    expect(withAssignedTags({ lifecycle: 'new' }, { lifecycle: 'active' })).toEqual({ lifecycle: 'active' });
  });
});
