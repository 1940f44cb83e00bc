/**
 * Consent on the local platform for real (emulators, the real handlers in their workers):
 * a withdrawal sent to POST /v1/consent travels raw stream → Clean → Tag like every event,
 * then the next campaign skips the person with reason no_consent, their scores item is
 * removed by the score consumer and a later order does not score them again, and their
 * recommendations fall back to the non-personal list. Another person is untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { allProfiles, allScores, basicAuth, testPlatform } from '../helpers/platform.ts';
import { churnModel, churnRows } from '../helpers/scoring-fixtures.ts';
import { S3ModelRegistry } from '../../functions/adapters/s3-model-registry.ts';
import { publishScoreModel } from '../../functions/domain/score/publish-score-model.ts';
import { withDriftReference } from '../../functions/domain/score/drift.ts';
import { profileCountries, trainRecommenderCommand } from '../../cli/commands/recommender.ts';
import { setConsent, showConsent } from '../../cli/commands/consent.ts';

let platform: Awaited<ReturnType<typeof testPlatform>>;
let writeKey: string;
const campaign = JSON.parse(readFileSync(new URL('../fixtures/campaigns/spring-sale.json', import.meta.url), 'utf8'));

beforeAll(async () => {
  platform = await testPlatform({ waitOverrides: 0, functionEnvOverrides: { 'score-profiles': { MODEL_CACHE_SECONDS: '0' }, 'get-recommendations': { MODEL_CACHE_SECONDS: '0' } } });
  ({ writeKey } = await platform.createSource('consent'));
}, 900_000); // synth plus 31 function workers: measured 7 min on the shared 2-core machine
afterAll(async () => platform?.cleanup());

const everything = { 'email.marketing': true, profiling: true, personalisation: true };
const person = (u: string, items: string[][]) => [
  { type: 'identify', userId: u, messageId: `id-${u}`, traits: { email: `${u}@example.test`, first_name: u, country: 'United Kingdom' }, context: { consent: { categoryPreferences: everything } }, timestamp: '2011-03-01T09:00:00Z' },
  ...items.map((order, i) => ({
    type: 'track',
    userId: u,
    event: 'Order Completed',
    messageId: `o-${u}-${i}`,
    timestamp: new Date(Date.UTC(2011, 3 + i * 2, 1)).toISOString(),
    properties: { order_id: `${u}-${i}`, revenue: 10 * order.length, currency: 'GBP', products: order.map((id) => ({ product_id: id, price: 10, quantity: 1 })) },
  })),
];

const post = (path: string, body: unknown, key = writeKey) =>
  fetch(`${platform.apiUrl}${path}`, { method: 'POST', headers: { authorization: basicAuth(key), 'content-type': 'application/json' }, body: JSON.stringify(body) });
const recommendationsOf = async (u: string) => (await (await fetch(`${platform.apiUrl}/v1/recommendations/${u}?n=3`)).json()) as { personalised: boolean; items: { reason: string }[] };
async function runCampaign(input: unknown, name: string) {
  const sm = platform.stepFunctions.find('Campaign');
  return platform.stepFunctions.start(sm.arn, JSON.stringify(input), name).done;
}

describe('consent withdrawn through the API', () => {
  it('is honoured by campaigns, scoring and recommendations; others are untouched', async () => {
    // Prepare: a churn model, two consenting buyers and two more for the recommender.
    await publishScoreModel(new S3ModelRegistry(platform.clients.s3, platform.resource('score-profiles', 'MODELS_BUCKET')), withDriftReference(churnModel, churnRows), { at: new Date('2026-11-30T00:00:00Z') });
    const batch = [...person('ann', [['MUG', 'TEA'], ['SPOON']]), ...person('bob', [['MUG', 'TEA'], ['SPOON']]), ...person('cat', [['MUG', 'TEA']]), ...person('dan', [['BAG', 'TOTE']])];
    expect((await post('/v1/batch', { batch })).status).toBe(200);
    await platform.waitForIdle(600_000);
    const modelsBucket = platform.resource('get-recommendations', 'MODELS_BUCKET');
    const interactionsBucket = platform.resource('archive-interactions', 'INTERACTIONS_BUCKET');
    const countries = await profileCountries(platform.services, platform.resource('tag-profiles', 'PROFILES_TABLE_NAME'));
    await trainRecommenderCommand({ services: platform.services, modelsBucket, interactionsBucket, method: 'item-item', countries, options: { popularity: { countryPrior: 0 } } });
    const scoredBefore = await allScores(platform);
    const annBefore = await recommendationsOf('ann');

    // Act: a wrong key, a wrong body, then the withdrawal.
    const wrongKey = await post('/v1/consent', { userId: 'ann', consent: { profiling: 'withdrawn' } }, 'not-a-write-key');
    const wrongBody = await post('/v1/consent', { userId: 'ann', consent: { 'email.spam': 'withdrawn' } });
    const withdrawn = await post('/v1/consent', { userId: 'ann', timestamp: '2026-11-30T12:00:00Z', consent: { 'email.marketing': 'withdrawn', profiling: 'withdrawn', personalisation: 'withdrawn' } });
    await platform.waitForIdle(600_000);
    const scoredAfter = await allScores(platform);
    // A later order: Tag announces ann again; the score consumer must not score her.
    expect((await post('/v1/track', { userId: 'ann', event: 'Order Completed', messageId: 'o-ann-late', timestamp: '2011-10-01T00:00:00Z', properties: { order_id: 'late', revenue: 5, currency: 'GBP', products: [{ product_id: 'MUG', price: 5, quantity: 1 }] } })).status).toBe(200);
    await platform.waitForIdle(600_000);
    const scoredLater = await allScores(platform);
    const annAfter = await recommendationsOf('ann');
    const e = await runCampaign({ ...campaign, id: 'consent-it', holdoutPercent: 0 }, 'consent-it');

    // Assess
    expect(wrongKey.status).toBe(403);
    expect(wrongBody.status).toBe(400);
    expect(((await wrongBody.json()) as { issues: { field: string }[] }).issues.map((i) => i.field)).toEqual(['consent.email.spam']);
    expect(withdrawn.status).toBe(202);
    expect(scoredBefore.has('u-ann') && scoredBefore.has('u-bob')).toBe(true);
    expect(scoredAfter.has('u-ann')).toBe(false);
    expect(scoredLater.has('u-ann')).toBe(false);
    expect(scoredLater.get('u-bob')).toEqual(scoredBefore.get('u-bob'));
    expect(annBefore.personalised).toBe(true);
    expect(annAfter.personalised).toBe(false);
    expect((await recommendationsOf('bob')).personalised).toBe(true);
    expect(e.status, e.cause).toBe('SUCCEEDED');
    const summary = JSON.parse(e.output!);
    expect(summary.totals.skipped.no_consent).toBe(1);
    const to = (await platform.ses.mails()).flatMap((m) => m.destination.to);
    expect(to).not.toContain('ann@example.test');
    expect(to).toContain('bob@example.test');
    const ann = (await allProfiles(platform)).find((p) => p.profileId === 'u-ann')!;
    expect(ann.consentHistory!.filter((h) => h.source === 'api').map((h) => [h.key, h.status]).sort()).toEqual([
      ['email.marketing', 'withdrawn'],
      ['personalisation', 'withdrawn'],
      ['profiling', 'withdrawn'],
    ]);
    expect(ann.aggregates.orders).toBe(3); // the later order still counts: only scoring stopped
  }, 1_500_000);

  it('records and shows consent from the CLI (source cli)', async () => {
    // Prepare
    const names = {
      profilesTable: platform.resource('tag-profiles', 'PROFILES_TABLE_NAME'),
      rawStream: platform.resource('collect-events', 'RAW_STREAM_NAME'),
      failedEventsBucket: platform.resource('collect-events', 'FAILED_EVENTS_BUCKET'),
    };
    // Act
    const set = await setConsent(platform.services, names, 'bob', 'sms.marketing', 'granted');
    await platform.waitForIdle(600_000);
    const shown = await showConsent(platform.services, names.profilesTable, 'bob');
    const refused = await setConsent(platform.services, names, 'bob', 'sms.marketing', 'perhaps').catch((err: Error) => err.message);
    // Assess
    expect(set).toMatchObject({ profileId: 'u-bob', key: 'sms.marketing', status: 'granted' });
    expect(shown.history.at(-1)).toMatchObject({ key: 'sms.marketing', status: 'granted', source: 'cli' });
    expect(shown.state).toMatchObject({ 'sms.marketing': 'granted', 'email.marketing': 'granted', profiling: 'granted' });
    expect(refused).toMatch(/consent\.sms\.marketing/);
  }, 900_000);
});
