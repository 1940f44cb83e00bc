/**
 * SMS and webhook campaigns through the synthesized Campaign state machine on the local
 * platform: the send Lambda's real PinpointSMSVoiceV2Client reaches the loopback SMS API
 * (local/sms-api.ts) and the webhook channel POSTs, signed with the stack's webhook key, to a
 * loopback receiver that verifies every signature. Consent is per channel: a person who granted
 * email marketing only is not texted nor hooked.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicAuth, testPlatform } from '../helpers/platform.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from '../../functions/adapters/webhook-sender.ts';

let platform: Awaited<ReturnType<typeof testPlatform>>;
const received: { body: string; verified: boolean; delivery: string }[] = [];
let failNext = 0;
const receiver = createServer(async (req: IncomingMessage, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  if (failNext > 0) {
    failNext -= 1;
    res.writeHead(503).end();
    return;
  }
  const secret = readFileSync(join(platform.dataDir, 'webhook-signing-key'), 'utf8').trim();
  const v = verifyWebhookSignature({ secret, body, signature: req.headers[SIGNATURE_HEADER.toLowerCase()] as string, timestamp: req.headers[TIMESTAMP_HEADER.toLowerCase()] as string });
  received.push({ body, verified: v.ok, delivery: String(req.headers[DELIVERY_HEADER.toLowerCase()]) });
  res.writeHead(204).end();
});

const segment = { schemaVersion: 1, id: 'everyone', name: 'Everyone', where: { field: 'traits.first_name', op: 'exists' } };

async function run(input: unknown, name: string) {
  const sm = platform.stepFunctions.find('Campaign');
  const e = await platform.stepFunctions.start(sm.arn, JSON.stringify(input), name).done;
  expect(e.status, e.cause).toBe('SUCCEEDED');
  return JSON.parse(e.output!).totals;
}

beforeAll(async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  platform = await testPlatform({ waitOverrides: 0 });
  const { writeKey } = await platform.createSource('channels');
  const person = (i: number, consent: Record<string, boolean>, phone: string) => ({ type: 'identify', userId: `c${i}`, messageId: `c-${i}`, traits: { first_name: `C${i}`, phone }, context: { consent: { categoryPreferences: consent } }, timestamp: '2026-11-20T10:00:00Z' });
  const batch = [
    ...Array.from({ length: 6 }, (_, i) => person(i, { 'sms.marketing': true, 'webhook.marketing': true }, `+4477009000${String(i).padStart(2, '0')}`)),
    person(10, { 'email.marketing': true }, '+447700900010'),
    person(11, { 'sms.marketing': true, 'webhook.marketing': true }, 'not a number'),
  ];
  const res = await fetch(`${platform.apiUrl}/v1/batch`, { method: 'POST', headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
  expect(res.status).toBe(200);
  await platform.waitForIdle();
});
afterAll(async () => {
  await platform?.cleanup();
  await new Promise<void>((r) => receiver.close(() => r()));
});

describe('campaign channels beyond email', () => {
  it('texts each person who consented to SMS marketing once, through the real SMS client, and skips a number that is not E.164', async () => {
    // Act
    const totals = await run({ id: 'sms-1', name: 'SMS', channel: 'sms', audience: { segment }, variants: [{ id: 'a', text: 'Hi {{traits.first_name}}, 20 % off today. Reply STOP to opt out.' }] }, 'sms-1');
    // Assess
    const texts = platform.sms.outbox.list({ campaignId: 'sms-1' });
    expect(texts.map((t) => t.to).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `+4477009000${String(i).padStart(2, '0')}`));
    expect(texts[0].text).toMatch(/^Hi C\d, 20 % off today/);
    expect(texts[0].encoding).toBe('GSM-7');
    expect(totals.sent).toBe(6);
    expect(totals.skipped.no_consent).toBe(1);
    expect(totals.skipped.no_address).toBe(1);
    const store = (await (await fetch(`${platform.sms.url}/store?campaignId=sms-1`)).json()) as { messages: unknown[] };
    expect(store.messages).toHaveLength(6);
  });

  it('posts a signed JSON body per consenting person to the webhook, retrying a 503, and nobody twice', async () => {
    // Prepare
    failNext = 1;
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const hook = { id: 'hook-1', name: 'Hook', channel: 'webhook', webhook: { url }, audience: { segment }, variants: [{ id: 'a', body: { person: '{{profileId}}', name: '{{traits.first_name}}' } }] };
    // Act
    const totals = await run(hook, 'hook-1');
    const again = await run(hook, 'hook-1-restarted');
    // Assess
    expect(totals.sent).toBe(7); // the six, and the one whose phone is bad (a webhook needs none)
    expect(totals.skipped.no_consent).toBe(1);
    expect(again.sent).toBe(0);
    expect(received).toHaveLength(7);
    expect(received.every((r) => r.verified)).toBe(true);
    expect(new Set(received.map((r) => r.delivery)).size).toBe(7);
    expect(received.map((r) => JSON.parse(r.body).name).sort()).toEqual(['C0', 'C1', 'C11', 'C2', 'C3', 'C4', 'C5']);
  });
});
