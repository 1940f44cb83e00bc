/**
 * The Campaign state machine under faults, on the local platform: the send function's
 * DynamoDB calls go through a fault proxy that fails a send record's completion after SES
 * took the mail (a crash mid-page), the execution fails, and a restarted execution finishes
 * the campaign: every eligible person has exactly one mail. Two campaigns running at once
 * over one audience never exceed the shared frequency cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { basicAuth, testPlatform } from '../helpers/platform.ts';
import { startEmulators } from '../../local/emulators.ts';
import { startFaultProxy, type FaultProxy } from '../../local/fault-proxy.ts';

let platform: Awaited<ReturnType<typeof testPlatform>>;
let proxy: FaultProxy;
const campaign = JSON.parse(readFileSync(new URL('../fixtures/campaigns/spring-sale.json', import.meta.url), 'utf8'));
const PEOPLE = 40;

const run = (input: unknown, name: string) => platform.stepFunctions.start(platform.stepFunctions.find('Campaign').arn, JSON.stringify(input), name).done;
const mailsTo = async () => (await platform.ses.mails()).flatMap((m) => m.destination.to);
const countBy = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());

beforeAll(async () => {
  const probe = await startEmulators({ dataDir: `/tmp/sightline-probe-campaigns-${process.pid}` });
  const ports = { dynamodb: Number(new URL(probe.dynamodb).port), kinesis: Number(new URL(probe.kinesis).port), s3: Number(new URL(probe.s3).port) };
  await probe.stop();
  proxy = await startFaultProxy(`http://127.0.0.1:${ports.dynamodb}`);
  platform = await testPlatform({ ports, waitOverrides: 0, functionEnvOverrides: { 'send-campaign-page': { AWS_ENDPOINT_URL_DYNAMODB: proxy.url } } });
  const { writeKey } = await platform.createSource('campaign-faults');
  const batch = Array.from({ length: PEOPLE }, (_, i) => [
    { type: 'identify', userId: `c${i}`, messageId: `cid-${i}`, traits: { email: `c${i}@example.test`, first_name: `C${i}` }, context: { consent: { categoryPreferences: { 'email.marketing': true } } } },
    { type: 'track', userId: `c${i}`, messageId: `co-${i}`, event: 'Order Completed', properties: { revenue: 5, currency: 'GBP' } },
  ]).flat();
  const res = await fetch(`${platform.apiUrl}/v1/batch`, { method: 'POST', headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
  expect(res.status).toBe(200);
  await platform.waitForIdle();
});
afterAll(async () => {
  await platform?.cleanup();
  await proxy?.stop();
});

describe('campaigns under faults', () => {
  it('a crash after SES took a mail fails the execution; the restart sends everyone else, nobody twice', async () => {
    // Prepare: completions (UpdateItem) fail from the 7th on, for long enough to exhaust the SDK's retries.
    let updates = 0;
    let failing = true;
    proxy.setRule((op) => (op === 'UpdateItem' && failing && ++updates >= 7 ? 'server_error' : 'forward'));
    const c = { ...campaign, id: 'crash-test', holdoutPercent: 0, frequencyCap: undefined };
    // Act
    const crashed = await run(c, 'crash-test');
    const sentBeforeRestart = (await mailsTo()).length;
    failing = false;
    const restarted = await run(c, 'crash-test-restart');
    // Assess
    expect(crashed.status).toBe('FAILED');
    expect(sentBeforeRestart).toBeGreaterThan(0);
    expect(sentBeforeRestart).toBeLessThan(PEOPLE);
    expect(restarted.status, restarted.cause).toBe('SUCCEEDED');
    const counts = countBy(await mailsTo());
    expect(counts.size).toBe(PEOPLE);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('two campaigns at once over one audience stay within the cap of one a day', async () => {
    // Prepare
    proxy.setRule(() => 'forward');
    await platform.ses.clear();
    const capped = (id: string, subject: string) => ({ ...campaign, id, holdoutPercent: 0, frequencyCap: { perDay: 1 }, variants: [{ ...campaign.variants[0], subject }] });
    // Act: both start before either has sent (their sweeps interleave page by page)
    const [a, b] = await Promise.all([run(capped('cap-a', 'A'), 'cap-a'), run(capped('cap-b', 'B'), 'cap-b')]);
    // Assess: one mail a person between the two, and every other decision a cap skip
    expect(a.status).toBe('SUCCEEDED');
    expect(b.status).toBe('SUCCEEDED');
    const totals = [JSON.parse(a.output!).totals, JSON.parse(b.output!).totals];
    const mailed = await mailsTo();
    expect([...countBy(mailed).values()].every((n) => n <= 1)).toBe(true);
    expect(totals[0].sent + totals[1].sent).toBe(mailed.length);
    expect((totals[0].skipped.frequency_cap ?? 0) + (totals[1].skipped.frequency_cap ?? 0) + mailed.length).toBe(2 * PEOPLE);
  });
});
