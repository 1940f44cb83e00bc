import { describe, expect, it } from 'vitest';
import { demoShop } from '../../../datasets/demo-shop.ts';
import { segmentEventSchema } from '../../../schemas/events.ts';
import { retagProfile } from '../../../functions/domain/tag/retag.ts';
import { newProfile } from '../../../functions/domain/profiles/profile.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../../functions/domain/tag/tags.ts';

const end = new Date('2026-11-22T12:00:00Z');

describe('demo shop generator', () => {
  it('is deterministic for a seed and an end date, and differs for another seed', () => {
    expect(demoShop({ seed: 7, end })).toEqual(demoShop({ seed: 7, end }));
    expect(demoShop({ seed: 8, end })).not.toEqual(demoShop({ seed: 7, end }));
  });
  it('produces valid Segment events in time order, within 13 months of the end', () => {
    const events = demoShop({ seed: 7, end });
    expect(events.length).toBeGreaterThan(1000);
    for (const e of events) expect(segmentEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
    const times = events.map((e) => Date.parse(e.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(end.getTime() - 395 * 86_400_000);
    expect(new Set(events.map((e) => e.messageId)).size).toBe(events.length);
  });
  it('includes the behaviours the tags need: refunds, coupons, anonymous then identified, alias, bot and test traffic', () => {
    const events = demoShop({ seed: 7, end });
    expect(events.some((e) => e.event === 'Order Refunded')).toBe(true);
    expect(events.some((e) => (e.properties as { coupon?: string } | undefined)?.coupon)).toBe(true);
    expect(events.some((e) => e.type === 'identify' && e.anonymousId && e.userId)).toBe(true);
    expect(events.filter((e) => e.type === 'alias')).toHaveLength(3);
    expect(events.some((e) => String((e.context as { userAgent?: string } | undefined)?.userAgent).includes('Googlebot'))).toBe(true);
    expect(events.some((e) => (e.context as { test?: boolean } | undefined)?.test === true)).toBe(true);
  });
});

describe('retagProfile', () => {
  it('ages tags without events and writes nothing when nothing changed', () => {
    const p = { ...newProfile('p', '2026-01-01T00:00:00Z'), aggregates: { ...newProfile('p', '').aggregates, orders: 2, revenue: 50, items: 4, firstOrderAt: '2026-01-01T00:00:00Z', lastOrderAt: '2026-10-01T00:00:00Z' } };
    const now = retagProfile(p, new Date('2026-10-15T00:00:00Z'), RULE_SET_V1, RULE_SET_ID)!;
    expect(now.tags.lifecycle).toBe('active');
    expect(now.version).toBe(1);
    expect(retagProfile(now, new Date('2026-10-16T00:00:00Z'), RULE_SET_V1, RULE_SET_ID)).toBeUndefined();
    expect(retagProfile(now, new Date('2027-06-01T00:00:00Z'), RULE_SET_V1, RULE_SET_ID)!.tags.lifecycle).toBe('lapsed');
  });
});
