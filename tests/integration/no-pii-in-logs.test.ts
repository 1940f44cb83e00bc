/**
 * No personal data in logs (issue 13, item 5): every byte the local platform and its handlers
 * write to stdout and stderr during a pipeline run — functions at DEBUG, so nothing is hidden
 * by the log level — is captured while a person with a distinctive email, phone, name and IP
 * goes through the event API (identify, an order, a page, a refused event, a consent record),
 * Clean, Tag, Score and the archive. None of those values may appear in the output, in any
 * spelling the pipeline produces (as sent, lower case, digits only).
 *
 * Capture: worker threads' stdout/stderr are piped into this process's streams, so patching
 * process.stdout/stderr.write (and console, which vitest may route elsewhere) sees them all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, testPlatform } from '../helpers/platform.ts';

const EMAIL = 'Quorinda.Vexley-7731@privacy-probe.test';
const PHONE = '+44 7700 900417';
const FIRST = 'Quorinda';
const LAST = 'Vexleyworth';
const IP = '203.0.113.177';
const needles = [EMAIL, EMAIL.toLowerCase(), 'quorinda.vexley-7731', PHONE, PHONE.replace(/\D/g, ''), '7700 900417', '7700900417', FIRST, LAST, IP];

let platform: Awaited<ReturnType<typeof testPlatform>>;
let writeKey: string;
const captured: string[] = [];
const restore: (() => void)[] = [];

function capture() {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = write));
  }
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level];
    console[level] = (...args: unknown[]) => {
      captured.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      original(...args);
    };
    restore.push(() => (console[level] = original));
  }
}

beforeAll(async () => {
  capture();
  platform = await testPlatform({ functionEnv: { POWERTOOLS_LOG_LEVEL: 'DEBUG' } });
  ({ writeKey } = await platform.createSource('pii-probe'));
}, 900_000); // synth plus 31 function workers: measured 7 min on the shared 2-core machine
afterAll(async () => {
  await platform?.cleanup();
  for (const r of restore) r();
});

const post = (path: string, body: unknown) => fetch(`${platform.apiUrl}${path}`, { method: 'POST', headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('logs of a pipeline run', () => {
  it('hold none of the personal data that went through it', async () => {
    // Prepare
    const context = { ip: IP, consent: { categoryPreferences: { 'email.marketing': true, profiling: true } }, traits: { email: EMAIL } };
    const traits = { email: EMAIL, phone: PHONE, first_name: FIRST, last_name: LAST, name: `${FIRST} ${LAST}`, address: { street: `1 ${LAST} Road` } };
    // Act
    const answers = [
      await post('/v1/identify', { userId: 'probe-1', messageId: 'p-id', traits, context, timestamp: '2026-11-20T10:00:00Z' }),
      await post('/v1/track', { userId: 'probe-1', messageId: 'p-order', event: 'Order Completed', properties: { order_id: 'p1', revenue: 12, currency: 'GBP', email: EMAIL, products: [{ product_id: 'MUG', price: 12, quantity: 1 }] }, context, timestamp: '2026-11-21T10:00:00Z' }),
      await post('/v1/page', { anonymousId: 'probe-anon', messageId: 'p-page', name: 'Home', context: { ...context, page: { url: `https://shop.test/?email=${encodeURIComponent(EMAIL)}` } } }),
      // Refused by Clean (an unknown currency): kept in the failed-events store, not logged.
      await post('/v1/track', { userId: 'probe-1', messageId: 'p-bad', event: 'Order Completed', properties: { revenue: 3, currency: 'XQZ', email: EMAIL }, traits, context }),
      // Refused by Collect (no id): a 400 naming the field.
      await post('/v1/identify', { traits, context }),
      await post('/v1/consent', { userId: 'probe-1', consent: { personalisation: 'granted' } }),
    ];
    await platform.waitForIdle(600_000);
    const log = captured.join('');
    // Assess
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 400, 202]);
    expect(log).toMatch(/"level":"(DEBUG|INFO)"/); // the capture sees the handlers' logs
    for (const n of needles) expect(log.toLowerCase().includes(n.toLowerCase()), `found ${JSON.stringify(n)} in the logs`).toBe(false);
  }, 900_000);
});
