/**
 * Failed events keep what the PII policy keeps, not what it drops (issue 10, finding 7):
 * a refused event is stored for replay with the same policy Clean applies to good events.
 */
import { describe, expect, it } from 'vitest';
import { CleanBatch } from '../../../../functions/domain/clean/clean-batch.ts';
import { hashValue, maskValue } from '../../../../functions/domain/clean/clean.ts';
import { acceptRequest } from '../../../../functions/domain/collect/accept-request.ts';
import type { FailedEvent } from '../../../../schemas/failed-event.ts';

const personal = {
  traits: { name: 'Ada', phone: '+44 7700 900123', address: { street: '1 Analytical Row', city: 'London' }, birthday: '1815-12-10', email: 'ada@example.com' },
  context: { ip: '203.0.113.7', traits: { email: 'Ada@Example.com' }, userAgent: 'Mozilla/5.0' },
};

/** What the default policy leaves of `personal`, hashed with `salt`. */
const minimised = (salt: string) => ({
  traits: { name: 'Ada', phone: maskValue('+44 7700 900123'), email: 'ada@example.com' },
  context: { traits: { email: hashValue('ada@example.com', salt) }, userAgent: 'Mozilla/5.0' },
});

const envelope = (event: Record<string, unknown>) => ({ v: 1, sourceId: 's', receivedAt: '2026-11-22T10:00:00.000Z', event: { messageId: 'm1', userId: 'ada', ...event } });

async function refusedByClean(raw: unknown, salt = 'pepper') {
  const failed: FailedEvent[] = [];
  const batch = new CleanBatch({ sink: { put: async () => undefined }, failed: { put: async (r) => void failed.push(...r) }, options: { salt }, decode: (d) => Buffer.from(d, 'base64').toString('utf8') }, '2026-11-22T10:00:01.000Z');
  await batch.add({ sequenceNumber: '1', data: Buffer.from(JSON.stringify(raw)).toString('base64') });
  await batch.flush();
  return failed;
}

describe('failed events: the PII policy applies to what is kept', () => {
  it('masks, hashes and drops per policy in a bot event Clean refuses, and keeps the rest for replay', async () => {
    // Prepare
    const raw = envelope({ type: 'identify', ...personal, context: { ...personal.context, userAgent: 'Googlebot/2.1' } });
    // Act
    const failed = await refusedByClean(raw);
    // Assess
    expect(failed).toHaveLength(1);
    expect(failed[0].reason).toBe('bot_traffic');
    const kept = failed[0].payload as ReturnType<typeof envelope>;
    expect(kept).toEqual({ ...raw, event: { messageId: 'm1', userId: 'ada', type: 'identify', ...minimised('pepper'), context: { ...minimised('pepper').context, userAgent: 'Googlebot/2.1' } } });
    expect(JSON.stringify(kept)).not.toMatch(/900123"|Analytical|1815|203\.0\.113/);
  });

  it('does the same for an event with an impossible timestamp, and for properties.email', async () => {
    // Prepare
    const raw = envelope({ type: 'track', event: 'Order Completed', timestamp: 'not a date', properties: { email: 'Ada@Example.com', revenue: 5 }, ...personal });
    // Act
    const failed = await refusedByClean(raw, '');
    // Assess
    expect(failed[0].reason).not.toBe('bot_traffic');
    const event = (failed[0].payload as ReturnType<typeof envelope>).event as Record<string, unknown>;
    expect(event).toMatchObject({ ...minimised(''), properties: { email: hashValue('ada@example.com', ''), revenue: 5 }, timestamp: 'not a date', event: 'Order Completed' });
    expect(event.context).not.toHaveProperty('ip');
    expect(event.traits).not.toHaveProperty('address');
    expect(event.traits).not.toHaveProperty('birthday');
  });

  it('applies it in Collect too: a refused event, a batch with a rejected event, and the batch context', async () => {
    // Prepare
    const failed: FailedEvent[] = [];
    const deps = { sink: { put: async () => undefined }, failed: { put: async (r: FailedEvent[]) => void failed.push(...r) } };
    const base = { sourceId: 's', receivedAt: new Date('2026-11-22T10:00:00Z'), newId: () => 'id' };
    const single = { type: 'identify', ...personal }; // no userId: refused
    const batchBody = { context: { ip: '198.51.100.1' }, batch: [{ type: 'identify', userId: 'ada', traits: { phone: '+1 555 0100' } }, { type: 'identify', ...personal }] };
    const sent = JSON.stringify(batchBody);
    // Act
    await acceptRequest({ ...base, route: 'identify', body: JSON.stringify(single) }, deps).catch(() => undefined);
    await acceptRequest({ ...base, route: 'batch', body: sent }, deps);
    await acceptRequest({ ...base, route: 'batch', body: JSON.stringify({ context: { ip: '198.51.100.2' }, batch: [{ type: 'identify', traits: { phone: '+1 555 0199' } }] }) }, deps).catch(() => undefined);
    // Assess
    expect(failed).toHaveLength(3);
    expect(failed[0].payload).toEqual({ type: 'identify', ...minimised('') });
    expect(failed[1].payload).toEqual({ type: 'identify', ...minimised('') });
    expect(failed[2].payload).toEqual({ context: {}, batch: [{ type: 'identify', traits: { phone: maskValue('+1 555 0199') } }] });
    expect(JSON.stringify(failed)).not.toMatch(/198\.51|203\.0|0199"|Analytical|1815/);
  });

  it('keeps text that is not JSON bounded', async () => {
    const failed: FailedEvent[] = [];
    const batch = new CleanBatch({ sink: { put: async () => undefined }, failed: { put: async (r) => void failed.push(...r) }, options: {}, decode: (d) => d }, 'now');
    await batch.add({ sequenceNumber: '1', data: 'x'.repeat(100_000) });
    await batch.flush();
    expect((failed[0].payload as string).length).toBe(4096);
  });
});
