/** The webhook sender against a real HTTP receiver on loopback that checks every signature. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliveryId, signWebhook, verifyWebhookSignature, webhookSender } from '../../../functions/adapters/webhook-sender.ts';
import { RetryableSendError } from '../../../functions/adapters/send-errors.ts';
import type { WebhookMessage } from '../../../functions/domain/campaigns/ports.ts';

const SECRET = 'whsec-test-0123456789abcdef';

interface Received {
  path: string;
  body: string;
  headers: IncomingMessage['headers'];
  verified: ReturnType<typeof verifyWebhookSignature>;
}

let server: Server;
let base: string;
const received: Received[] = [];
/** Per path, the statuses to answer in turn (then 200). */
const script = new Map<string, number[]>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verified = verifyWebhookSignature({
        secret: SECRET,
        body,
        signature: req.headers['x-sightline-signature'] as string | undefined,
        timestamp: req.headers['x-sightline-timestamp'] as string | undefined,
      });
      received.push({ path: req.url ?? '', body, headers: req.headers, verified });
      const status = verified.ok ? (script.get(req.url ?? '')?.shift() ?? 200) : 401;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : `status ${status}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const message = (path: string, over: Partial<WebhookMessage> = {}): WebhookMessage => ({
  channel: 'webhook',
  campaignId: 'spring-sale',
  personId: 'p-1',
  variantId: 'A',
  url: `${base}${path}`,
  body: { event: 'campaign.message', person: { id: 'p-1', firstName: 'Ann' }, offer: '20%' },
  ...over,
});
const noWait = { sleep: async () => {}, baseDelayMs: 1 };

describe('webhookSender', () => {
  it('signs timestamp.body, and retries a failed first attempt with a fresh signature', async () => {
    // Prepare
    script.set('/first-fails', [503]);
    const send = webhookSender({ secret: SECRET, ...noWait });
    // Act
    const result = await send(message('/first-fails'));
    // Assess
    expect(result).toEqual({ ok: true, messageId: deliveryId('spring-sale', 'p-1') });
    const attempts = received.filter((r) => r.path === '/first-fails');
    expect(attempts).toHaveLength(2);
    for (const a of attempts) {
      expect(a.verified).toEqual({ ok: true });
      expect(JSON.parse(a.body)).toEqual({ event: 'campaign.message', person: { id: 'p-1', firstName: 'Ann' }, offer: '20%' });
      expect(a.headers['x-sightline-signature']).toBe(signWebhook(SECRET, a.headers['x-sightline-timestamp'] as string, a.body));
      expect(a.headers['x-sightline-delivery']).toBe(deliveryId('spring-sale', 'p-1'));
      expect(a.headers['content-type']).toBe('application/json');
    }
    expect(attempts.map((a) => a.headers['x-sightline-attempt'])).toEqual(['1', '2']);
  });

  it('returns a 4xx as permanent without retrying', async () => {
    script.set('/gone', [410]);
    const result = await webhookSender({ secret: SECRET, ...noWait })(message('/gone'));
    expect(result).toEqual({ ok: false, error: 'HTTP 410: status 410' });
    expect(received.filter((r) => r.path === '/gone')).toHaveLength(1);
  });

  it('retries 429 and 5xx a bounded number of times, then throws retryable', async () => {
    // Prepare
    script.set('/down', [429, 500, 502]);
    const waits: number[] = [];
    const send = webhookSender({ secret: SECRET, maxAttempts: 3, baseDelayMs: 100, random: () => 1, sleep: async (ms) => void waits.push(ms) });
    // Act
    const err = await send(message('/down')).catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(RetryableSendError);
    expect((err as RetryableSendError).code).toBe('HTTP 502');
    expect(received.filter((r) => r.path === '/down')).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
  });

  it('treats a refused connection as retryable and certainly not delivered', async () => {
    // Prepare: a port nobody listens on (the closed server's).
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    // Act
    const err = await webhookSender({ secret: SECRET, maxAttempts: 2, ...noWait })(message('', { url: `http://127.0.0.1:${port}/hook` })).catch((e: unknown) => e);
    // Assess
    expect(err).toMatchObject({ name: 'RetryableSendError', code: 'ECONNREFUSED', notAccepted: true });
  });

  it('refuses plain http beyond loopback and bad URLs', async () => {
    const send = webhookSender({ secret: SECRET, ...noWait });
    expect(await send(message('', { url: 'http://hooks.example.com/x' }))).toMatchObject({ ok: false, error: expect.stringMatching(/^InvalidUrl: webhook URLs must be https/) });
    expect(await send(message('', { url: 'not a url' }))).toMatchObject({ ok: false, error: expect.stringMatching(/^InvalidUrl/) });
  });
});

describe('verifyWebhookSignature', () => {
  it('rejects a tampered body, a wrong secret and a stale timestamp', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const ts = String(now.getTime() / 1000);
    const sig = signWebhook(SECRET, ts, '{"a":1}');
    expect(verifyWebhookSignature({ secret: SECRET, body: '{"a":1}', signature: sig, timestamp: ts, now })).toEqual({ ok: true });
    expect(verifyWebhookSignature({ secret: SECRET, body: '{"a":2}', signature: sig, timestamp: ts, now })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhookSignature({ secret: `${SECRET}x`, body: '{"a":1}', signature: sig, timestamp: ts, now })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhookSignature({ secret: SECRET, body: '{"a":1}', signature: sig, timestamp: ts, now: new Date(now.getTime() + 301_000) })).toEqual({ ok: false, reason: 'stale' });
    expect(verifyWebhookSignature({ secret: SECRET, body: '{"a":1}', signature: undefined, timestamp: ts, now })).toEqual({ ok: false, reason: 'missing' });
  });
});
