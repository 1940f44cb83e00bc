/**
 * The Campaign state machine as CDK synthesizes it, run by aws-local-stepfunctions on the
 * local platform (emulators on loopback, the real handlers in their workers, aws-ses-v2-local):
 * consent, suppression and caps honoured, exactly one mail per eligible person even after a
 * crash mid-page and a restarted execution, and one-click unsubscribe applied at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { allProfiles, basicAuth, testPlatform } from '../helpers/platform.ts';
import type { Platform } from '../../local/platform.ts';

let platform: Awaited<ReturnType<typeof testPlatform>>;
let writeKey: string;
const campaign = JSON.parse(readFileSync(new URL('../fixtures/campaigns/spring-sale.json', import.meta.url), 'utf8'));

async function send(batch: unknown[]) {
  const res = await fetch(`${platform.apiUrl}/v1/batch`, { method: 'POST', headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
  expect(res.status).toBe(200);
}

const person = (i: number, consent: Record<string, boolean>) => [
  { type: 'identify', userId: `p${i}`, messageId: `id-${i}`, traits: { email: `p${i}@example.test`, first_name: `P${i}` }, context: { consent: { categoryPreferences: consent } }, timestamp: '2026-11-20T10:00:00Z' },
  { type: 'track', userId: `p${i}`, messageId: `o-${i}`, event: 'Order Completed', properties: { revenue: 10, currency: 'GBP' }, timestamp: '2026-11-21T10:00:00Z' },
];

async function runCampaign(p: Platform, input: unknown, name: string) {
  const sm = p.stepFunctions.find('Campaign');
  const e = p.stepFunctions.start(sm.arn, JSON.stringify(input), name);
  return e.done;
}

const mailsTo = async () => (await platform.ses.mails()).flatMap((m) => m.destination.to);

beforeAll(async () => {
  platform = await testPlatform({ waitOverrides: 0 });
  ({ writeKey } = await platform.createSource('campaigns'));
  const granted = { email: true, 'email.marketing': true };
  await send([...Array.from({ length: 30 }, (_, i) => person(i, granted)).flat(), ...person(100, { email: true }), ...person(101, { 'email.marketing': false })]);
  await platform.waitForIdle();
});
afterAll(async () => platform?.cleanup());

describe('the Campaign state machine on the local platform', () => {
  it('fails in its first state, naming every wrong field, and sends nothing', async () => {
    // Act
    const e = await runCampaign(platform, { ...campaign, id: 'bad one', holdoutPercent: 90, variants: [] }, 'bad-input');
    // Assess
    expect(e.status).toBe('FAILED');
    expect(e.error).toBe('InvalidCampaignError');
    expect(e.cause).toMatch(/^id: .*holdoutPercent.*variants/s);
    expect(await platform.ses.mails()).toHaveLength(0);
  });

  it('emails every consenting buyer once (10 % holdout recorded, not sent), never those without marketing consent', async () => {
    // Act
    const e = await runCampaign(platform, campaign, campaign.id);
    // Assess
    expect(e.status, e.cause).toBe('SUCCEEDED');
    const summary = JSON.parse(e.output!);
    const to = await mailsTo();
    expect(new Set(to).size).toBe(to.length);
    expect(to).not.toContain('p100@example.test');
    expect(to).not.toContain('p101@example.test');
    expect(summary.totals.sent + summary.totals.holdout).toBe(30);
    expect(summary.totals.sent).toBe(to.length);
    expect(summary.totals.skipped.no_consent).toBe(2);
    const mail = (await platform.ses.mails())[0];
    const headers = Object.fromEntries((mail.headers ?? []).map((h) => [h.name.toLowerCase(), h.value]));
    expect(headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(headers['list-unsubscribe']).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/v1\/unsubscribe\?token=/);
  });

  it('started again (same name, same input) or restarted under a new name, sends nobody a second mail', async () => {
    // Prepare
    const before = (await mailsTo()).length;
    // Act
    const again = await runCampaign(platform, campaign, campaign.id);
    const restarted = await runCampaign(platform, campaign, `${campaign.id}-restart`);
    // Assess
    expect(again.status).toBe('SUCCEEDED');
    expect(restarted.status).toBe('SUCCEEDED');
    expect((await mailsTo()).length).toBe(before);
    expect(JSON.parse(restarted.output!).totals.sent).toBe(0);
  });

  it('a second campaign the same day is held by the frequency cap (1 a day across campaigns)', async () => {
    const before = (await mailsTo()).length;
    const e = await runCampaign(platform, { ...campaign, id: 'second-campaign', holdoutPercent: 0 }, 'second-campaign');
    expect(e.status).toBe('SUCCEEDED');
    const totals = JSON.parse(e.output!).totals;
    // Those the first campaign mailed today are capped; its holdout got nothing and can be mailed.
    expect(totals.skipped.frequency_cap).toBe(before);
    expect((await mailsTo()).length).toBe(before + totals.sent);
  });

  it('one-click unsubscribe applies at once: the next campaign skips the person as unsubscribed', async () => {
    // Prepare
    const mail = (await platform.ses.mails()).find((m) => m.destination.to[0] === 'p3@example.test') ?? (await platform.ses.mails())[0];
    const url = /<(http[^>]+)>/.exec(Object.fromEntries((mail.headers ?? []).map((h) => [h.name.toLowerCase(), h.value]))['list-unsubscribe'])![1];
    // Act
    const page = await fetch(url);
    const post = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    const forged = await fetch(url.replace(/token=[^&]+/, 'token=abc.def'), { method: 'POST' });
    const address = mail.destination.to[0];
    const before = (await mailsTo()).filter((a) => a === address).length;
    const e = await runCampaign(platform, { ...campaign, id: 'third-campaign', holdoutPercent: 0, frequencyCap: undefined }, 'third-campaign');
    // Assess
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<form method="post"/);
    expect(post.status).toBe(200);
    expect(forged.status).toBe(400);
    const totals = JSON.parse(e.output!).totals;
    expect(totals.skipped.unsubscribed).toBe(1);
    expect((await mailsTo()).filter((a) => a === address).length).toBe(before);
    expect(totals.sent).toBe(29); // the 30 buyers, all eligible again without a cap, but one
    // The send the link came from records the unsubscribe (its campaign report counts it per arm).
    const { c, p } = JSON.parse(Buffer.from(new URL(url).searchParams.get('token')!.split('.')[0], 'base64url').toString());
    const record = await platform.services.sendRecords(platform.resource('start-campaign', 'CAMPAIGNS_TABLE_NAME')).get({ campaignId: c, personId: p });
    expect(record?.unsubscribedAt).toBeDefined();
  });

  it('a top-N audience is ranked once at Start: exactly the N best are decided, ties broken by id, and a restart decides nobody new', async () => {
    // Prepare: every buyer spent the same, so the ranking is by profile id alone.
    const top = { ...campaign, id: 'top-five', holdoutPercent: 0, frequencyCap: undefined, audience: { segment: { ...campaign.audience.segment, id: 'top-buyers', top: { n: 5, by: 'aggregates.revenue' } } } };
    const expected = (await allProfiles(platform)).filter((p) => !p.mergedInto && (p.aggregates.orders ?? 0) >= 1).map((p) => p.profileId).sort().slice(0, 5);
    // Act
    const e = await runCampaign(platform, top, 'top-five');
    const again = await runCampaign(platform, top, 'top-five-restarted');
    // Assess
    expect(e.status, e.cause).toBe('SUCCEEDED');
    expect(again.status, again.cause).toBe('SUCCEEDED');
    const records = await platform.services.sendRecords(platform.resource('send-campaign-page', 'CAMPAIGNS_TABLE_NAME')).listRecords('top-five', { consistent: true });
    expect(records.records.map((r) => r.personId).sort()).toEqual(expected);
    const totals = JSON.parse(e.output!).totals;
    expect(totals.audience).toBe(5);
    expect(JSON.parse(again.output!).totals.sent).toBe(0);
  });
});
