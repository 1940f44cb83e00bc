/**
 * Profiles (functions/domain/profiles/profile.ts): money per currency, storable sums, and the
 * exactly-once guarantee stated in the module's header, by example and by property.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { marshall } from '@aws-sdk/util-dynamodb';
import { absorb, applyEvent, dedupDecision, MAX_REMEMBERED, MAX_SUM, newProfile } from '../../../../functions/domain/profiles/profile.ts';
import { updateProfiles } from '../../../../functions/domain/profiles/update-profiles.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../../../functions/domain/tag/tags.ts';
import { isStorableNumber, profileSchema, type Profile } from '../../../../schemas/profile.ts';
import type { CleanEvent } from '../../../../schemas/clean-event.ts';
import type { FailedEvent } from '../../../../schemas/failed-event.ts';
import { cleanEvent, order } from '../../../helpers/events.ts';
import { MemoryProfileStore } from '../../../helpers/memory-profile-store.ts';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const apply = (events: CleanEvent[], p: Profile = newProfile('u-ada', '2011-01-01T00:00:00.000Z')) => events.reduce(applyEvent, p);
/** Every number in an item, as DynamoDB would be sent it. */
function numbersOf(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) numbersOf(x, out);
  return out;
}
const marshalOptions = { removeUndefinedValues: true, convertEmptyValues: false };
/**
 * An item's size as DynamoDB bills it (developer guide, "Item sizes"): names and strings in
 * UTF-8 bytes, numbers about one byte per two significant digits plus one, 3 bytes per map or
 * list plus 1 per element.
 */
function itemBytes(v: unknown): number {
  const utf8 = (x: string) => Buffer.byteLength(x, 'utf8');
  if (typeof v === 'string') return utf8(v);
  if (typeof v === 'number') return Math.ceil(String(Math.abs(v)).replace(/[.e].*$|^0+/g, '').length / 2) + 1;
  if (typeof v === 'boolean' || v === null) return 1;
  if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + 1 + itemBytes(x), 0);
  if (v && typeof v === 'object') return 3 + Object.entries(v).reduce((n, [k, x]) => (x === undefined ? n : n + 1 + utf8(k) + itemBytes(x)), 0);
  return 0;
}

describe('money per currency', () => {
  it('never adds two currencies: revenue is the primary (first) currency, every currency kept apart', () => {
    // Act
    const p = apply([order('ada', '2011-01-01T00:00:00.000Z', 10, { currency: 'GBP' }), order('ada', '2011-01-02T00:00:00.000Z', 10, { currency: 'JPY' })]);
    // Assess
    expect(p.aggregates).toMatchObject({ orders: 2, revenue: 10, currency: 'GBP', revenueByCurrency: { GBP: 10, JPY: 10 } });
    expect(p.aggregates.months['2011-01'].revenue).toBe(10);
  });

  it('counts orders that name no currency in the primary one', () => {
    const p = apply([order('ada', '2011-01-01T00:00:00.000Z', 5, { currency: undefined }), order('ada', '2011-01-02T00:00:00.000Z', 7, { currency: 'EUR' })]);
    expect(p.aggregates).toMatchObject({ revenue: 12, currency: 'EUR', revenueByCurrency: { EUR: 7 } });
  });

  it('merges profiles of different primary currencies without adding them', () => {
    const gbp = apply([order('ada', '2011-01-01T00:00:00.000Z', 10, { currency: 'GBP' }), order('ada', '2011-01-03T00:00:00.000Z', 3, { currency: 'JPY' })]);
    const jpy = apply([order('x', '2011-01-02T00:00:00.000Z', 1000, { currency: 'JPY' }), order('x', '2011-01-04T00:00:00.000Z', 4, { currency: 'GBP' })], newProfile('a-x', '2011-01-01T00:00:00.000Z'));
    const merged = absorb(gbp, jpy).aggregates;
    expect(merged).toMatchObject({ orders: 4, currency: 'GBP', revenue: 14, revenueByCurrency: { GBP: 14, JPY: 1003 } });
  });

  it('keeps every sum storable however large the orders Clean lets through', () => {
    const p = apply(Array.from({ length: 30 }, (_, i) => order('ada', iso(Date.parse('2011-01-01') + i * HOUR), 1e12, { currency: 'VND' })));
    expect(p.aggregates.revenue).toBe(MAX_SUM);
    expect(numbersOf(p).every(isStorableNumber)).toBe(true);
    expect(() => marshall(p, marshalOptions)).not.toThrow();
  });
});

