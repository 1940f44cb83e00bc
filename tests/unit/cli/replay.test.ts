/**
 * The CLI's replay sends through the real @segment/analytics-node client: here to a stub
 * HTTP server on loopback that records what arrives and answers as the event API does.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { replayDemo, replayOnlineRetail } from '../../../cli/commands/replay.ts';
import { REQUEST_BYTES_TARGET, sdkTarget, sendEvents, splitBatchBody } from '../../../cli/commands/send-events.ts';
import { buildProgram } from '../../../cli/sightline.ts';
import { demoShop } from '../../../datasets/demo-shop.ts';
import { MAX_REQUEST_BYTES, segmentEventSchema } from '../../../schemas/events.ts';
import type { SegmentLikeEvent } from '../../../schemas/events.ts';

const fixture = fileURLToPath(new URL('../../fixtures/retail/sample.csv', import.meta.url));
/** The fixture's events: 8 identify + 15 Order Completed + 3 Order Refunded (see the domain test). */
const FIXTURE_EVENTS = 26;

interface Received {
  path: string;
  auth?: string;
  bytes: number;
  batch: { messageId: string; type: string; timestamp: string; [k: string]: unknown }[];
}
let server: Server;
let url: string;
let received: Received[] = [];
/** The stub's answer; the event API answers 200 with `{ accepted, rejected }`. */
let status = 200;

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const body = JSON.parse(data) as { batch: Received['batch'] };
      received.push({ path: req.url ?? '', auth: req.headers.authorization, bytes: Buffer.byteLength(data), batch: body.batch });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { success: true, accepted: body.batch.length, rejected: [] } : { error: 'bad request' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  received = [];
  status = 200;
  vi.restoreAllMocks();
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const sentEvents = () => received.flatMap((b) => b.batch);

describe('replayOnlineRetail', () => {
  it('sends every converted event in /v1/batch requests with the write key, and reconciles the file', async () => {
    // Act
    const r = await replayOnlineRetail(fixture, { apiUrl: url, writeKey: 'fixture-write-key', batchSize: 5, flushInterval: 20 });

    // Assess
    const sent = sentEvents();
    const { identify, orderCompleted, orderRefunded } = r.reconciliation.events;
    expect(identify + orderCompleted + orderRefunded).toBe(FIXTURE_EVENTS);
    expect(sent).toHaveLength(FIXTURE_EVENTS);
    expect(new Set(sent.map((e) => e.messageId)).size).toBe(FIXTURE_EVENTS);
    expect(r.send).toMatchObject({ sent: FIXTURE_EVENTS, accepted: FIXTURE_EVENTS, rejected: 0, failed: 0, httpErrors: 0 });
    expect(received.length).toBeGreaterThanOrEqual(Math.ceil(FIXTURE_EVENTS / 5));
    for (const b of received) {
      expect(b.path).toBe('/v1/batch');
      expect(b.auth).toBe(`Basic ${Buffer.from('fixture-write-key:').toString('base64')}`);
      expect(b.batch.length).toBeLessThanOrEqual(5);
    }
    expect(r.reconciliation.lines).toBe(39);
  });

  it('sends events the API accepts, with their deterministic ids and UTC timestamps', async () => {
    // Act
    await replayOnlineRetail(fixture, { apiUrl: url, writeKey: 'k' });

    // Assess
    const sent = sentEvents();
    for (const e of sent) expect(segmentEventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
    expect(sent.find((e) => e.messageId === 'retail-546001')).toMatchObject({ type: 'track', event: 'Order Completed', userId: '15311', timestamp: '2011-03-27T01:30:00.000Z' });
    expect(sent.find((e) => e.messageId === 'retail-identify-17850')).toMatchObject({ type: 'identify', traits: { country: 'United Kingdom' } });
  });

  it('keeps the path of an API base URL (an API Gateway stage)', async () => {
    // Act
    await replayOnlineRetail(fixture, { apiUrl: `${url}/prod/`, writeKey: 'k', limit: 2 });

    // Assess
    expect(received.map((b) => b.path)).toEqual(['/prod/v1/batch']);
    expect(sdkTarget('https://abc.execute-api.eu-west-1.amazonaws.com/prod')).toEqual({ host: 'https://abc.execute-api.eu-west-1.amazonaws.com', path: '/prod/v1/batch' });
  });

  it('counts events the API refuses as not delivered instead of losing them silently', async () => {
    // Prepare
    status = 400;

    // Act
    const r = await replayOnlineRetail(fixture, { apiUrl: url, writeKey: 'k', limit: 5 });

    // Assess
    expect(r.send).toMatchObject({ sent: 3, accepted: 0, failed: 3 });
    expect(r.send!.httpErrors).toBeGreaterThan(0);
  });

  it('reads only the first lines with a limit', async () => {
    // Act
    const r = await replayOnlineRetail(fixture, { apiUrl: url, writeKey: 'k', limit: 5 });

    // Assess: lines 1-5 are invoices 536365 (two products kept of four lines) and 536366.
    expect(r.reconciliation.lines).toBe(5);
    expect(sentEvents().map((e) => e.messageId)).toEqual(['retail-identify-17850', 'retail-536365', 'retail-536366']);
  });

  it('converts without sending in a dry run', async () => {
    // Act
    const r = await replayOnlineRetail(fixture, { dryRun: true });

    // Assess
    expect(received).toEqual([]);
    expect(r.send).toBeUndefined();
    expect(r.reconciliation.events.orderCompleted).toBe(15);
    expect(r.largestEventBytes).toBeGreaterThan(100);
  });
});

describe('sendEvents', () => {
  it('keeps every request under the API limit, which the SDK alone does not (its size estimate undercounts)', async () => {
    // Prepare: 100 orders of about 20 KB each, one SDK batch of 2 MB.
    const products = Array.from({ length: 150 }, (_, i) => ({ product_id: `P${i}`, sku: `P${i}`, name: 'WHITE HANGING HEART T-LIGHT HOLDER', price: 2.55, quantity: 6, category: 'candles' }));
    const events: SegmentLikeEvent[] = Array.from({ length: 100 }, (_, i) => ({ type: 'track', messageId: `big-${i}`, userId: 'u1', event: 'Order Completed', timestamp: '2011-01-01T10:00:00.000Z', properties: { order_id: `O${i}`, revenue: 1, products } }));

    // Act
    const r = await sendEvents(events, { apiUrl: url, writeKey: 'k', flushInterval: 20 });

    // Assess
    expect(r).toMatchObject({ sent: 100, accepted: 100, failed: 0, httpErrors: 0 });
    expect(received.length).toBeGreaterThan(3);
    for (const b of received) expect(b.bytes).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(sentEvents().map((e) => e.messageId)).toEqual(events.map((e) => e.messageId));
  });

  it('splits a batch body by bytes, keeping the envelope and the order, an oversized event alone', () => {
    // Prepare
    const body = JSON.stringify({ batch: [{ n: 'a'.repeat(40) }, { n: 'b'.repeat(40) }, { n: 'c'.repeat(200) }, { n: 'd' }], writeKey: 'k', sentAt: '2011-01-01T00:00:00.000Z' });

    // Act
    const parts = splitBatchBody(body, 150).map((b) => JSON.parse(b));

    // Assess
    expect(parts.map((p) => p.batch.map((e: { n: string }) => e.n[0]))).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(parts.every((p) => p.writeKey === 'k' && p.sentAt === '2011-01-01T00:00:00.000Z')).toBe(true);
    expect(splitBatchBody(body, 300).map((b) => JSON.parse(b).batch.length)).toEqual([2, 2]);
    expect(splitBatchBody(body)).toEqual([body]);
    expect(REQUEST_BYTES_TARGET).toBeLessThan(MAX_REQUEST_BYTES);
  });
});

describe('sightline program', () => {
  it('replay online-retail --endpoint --write-key --json prints the reconciliation as JSON', async () => {
    // Prepare
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});

    // Act
    await buildProgram().parseAsync(['replay', 'online-retail', fixture, '--endpoint', url, '--write-key', 'cli-key', '--json'], { from: 'user' });

    // Assess
    const out = JSON.parse(String(log.mock.calls.at(-1)![0]));
    expect(out.reconciliation).toMatchObject({ lines: 39, accepted: 14, corrected: 6, rejected: 19 });
    expect(out.send).toMatchObject({ sent: FIXTURE_EVENTS, accepted: FIXTURE_EVENTS });
    expect(sentEvents()).toHaveLength(FIXTURE_EVENTS);
    expect(received[0].auth).toBe(`Basic ${Buffer.from('cli-key:').toString('base64')}`);
  });

  it('replay online-retail --dry-run needs no platform and prints the cleaning report', async () => {
    // Prepare
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});

    // Act
    await buildProgram().parseAsync(['replay', 'online-retail', fixture, '--dry-run'], { from: 'user' });

    // Assess
    const text = log.mock.calls.map((c) => String(c[0])).join('\n');
    expect(text).toMatch(/non_product_code\s+11/);
    expect(text).toContain('check: 39 = 14 + 6 + 19');
    expect(received).toEqual([]);
  });

  it('replay demo --seed --end sends the seeded shop, the same events as the generator', async () => {
    // Prepare
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const end = '2026-11-22T12:00:00.000Z';
    const expected = demoShop({ seed: 3, end: new Date(end) });

    // Act
    await buildProgram().parseAsync(['replay', 'demo', '--seed', '3', '--end', end, '--endpoint', url, '--write-key', 'k', '--json'], { from: 'user' });

    // Assess
    const out = JSON.parse(String(log.mock.calls.at(-1)![0]));
    expect(out).toMatchObject({ seed: 3, end, events: expected.length, send: { sent: expected.length, accepted: expected.length, failed: 0 } });
    expect(sentEvents().map((e) => e.messageId).sort()).toEqual(expected.map((e) => e.messageId).sort());
  });

  it('rejects a limit that is not a positive integer', async () => {
    // Prepare
    const program = buildProgram().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    program.commands.forEach((c) => c.exitOverride().commands.forEach((s) => s.exitOverride().configureOutput({ writeErr: () => {} })));

    // Act, Assess
    await expect(program.parseAsync(['replay', 'online-retail', fixture, '--limit', 'ten', '--dry-run'], { from: 'user' })).rejects.toThrow(/positive integer/);
  });
});

describe('replayDemo', () => {
  it('is deterministic for a seed and an end date', async () => {
    // Act
    const end = new Date('2026-01-01T00:00:00Z');
    const r = await replayDemo({ apiUrl: url, writeKey: 'k', seed: 11, end, flushInterval: 20 });

    // Assess
    expect(r.send.accepted).toBe(r.events);
    expect(sentEvents()).toHaveLength(demoShop({ seed: 11, end }).length);
  });
});
