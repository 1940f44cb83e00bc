/** The two senders that deliver nothing: the benchmark's counter and the local SMS outbox (local/sms-outbox.ts). */
import { describe, expect, it } from 'vitest';
import { countingSender } from '../../../functions/adapters/counting-sender.ts';
import { createSmsOutbox, smsSegments } from '../../../local/sms-outbox.ts';
import type { SmsMessage } from '../../../functions/domain/campaigns/ports.ts';

const sms = (over: Partial<SmsMessage> = {}): SmsMessage => ({ channel: 'sms', campaignId: 'c1', personId: 'p1', variantId: 'A', to: '+447700900123', text: 'Hello', ...over });

describe('countingSender', () => {
  it('accepts everything with unique ids and counts by channel and variant', async () => {
    // Prepare
    const c = countingSender();
    // Act
    const results = await Promise.all([c.send(sms()), c.send(sms({ variantId: 'B' })), c.send({ ...sms(), channel: 'webhook', url: 'https://x', body: {} } as never)]);
    // Assess
    expect(new Set(results.map((r) => (r.ok ? r.messageId : ''))).size).toBe(3);
    expect(c.count()).toBe(3);
    expect(c.byChannel()).toEqual({ sms: 2, webhook: 1 });
    expect(c.byVariant()).toEqual({ A: 2, B: 1 });
    c.reset();
    expect(c.count()).toBe(0);
  });
});

describe('createSmsOutbox', () => {
  it('records valid texts with their billed segments and refuses what the service would', async () => {
    // Prepare
    const outbox = createSmsOutbox({ now: () => new Date('2026-03-01T10:00:00Z') });
    // Act
    const ok = await outbox.send(sms({ text: 'a'.repeat(161) }));
    const bad = await outbox.send(sms({ to: '07700 900123' }));
    await outbox.send(sms({ personId: 'p2', to: '+15551234567', text: 'Soldes d’été 🌞' }));
    // Assess
    expect(ok).toEqual({ ok: true, messageId: 'local-sms-1' });
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/E\.164/) });
    expect(outbox.list().map((m) => [m.to, m.encoding, m.segments])).toEqual([
      ['+447700900123', 'GSM-7', 2],
      ['+15551234567', 'UCS-2', 1],
    ]);
    expect(outbox.list({ to: '+15551234567' })).toHaveLength(1);
    outbox.clear();
    expect(outbox.list()).toEqual([]);
    expect(outbox.total()).toBe(2);
  });

  it('counts GSM extension characters twice', () => {
    expect(smsSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(smsSegments('€'.repeat(81))).toEqual({ encoding: 'GSM-7', segments: 2 });
  });
});