describe('exactly once, whatever the number of events (issue 10, finding 6)', () => {
  const store = () => new MemoryProfileStore();
  const deps = (s: MemoryProfileStore, failed: FailedEvent[]) => ({ store: s, ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID, now: () => new Date('2026-11-24T00:00:00Z'), clock: 'wall' as const, failed: { put: async (r: FailedEvent[]) => void failed.push(...r) } });

  it('2,100 orders inside 48 h, then the first 100 re-sent: each counted once', async () => {
    // Prepare: one person, 2,100 orders received over 47 hours, in batches of 100
    const s = store();
    const failed: FailedEvent[] = [];
    const start = Date.parse('2026-11-22T00:00:00Z');
    const orders = Array.from({ length: 2100 }, (_, i) =>
      order('ada', iso(start + i * 80_000), 1, { messageId: `order-${i}`, receivedAt: iso(start + i * 80_000 + 1000) }),
    );
    for (let i = 0; i < orders.length; i += 100) await updateProfiles(orders.slice(i, i + 100), deps(s, failed));
    // Act: the client re-sends the first 100 (same ids and client times, received now)
    const resent = orders.slice(0, 100).map((e) => ({ ...e, receivedAt: iso(start + 47 * HOUR) }));
    const report = await updateProfiles(resent, deps(s, failed));
    // Assess
    const p = s.profiles.get('u-ada')!;
    expect(p.aggregates.orders).toBe(2100);
    expect(p.aggregates.revenue).toBe(2100);
    expect(report.applied).toBe(0);
    expect(report.duplicates + report.refused).toBe(100);
    expect(failed.map((f) => f.reason)).toEqual(Array(report.refused).fill('outside_dedup_window'));
    expect(failed.every((f) => resent.some((e) => e.messageId === f.messageId))).toBe(true);
    // The state stays bounded: at most MAX_REMEMBERED hashes of 8 characters, plus chunk headers
    expect(JSON.stringify(p.dedup).length).toBeLessThan(MAX_REMEMBERED * 8 + 2000);
    expect(p.applied).toEqual([]);
  });

  it('keeps an active person well under 1 KB', async () => {
    const s = store();
    const start = Date.parse('2026-11-22T00:00:00Z');
    const session = (h: number) => Array.from({ length: 10 }, (_, i) => cleanEvent({ userId: 'bo', event: 'Product Viewed', channel: 'web', timestamp: iso(start + h * HOUR + i * 60_000), receivedAt: iso(start + h * HOUR + i * 60_000 + 500) }));
    await updateProfiles([...session(0), ...session(20), ...session(40)], deps(s, []));
    const p = s.profiles.get('u-bo')!;
    expect(itemBytes(p)).toBeLessThan(1024);
  });

  it('an older state read after a newer one was derived from it still remembers only its own events', () => {
    // Prepare: p1 remembers a; p2 (from p1) remembers a and b; p3 (from p2) also c.
    const a = order('ada', '2011-01-01T00:00:00.000Z', 10, { messageId: 'm-a' });
    const b = order('ada', '2011-01-01T01:00:00.000Z', 10, { messageId: 'm-b' });
    const c = order('ada', '2011-01-01T02:00:00.000Z', 10, { messageId: 'm-c' });
    const p1 = apply([a]);
    const p2 = applyEvent(p1, b);
    const p3 = applyEvent(p2, c);
    // Act / Assess: each state answers for itself, whichever was derived from it since.
    expect(dedupDecision(p1, b)).toBe('new');
    expect(dedupDecision(p2, c)).toBe('new');
    expect(dedupDecision(p1, a)).toBe('duplicate');
    expect(dedupDecision(p3, b)).toBe('duplicate');
    expect(dedupDecision(p3, c)).toBe('duplicate');
    // A second branch from p1 does not see the first branch's event.
    const other = applyEvent(p1, c);
    expect(dedupDecision(other, b)).toBe('new');
    expect(dedupDecision(p2, c)).toBe('new');
    expect(applyEvent(p1, b).aggregates.orders).toBe(2);
  });

  it('recognises ids of the v1 applied list', () => {
    // Prepare: a v1 profile that applied m-1 (12 hex of sha256 + receive hour)
    const first = order('ada', '2011-01-01T00:00:00.000Z', 10, { messageId: 'v1-order' });
    const applied = apply([first]);
    const legacy = profileSchema.parse({ ...applied, dedup: undefined, applied: [`${'0'.repeat(12)}:abc`, `${createLegacyKey('v1-order')}:${Math.floor(Date.parse(first.receivedAt) / HOUR).toString(36)}`] });
    // Act / Assess
    expect(dedupDecision(legacy, first)).toBe('duplicate');
    expect(applyEvent(legacy, first)).toBe(legacy);
    expect(applyEvent(legacy, order('ada', '2011-01-02T00:00:00.000Z', 10)).applied).toEqual([]);
  });

  it('property: every message id is counted exactly once, or kept with its reason', async () => {
    // A person's events: ids, client times, receipts over days, each delivered 1–3 times in any order.
    const delivery = fc.record({ id: fc.integer({ min: 0, max: 400 }), t: fc.integer({ min: 0, max: 120 }), lateHours: fc.integer({ min: 0, max: 100 }), copies: fc.integer({ min: 1, max: 3 }) });
    let refusals = 0;
    let duplicates = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(delivery, { minLength: 1, maxLength: 600 }), fc.integer({ min: 1, max: 80 }), async (plan, batchSize) => {
        const s = store();
        const failed: FailedEvent[] = [];
        const base = Date.parse('2026-11-01T00:00:00Z');
        // One event time per id (what the guarantee assumes); receipts at or after it.
        const timeOf = new Map<number, number>();
        const deliveries: CleanEvent[] = [];
        for (const d of plan) {
          if (!timeOf.has(d.id)) timeOf.set(d.id, base + d.t * HOUR);
          for (let c = 0; c < d.copies; c++) deliveries.push(order('cy', iso(timeOf.get(d.id)!), 1, { messageId: `id-${d.id}`, receivedAt: iso(timeOf.get(d.id)! + (d.lateHours + c * 30) * HOUR) }));
        }
        for (let i = 0; i < deliveries.length; i += batchSize) duplicates += (await updateProfiles(deliveries.slice(i, i + batchSize), deps(s, failed))).duplicates;
        refusals += failed.length;
        // Refused once, refused always (the seal only rises, the time is fixed): an id is
        // either applied once (its other deliveries duplicates or refusals) or never applied,
        // every delivery of it kept with its reason. So the orders count exactly the former.
        const deliveriesOf = (id: string) => deliveries.filter((e) => e.messageId === id).length;
        const refusedOf = (id: string) => failed.filter((f) => f.messageId === id).length;
        const neverApplied = [...timeOf.keys()].map((k) => `id-${k}`).filter((id) => refusedOf(id) === deliveriesOf(id));
        expect(failed.every((f) => f.reason === 'outside_dedup_window')).toBe(true);
        expect(s.profiles.get('u-cy')?.aggregates.orders ?? 0).toBe(timeOf.size - neverApplied.length);
      }),
      { numRuns: 60, seed: 10 },
    );
    // The runs reached both the window (refusals) and re-deliveries recognised as duplicates.
    expect(refusals).toBeGreaterThan(0);
    expect(duplicates).toBeGreaterThan(0);
  });
});

/** v1's key: 12 hex of sha256(messageId). */
const createLegacyKey = (messageId: string) => createHash('sha256').update(messageId).digest('hex').slice(0, 12);
