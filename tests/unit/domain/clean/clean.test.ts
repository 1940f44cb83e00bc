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
    expect(r.event.traits.phone).toBe(maskValue('+44 7700 900123'));
    expect(String(r.event.traits.phone).endsWith('23')).toBe(true);
    expect(r.event.traits.address).toBeUndefined();
    expect(r.event.timezone).toBe('Europe/London');
    expect(JSON.stringify(r.event)).not.toContain('10.1.2.3');
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
