/**
 * Campaigns that measure themselves, end to end on the local platform: the synthesized
 * Campaign state machine (waits overridden), simulated responses (local/simulate-responses.ts)
 * through record-feedback and the event API, the attribution consumer on the clean stream, and
 * the report: the planted lift is recovered within its interval, every goal event is credited
 * once, the winner of a test phase is sent to the remainder exactly once, and the feedback CLI
 * path records a bounce and suppresses the address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { basicAuth, testPlatform } from '../helpers/platform.ts';
import { campaignRecipients, drawResponses, simulateCampaign, type ResponsePlan } from '../../local/simulate-responses.ts';
import { campaignFeedbackCommand, campaignReportCommand } from '../../cli/commands/campaign-report.ts';
import { sendEvents } from '../../cli/commands/send-events.ts';
import { phaseOf } from '../../functions/domain/campaigns/arms.ts';

let platform: Awaited<ReturnType<typeof testPlatform>>;
let writeKey: string;
let table: string;
let profilesTable: string;
const base = JSON.parse(readFileSync(new URL('../fixtures/campaigns/spring-sale.json', import.meta.url), 'utf8'));
const { frequencyCap: _cap, ...noCap } = base;
const N = 400;

async function send(batch: unknown[]) {
  for (let i = 0; i < batch.length; i += 200) {
    const res = await fetch(`${platform.apiUrl}/v1/batch`, { method: 'POST', headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' }, body: JSON.stringify({ batch: batch.slice(i, i + 200) }) });
    expect(res.status).toBe(200);
  }
}

const granted = { email: true, 'email.marketing': true };
const person = (i: number) => [
  { type: 'identify', userId: `m${i}`, messageId: `mid-${i}`, traits: { email: `m${i}@example.test`, first_name: `M${i}` }, context: { consent: { categoryPreferences: granted } }, timestamp: '2026-11-20T10:00:00Z' },
  { type: 'track', userId: `m${i}`, messageId: `mo-${i}`, event: 'Order Completed', properties: { revenue: 10, currency: 'GBP' }, timestamp: '2026-11-21T10:00:00Z' },
];

const simDeps = () => {
  const records = platform.services.sendRecords(table);
  const profiles = platform.services.profileStore(profilesTable);
  return {
    src: { listRecords: (c: string, o: { cursor?: string; limit?: number }) => records.listRecords(c, o), getProfiles: (ids: string[]) => profiles.getProfiles(ids) },
    feedback: (e: unknown) => platform.functions.get('record-feedback')!.invoke(e),
    track: async (events: Parameters<typeof sendEvents>[0]) => void (await sendEvents(events, { apiUrl: platform.apiUrl, writeKey })),
    now: new Date(),
    hourMs: 100,
    skipDeliveries: true,
  };
};
const ALL_WAITS_ZERO = { 'Wait for start': 0, Paused: 0, Throttled: 0, 'Wait for deferred': 0, 'Test duration': 0 };

beforeAll(async () => {
  platform = await testPlatform({ waitOverrides: 0 });
  ({ writeKey } = await platform.createSource('measure'));
  table = platform.resource('start-campaign', 'CAMPAIGNS_TABLE_NAME');
  profilesTable = platform.resource('tag-profiles', 'PROFILES_TABLE_NAME');
  await send(Array.from({ length: N }, (_, i) => person(i)).flat());
  await platform.waitForIdle(10 * 60_000);
}, 15 * 60_000);
afterAll(async () => platform?.cleanup());

describe('a campaign measured end to end', () => {
  const campaign = { ...noCap, id: 'measure-lift', holdoutPercent: 25 };
  const plan: ResponsePlan = { seed: 3, arms: { holdout: { conversion: 0.05 }, a: { conversion: 0.1, click: 0.3 }, b: { conversion: 0.3, click: 0.3 } } };

  it('records a delivery per accepted mail, credits the simulated orders, and recovers the planted lift within its interval', async () => {
    // Prepare
    const sm = platform.stepFunctions.find('Campaign');
    const e = await platform.stepFunctions.start(sm.arn, JSON.stringify(campaign), campaign.id).done;
    expect(e.status, e.cause).toBe('SUCCEEDED');
    await platform.sesDeliveries.drain();
    // Act
    const sim = await simulateCampaign(campaign.id, plan, simDeps());
    await platform.waitForIdle(5 * 60_000);
    const report = await campaignReportCommand(campaign.id, { services: platform.services, table, profilesTable, out: `${platform.dataDir}/report.json` });
    // Assess: deliveries (the recorder) for every sent mail, no error
    expect(platform.sesDeliveries.stats.errors).toEqual([]);
    const arms = Object.fromEntries(report.arms.map((a) => [a.arm, a]));
    // (a simulated bounce follows the recorder's delivery, and then counts as bounced, not delivered)
    expect(arms.a.delivered! + arms.a.bounced! + arms.b.delivered! + arms.b.bounced!).toBe(arms.a.sent! + arms.b.sent!);
    // Every simulated order is credited, once
    const converted = report.arms.reduce((s, a) => s + (a.conversions ?? 0), 0);
    expect(sim.pending).toBe(0);
    expect(converted).toBe(sim.conversions);
    // Planted: treated (equal weights) 0.5·0.1 + 0.5·0.3 = 0.2 against 0.05 → +0.15
    const lift = report.overall!.liftVsHoldout!.absolute;
    expect(lift.lower).toBeLessThan(0.15);
    expect(lift.upper).toBeGreaterThan(0.15);
    expect(lift.lower).toBeGreaterThan(0); // and the campaign did something
    expect(arms.b.liftVsHoldout!.absolute.lower).toBeGreaterThan(0);
    expect(report.timeline.length).toBe(3);
  }, 15 * 60_000);

  it('credits a goal event once however often it arrives', async () => {
    // Act: the same responses again (same messageIds)
    const again = await simulateCampaign(campaign.id, plan, simDeps());
    await platform.waitForIdle(5 * 60_000);
    const report = await campaignReportCommand(campaign.id, { services: platform.services, table, profilesTable, out: `${platform.dataDir}/report.json` });
    // Assess
    expect(report.arms.reduce((s, a) => s + (a.conversions ?? 0), 0)).toBe(again.conversions);
  }, 15 * 60_000);

  it('the feedback CLI path records a bounce and suppresses the address', async () => {
    // Prepare: a person who was sent
    const { records } = await platform.services.sendRecords(table).listRecords(campaign.id, { limit: 500 });
    const sent = records.find((r) => r.status === 'SENT' && !r.bouncedAt)!;
    // Act
    await campaignFeedbackCommand(campaign.id, { services: platform.services, table, profilesTable, endpoint: platform.apiUrl, person: sent.personId, type: 'bounce' });
    // Assess
    const after = await platform.services.sendRecords(table).get({ campaignId: campaign.id, personId: sent.personId });
    expect(after?.bouncedAt).toBeDefined();
    const address = `${sent.personId.replace(/^u-/, '')}@example.test`;
    const suppressed = await platform.services.suppressions(table).findMany('email', [address]);
    expect(suppressed.get(address)?.reason).toBe('bounce');
  }, 5 * 60_000);
});

describe('test on a share, then send the winner to the rest', () => {
  const campaign = { ...noCap, id: 'winner-rest', holdoutPercent: 10, test: { percent: 80, minRuntimeHours: 0, alpha: 0.05 } };
  // A large planted effect: ~140 people per variant in the test, and τ = 0.01 (the default) is conservative for big effects at small n.
  const plan: ResponsePlan = { seed: 5, arms: { holdout: { conversion: 0.05 }, a: { conversion: 0.05 }, b: { conversion: 0.7 } } };

  it('sends the test phase, waits, decides b on the simulated orders and sends b to the remainder exactly once', async () => {
    // Prepare: the first execution sends the test phase and waits (its Test duration really waits): stop it there.
    const sm = platform.stepFunctions.find('Campaign');
    const store = platform.services.campaignStore(table);
    const first = platform.stepFunctions.start(sm.arn, JSON.stringify(campaign), `${campaign.id}-1`, { ...ALL_WAITS_ZERO, 'Test duration': 3_600_000 });
    while ((await store.getSummary(campaign.id))?.state !== 'waiting') {
      expect(first.status).toBe('RUNNING');
      await new Promise((r) => setTimeout(r, 200));
    }
    platform.stepFunctions.stop(first.executionArn);
    await first.done;
    const testRecords = await platform.services.sendRecords(table).allRecords(campaign.id);
    expect(testRecords.length).toBeGreaterThan(0);
    expect(testRecords.every((r) => phaseOf(campaign.id, r.personId, 80) === 'test')).toBe(true);
    await platform.sesDeliveries.drain();
    const deps = simDeps();
    await simulateCampaign(campaign.id, plan, deps);
    // Decide reads what attribution has credited by then (in AWS the test runs hours, attribution
    // lags seconds): wait until every simulated order inside the goal window is on a send record,
    // not only for the pollers to look idle — on a loaded machine that was not enough (decided 'none').
    const due = drawResponses(await campaignRecipients(campaign.id, deps.src), plan).filter((r) => r.kind === 'conversion' && r.afterHours <= campaign.goal.windowHours).length;
    expect(due).toBeGreaterThan(0);
    const deadline = Date.now() + 5 * 60_000;
    let credited = 0;
    while ((credited = (await platform.services.sendRecords(table).allRecords(campaign.id)).reduce((n, r) => n + (r.conversions ?? 0), 0)) < due) {
      if (Date.now() > deadline) throw new Error(`attribution credited ${credited} of ${due} simulated orders in 5 min`);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(credited).toBe(due);
    // Act: restarted, it decides and sends the remainder; a third start sends nothing new.
    const second = await platform.stepFunctions.start(sm.arn, JSON.stringify(campaign), `${campaign.id}-2`, ALL_WAITS_ZERO).done;
    const mailsAfterSecond = (await platform.ses.mails()).length;
    const third = await platform.stepFunctions.start(sm.arn, JSON.stringify(campaign), `${campaign.id}-3`, ALL_WAITS_ZERO).done;
    // Assess
    expect(second.status, second.cause).toBe('SUCCEEDED');
    expect(third.status, third.cause).toBe('SUCCEEDED');
    const winner = await platform.services.campaignReports(table).getWinner(campaign.id);
    expect(winner, JSON.stringify(winner)).toMatchObject({ outcome: 'winner', winner: 'b', chosen: 'b' });
    const all = await platform.services.sendRecords(table).allRecords(campaign.id);
    const remainder = all.filter((r) => phaseOf(campaign.id, r.personId, 80) === 'remainder');
    expect(remainder.length).toBeGreaterThan(0);
    // Assigned remainder people (those suppressed by campaign 1's simulated bounces have no arm) all got b.
    const assigned = remainder.filter((r) => r.arm !== undefined && r.arm !== 'holdout');
    expect(assigned.length).toBeGreaterThan(0);
    expect(assigned.filter((r) => r.arm !== 'b' || r.status !== 'SENT')).toEqual([]);
    // Exactly once: one record per person (its key), each SENT record one mail in the emulator, and the third start added none.
    const sent = all.filter((r) => r.status === 'SENT');
    const ids = new Set(sent.map((r) => r.messageId));
    expect(ids.size).toBe(sent.length);
    const mails = (await platform.ses.mails()).filter((m) => ids.has(m.messageId));
    expect(mails.length).toBe(sent.length);
    expect(new Set(mails.flatMap((m) => m.destination.to)).size).toBe(sent.length);
    expect((await platform.ses.mails()).length).toBe(mailsAfterSecond);
  }, 20 * 60_000);
});
