import { describe, expect, it } from 'vitest';
import { cleanEnvelope, hashValue, maskValue } from '../../../../functions/domain/clean/clean.ts';

function envelope(event: Record<string, unknown>, receivedAt = '2026-11-22T10:00:00.000Z') {
  return { v: 1, sourceId: 'src-1', receivedAt, event: { messageId: 'm1', ...event } };
}

describe('cleanEnvelope', () => {
  it('normalises an order: UTC time, trimmed strings, numeric coercion, currency, spec name casing', () => {
    const r = cleanEnvelope(
      envelope({
        type: 'track',
        userId: ' u1 ',
        event: 'order_completed',
        timestamp: '2011-06-01T10:00:00+01:00',
        properties: { currency: 'gbp', revenue: '12.50', products: [{ product_id: 85123, name: '  WHITE MUG ', price: '2.5', quantity: '5' }] },
      }),
    );
    expect(r.kind).toBe('clean');
    if (r.kind !== 'clean') return;
    expect(r.event).toMatchObject({
      userId: 'u1',
      event: 'Order Completed',
      timestamp: '2011-06-01T09:00:00.000Z',
      currency: 'GBP',
      order: { revenue: 12.5, products: [{ productId: '85123', name: 'WHITE MUG', price: 2.5, quantity: 5 }] },
    });
  });

  it('corrects device clock skew from sentAt and originalTimestamp', () => {
    const r = cleanEnvelope(envelope({ type: 'page', anonymousId: 'a', originalTimestamp: '2026-11-22T09:00:00.000Z', sentAt: '2026-11-22T09:05:00.000Z' }, '2026-11-22T10:00:00.000Z'));
    expect(r.kind === 'clean' && r.event.timestamp).toBe('2026-11-22T09:55:00.000Z');
  });

  it('hashes emails for matching and applies the default PII policy', () => {
    const r = cleanEnvelope(envelope({ type: 'identify', userId: 'u1', traits: { email: ' Ann@Example.COM ', phone: '+44 7700 900123', address: { city: 'Leeds' } }, context: { ip: '10.1.2.3', timezone: 'Europe/London' } }));
    if (r.kind !== 'clean') throw new Error(r.kind);
    expect(r.event.emailHash).toBe(hashValue('ann@example.com'));
    expect(r.event.traits.email).toBe('ann@example.com');
    expect(r.event.traits.phone).toBe('+44 7700 900123'); // SMS campaigns send to it

    expect(r.event.traits.address).toBeUndefined();
    expect(r.event.timezone).toBe('Europe/London');
    expect(JSON.stringify(r.event)).not.toContain('10.1.2.3');
  });

  it("reads an identify's traits from context.traits when it has none at the top (RudderStack's browser SDK)", () => {
    // Prepare: the shape @rudderstack/analytics-js 3.x sends (traits in context only; event/properties null).
    const rudder = { type: 'identify', userId: 'ada', anonymousId: 'a-1', event: null, properties: null, channel: 'web', context: { traits: { email: ' Ada@Example.com ', name: 'Ada' }, library: { name: 'RudderLabs JavaScript SDK', version: '3.34.1' } } };
    // Act
    const identify = cleanEnvelope(envelope(rudder));
    const both = cleanEnvelope(envelope({ ...rudder, traits: { name: 'Top' } }));
    const track = cleanEnvelope(envelope({ ...rudder, type: 'track', event: 'Viewed', properties: {} }));
    // Assess
    if (identify.kind !== 'clean' || both.kind !== 'clean' || track.kind !== 'clean') throw new Error('not clean');
    expect(identify.event.traits).toEqual({ email: 'ada@example.com', name: 'Ada' });
    expect(identify.event.emailHash).toBe(hashValue('ada@example.com'));
    expect(both.event.traits).toEqual({ name: 'Top' });
    expect([track.event.traits, track.event.emailHash]).toEqual([{}, undefined]);
  });

  it('applies a custom policy: drop the email entirely', () => {
    const r = cleanEnvelope(envelope({ type: 'identify', userId: 'u1', traits: { email: 'a@b.co' } }), { policy: { version: '2', fields: { 'traits.email': 'drop' } } });
    if (r.kind !== 'clean') throw new Error(r.kind);
    expect(r.event.traits.email).toBeUndefined();
    expect(r.event.emailHash).toBe(hashValue('a@b.co'));
  });

  it('filters bots and test traffic with their reasons', () => {
    expect(cleanEnvelope(envelope({ type: 'page', anonymousId: 'a', context: { userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1)' } }))).toMatchObject({ kind: 'filtered', reason: 'bot_traffic' });
    expect(cleanEnvelope(envelope({ type: 'track', userId: 'u', event: 'x', properties: { test: true } }))).toMatchObject({ kind: 'filtered', reason: 'test_traffic' });
  });

  it('refuses what can never be processed, naming the field', () => {
    expect(cleanEnvelope({ v: 2, event: {} })).toMatchObject({ kind: 'invalid', reason: 'unsupported_version' });
    expect(cleanEnvelope(envelope({ type: 'track', userId: 'u', event: 'Order Completed', properties: { products: [{ product_id: 'p', price: 'abc' }] } }))).toMatchObject({
      kind: 'invalid',
      reason: 'schema_violation',
      detail: expect.stringContaining('properties.products[0].price'),
    });
    expect(cleanEnvelope(envelope({ type: 'track', userId: 'u', event: 'Order Completed', properties: { currency: 'pounds' } }))).toMatchObject({ detail: expect.stringContaining('properties.currency') });
  });

  it('derives the channel and consent', () => {
    const r = cleanEnvelope(envelope({ type: 'track', userId: 'u', event: 'Email Opened', context: { consent: { categoryPreferences: { email: true, ads: false, bad: 'x' } } } }));
    if (r.kind !== 'clean') throw new Error(r.kind);
    expect(r.event.channel).toBe('email');
    expect(r.event.consent).toEqual({ email: true, ads: false });
  });
});

describe('cleanEnvelope: content that could never be stored or counted (issue 10)', () => {
  const order = (properties: Record<string, unknown>, event = 'Order Completed') => envelope({ type: 'track', userId: 'u', event, properties });

  it('refuses reserved keys anywhere in the event, with their path', () => {
    // Prepare: JSON.parse keeps "__proto__" as an own key, as Collect's JSON.parse does
    const proto = JSON.parse('{"type":"identify","userId":"u","traits":{"__proto__":{"isAdmin":true},"plan":"pro"}}');
    // Act / Assess
    expect(cleanEnvelope(envelope({ type: 'identify', userId: 'u', traits: { constructor: 'x' } }))).toMatchObject({ kind: 'invalid', reason: 'reserved_key', detail: expect.stringContaining('traits.constructor') });
    expect(cleanEnvelope(envelope(proto))).toMatchObject({ kind: 'invalid', reason: 'reserved_key', detail: expect.stringContaining('traits.__proto__') });
    expect(cleanEnvelope(envelope({ type: 'track', userId: 'u', event: 'x', properties: { a: [{ prototype: 1 }] } }))).toMatchObject({ reason: 'reserved_key', detail: expect.stringContaining('properties.a[0].prototype') });
    expect(cleanEnvelope(envelope({ type: 'page', userId: 'u', context: { consent: { categoryPreferences: { constructor: true } } } }))).toMatchObject({ reason: 'reserved_key' });
  });

  it('refuses trait numbers a profile cannot store', () => {
    expect(cleanEnvelope(envelope({ type: 'identify', userId: 'u', traits: { score: 1e300 } }))).toMatchObject({ kind: 'invalid', reason: 'out_of_range', detail: expect.stringContaining('traits.score') });
    expect(cleanEnvelope(envelope({ type: 'identify', userId: 'u', traits: { nested: { tiny: 1e-200 } } }))).toMatchObject({ reason: 'out_of_range', detail: expect.stringContaining('traits.nested.tiny') });
    expect(cleanEnvelope(envelope({ type: 'identify', userId: 'u', traits: { age: 41, ratio: 0.5, zero: 0 } })).kind).toBe('clean');
  });

  it('bounds money: overflowing or absurd amounts and quantities are refused', () => {
    expect(cleanEnvelope(order({ revenue: 1e308 }))).toMatchObject({ kind: 'invalid', reason: 'out_of_range', detail: expect.stringContaining('properties.revenue') });
    expect(cleanEnvelope(order({ products: [{ product_id: 'p', price: 1e13 }] }))).toMatchObject({ reason: 'out_of_range', detail: expect.stringContaining('properties.products[0].price') });
    expect(cleanEnvelope(order({ products: [{ product_id: 'p', price: 1, quantity: 1e7 }] }))).toMatchObject({ reason: 'out_of_range', detail: expect.stringContaining('quantity') });
    expect(cleanEnvelope(order({ products: [{ product_id: 'p', price: 1e9, quantity: 1e6 }] }))).toMatchObject({ reason: 'out_of_range', detail: expect.stringContaining('properties.products') });
  });

  it('refuses negative revenue on Order Completed; a refund keeps its sign as sent', () => {
    expect(cleanEnvelope(order({ revenue: -50, currency: 'GBP' }))).toMatchObject({ kind: 'invalid', reason: 'negative_revenue', detail: expect.stringContaining('Order Refunded') });
    expect(cleanEnvelope(order({ revenue: -50, currency: 'GBP' }, 'Order Refunded'))).toMatchObject({ kind: 'clean', event: { order: { revenue: -50 } } });
  });

  it('accepts ISO 4217 codes in use only', () => {
    expect(cleanEnvelope(order({ revenue: 10, currency: 'ZZZ' }))).toMatchObject({ kind: 'invalid', reason: 'invalid_currency', detail: expect.stringContaining('properties.currency') });
    expect(cleanEnvelope(order({ revenue: 10, currency: 12 }))).toMatchObject({ reason: 'invalid_currency' });
    expect(cleanEnvelope(order({ revenue: 10, currency: ' jpy ' }))).toMatchObject({ kind: 'clean', event: { currency: 'JPY' } });
  });

  it('corrects a timestamp far ahead of receipt from sentAt, refuses it without one, refuses impossible dates', () => {
    const at = '2026-11-22T10:00:00.000Z';
    // Prepare: a device whose clock is at 9999 sent its event a minute after it happened
    const skewed = envelope({ type: 'track', userId: 'u', event: 'x', timestamp: '9999-12-31T10:00:00.000Z', sentAt: '9999-12-31T10:01:00.000Z' }, at);
    // Act / Assess
    expect(cleanEnvelope(skewed)).toMatchObject({ kind: 'clean', event: { timestamp: '2026-11-22T09:59:00.000Z' } });
    expect(cleanEnvelope(envelope({ type: 'track', userId: 'u', event: 'x', timestamp: '9999-12-31T00:00:00.000Z' }, at))).toMatchObject({ kind: 'invalid', reason: 'invalid_timestamp', detail: expect.stringContaining('timestamp') });
    expect(cleanEnvelope(envelope({ type: 'track', userId: 'u', event: 'x', timestamp: '2026-11-22T10:09:00.000Z' }, at))).toMatchObject({ kind: 'clean', event: { timestamp: '2026-11-22T10:09:00.000Z' } });
    expect(cleanEnvelope(envelope({ type: 'page', userId: 'u', originalTimestamp: '2026-11-22T11:00:00.000Z', sentAt: '2026-11-22T09:00:00.000Z' }, at))).toMatchObject({ reason: 'invalid_timestamp' });
    expect(cleanEnvelope(envelope({ type: 'track', userId: 'u', event: 'x', timestamp: 8.63e15 }, at))).toMatchObject({ kind: 'invalid', reason: 'schema_violation', detail: expect.stringContaining('timestamp') });
    expect(cleanEnvelope(envelope({ type: 'track', userId: 'u', event: 'x', timestamp: '2024-02-30' }, at))).toMatchObject({ kind: 'invalid', reason: 'schema_violation', detail: expect.stringContaining('timestamp') });
    expect(cleanEnvelope(envelope({ type: 'track', userId: 'u', event: 'x', timestamp: '2024-02-29' }, at))).toMatchObject({ kind: 'clean', event: { timestamp: '2024-02-29T00:00:00.000Z' } });
  });
});
