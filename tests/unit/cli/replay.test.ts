/**
 * The CLI's replay sends through the real @segment/analytics-node client: here to a stub
 * HTTP server on loopback that records what arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { replayOnlineRetail } from '../../../cli/commands/replay.ts';

const fixture = fileURLToPath(new URL('../../fixtures/retail/sample.csv', import.meta.url));
let server: Server;
let url: string;
const bodies: { auth?: string; batch: { messageId: string; type: string }[] }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const body = JSON.parse(data);
      bodies.push({ auth: req.headers.authorization, batch: body.batch });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true, accepted: body.batch.length }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('sightline replay online-retail', () => {
  it('sends every converted event with the write key, and reconciles the file', async () => {
    const r = await replayOnlineRetail(fixture, { apiUrl: url, writeKey: 'fixture-write-key' });
    const sent = bodies.flatMap((b) => b.batch);
    expect(sent).toHaveLength(11);
    expect(r.send).toMatchObject({ sent: 11, accepted: 11, httpErrors: 0 });
    expect(new Set(sent.map((e) => e.messageId)).size).toBe(11);
    expect(bodies[0].auth).toBe(`Basic ${Buffer.from('fixture-write-key:').toString('base64')}`);
    expect(r.reconciliation.lines).toBe(21);
  });

  it('converts without sending in a dry run', async () => {
    const before = bodies.length;
    const r = await replayOnlineRetail(fixture, { dryRun: true });
    expect(bodies.length).toBe(before);
    expect(r.send).toBeUndefined();
    expect(r.reconciliation.events.orderCompleted).toBe(7);
  });
});
