/**
 * Property-based fuzz of Clean and Tag together (issue 10, findings 2, 4 and 5): for any
 * envelope with extreme numbers, reserved keys, dates and currencies, Clean never throws,
 * every refusal names a known reason, and every event it lets through can be applied and
 * written: the profile marshals as the DynamoDB document client does (the options of
 * functions/shared/services.ts), every number in it is storable, every instant is a
 * four-digit-year ISO string, and no event is timed far ahead of its receipt.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { marshall } from '@aws-sdk/util-dynamodb';
import { cleanEnvelope, MAX_AHEAD_MS } from '../../../functions/domain/clean/clean.ts';
import { updateProfiles } from '../../../functions/domain/profiles/update-profiles.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../../functions/domain/tag/tags.ts';
import { FAILURE_REASONS } from '../../../schemas/failed-event.ts';
import { isStorableNumber, type Profile } from '../../../schemas/profile.ts';
import type { CleanEvent } from '../../../schemas/clean-event.ts';
import { MemoryProfileStore } from '../../helpers/memory-profile-store.ts';

const RECEIVED_AT = '2026-11-22T10:00:00.000Z';
const extremeNumber = fc.oneof(
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom(1e308, -1e308, 1e-200, -1e-200, 1e126, 9.007199254740993e15, 1e12, 1e12 + 1, 1e6, -50, 0, 0.1, 2 ** 53) },
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 1000 }) },
);
const reservedKey = fc.constantFrom('__proto__', 'constructor', 'prototype', ' constructor ');
const key = fc.oneof({ weight: 30, arbitrary: fc.string({ minLength: 1, maxLength: 8 }) }, { weight: 1, arbitrary: reservedKey });
const value = fc.oneof(extremeNumber, fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null));
/** An object built as JSON.parse builds it: `__proto__` stays an own key. */
const jsonObject = (depth: number): fc.Arbitrary<Record<string, unknown>> =>
  fc.array(fc.tuple(key, depth > 0 ? fc.oneof(value, fc.constant(null).chain(() => jsonObject(depth - 1))) : value), { maxLength: 4 }).map((entries) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    return o;
  });
const currency = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GBP', 'jpy', ' EUR ') }, { weight: 1, arbitrary: fc.constantFrom('ZZZ', 'XXX', 'pounds', '', 12) }, { weight: 1, arbitrary: fc.string({ minLength: 3, maxLength: 3 }) });
const timestamp = fc.oneof(
  { weight: 6, arbitrary: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date(RECEIVED_AT), noInvalidDate: true }).map((d) => d.toISOString()) },
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.integer({ min: -1, max: 8.7e15 }),
  fc.constantFrom('9999-12-31', '2024-02-30', '2024-02-29T12:00:00+14:00', '2026-11-22T10:09:00Z', '2026-11-22T10:11:00Z', '+275443-10-25T00:00:00Z', '0000-01-01'),
);
const product = fc.record({ product_id: fc.constantFrom('p1', 'p2'), price: fc.option(extremeNumber, { nil: undefined }), quantity: fc.option(extremeNumber, { nil: undefined }), category: fc.constantFrom('mugs', 'bags') });
const event = fc.record({
  type: fc.constantFrom('track', 'identify'),
  userId: fc.constantFrom('ada', 'bo'),
  messageId: fc.uuid(),
  event: fc.constantFrom('Order Completed', 'Order Refunded', 'Product Viewed'),
  timestamp: fc.option(timestamp, { nil: undefined }),
  originalTimestamp: fc.option(timestamp, { nil: undefined }),
  sentAt: fc.option(timestamp, { nil: undefined }),
  traits: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: jsonObject(2) }),
  properties: fc.record({ revenue: fc.option(extremeNumber, { nil: undefined }), currency: fc.option(currency, { nil: undefined }), products: fc.array(product, { maxLength: 3 }), extra: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: jsonObject(1) }) }),
}).map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)));

function instantsOf(p: Profile): string[] {
  const a = p.aggregates;
  return [p.createdAt, p.updatedAt, p.tagsAsOf, a.firstSeen, a.lastSeen, a.firstOrderAt, a.lastOrderAt].filter((x): x is string => x !== undefined);
}
function numbersOf(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) numbersOf(x, out);
  return out;
}

describe('Clean then Tag fuzz', () => {
  it('refuses with a known reason, or yields events whose profiles DynamoDB can store', async () => {
    const seen = { orders: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 8 }), async (events) => {
        const clean: CleanEvent[] = [];
        for (const e of events) {
          const r = cleanEnvelope({ v: 1, sourceId: 's', receivedAt: RECEIVED_AT, event: e });
          if (r.kind === 'clean') clean.push(r.event);
          else expect(FAILURE_REASONS).toContain(r.reason);
          if (r.kind === 'clean' && r.event.order) seen.orders += 1;
          if (r.kind !== 'clean') seen.refused += 1;
        }
        for (const e of clean) {
          expect(e.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
          expect(Date.parse(e.timestamp)).toBeLessThanOrEqual(Date.parse(RECEIVED_AT) + MAX_AHEAD_MS);
        }
        const store = new MemoryProfileStore();
        await updateProfiles(clean, { store, ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID, now: () => new Date(RECEIVED_AT), clock: 'event' });
        for (const p of store.profiles.values()) {
          expect(() => marshall({ pk: 'P#x', sk: 'PROFILE', ...p }, { removeUndefinedValues: true, convertEmptyValues: false })).not.toThrow();
          expect(numbersOf(p).filter((n) => !isStorableNumber(n))).toEqual([]);
          for (const t of instantsOf(p)) expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T/);
          expect(Object.getPrototypeOf(p.traits)).toBe(Object.prototype);
        }
      }),
      { numRuns: 400, seed: 42 },
    );
    // Both sides of the property were reached.
    expect(seen.orders).toBeGreaterThan(50);
    expect(seen.refused).toBeGreaterThan(50);
  });
});
