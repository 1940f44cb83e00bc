/**
 * Every reader honours the derived consent: the one-click unsubscribe records a withdrawal
 * (source unsubscribe), scoring skips people without profiling consent and removes their
 * scores item, recommendations fall back to non-personal answers unless personalisation
 * was granted. In-memory fakes of the ports; the DynamoDB delete with aws-sdk-client-mock.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoProfileStore } from '../../../../functions/adapters/dynamo-profile-store.ts';
import { unsubscribePerson } from '../../../../functions/domain/campaigns/unsubscribe-person.ts';
import { signUnsubscribeToken } from '../../../../functions/domain/campaigns/render.ts';
import { checkEligibility } from '../../../../functions/domain/campaigns/eligibility.ts';
import type { SuppressionEntry } from '../../../../functions/domain/campaigns/ports.ts';
import { keepScores, rescoreProfiles } from '../../../../functions/domain/score/keep-scores.ts';
import { answerRecommendations } from '../../../../functions/domain/recommend/answer-recommendations.ts';
import { createProvider } from '../../../../functions/domain/recommend/create-provider.ts';
import { trainRecommender } from '../../../../functions/domain/recommend/train-recommender.ts';
import { marketingStatus } from '../../../../functions/domain/privacy/consent.ts';
import { withConsent } from '../../../../functions/domain/privacy/consent.ts';
import { MemoryProfileStore, MemoryScoreStore } from '../../../helpers/memory-profile-store.ts';
import { buyer, churnModel } from '../../../helpers/scoring-fixtures.ts';
import type { Profile } from '../../../../schemas/profile.ts';

const SECRET = 'a-test-secret-of-32-characters!!';

describe('the one-click unsubscribe', () => {
  it('withdraws email marketing as a history entry with source unsubscribe, and the next campaign skips the person', async () => {
    // Prepare
    const store = new MemoryProfileStore();
    const granted = withConsent({ ...buyer('u-ann', { '2011-10': 1 }), traits: { email: 'ann@example.test' } }, [{ key: 'email.marketing', status: 'granted', at: '2026-11-01T00:00:00.000Z', source: 'segment' }]);
    store.profiles.set('u-ann', granted);
    const added: SuppressionEntry[] = [];
    const recorded: unknown[] = [];
    const records = { recordEvent: async (key: unknown, event: unknown) => (recorded.push({ key, event }), 'recorded' as const) };
    const deps = { secret: SECRET, profiles: store, suppressions: { findMany: async () => new Map(), add: async (e: SuppressionEntry) => void added.push(e) }, records, now: () => new Date('2026-12-01T09:00:00Z') };
    const token = signUnsubscribeToken(SECRET, { campaignId: 'c1', personId: 'u-ann', channel: 'email' });
    // Act
    await unsubscribePerson(token, deps);
    await unsubscribePerson(token, deps); // a second click changes nothing
    // Assess
    const p = store.profiles.get('u-ann')!;
    expect(p.consentHistory!.at(-1)).toEqual({ key: 'email.marketing', status: 'withdrawn', at: '2026-12-01T09:00:00.000Z', source: 'unsubscribe' });
    expect(p.consentHistory).toHaveLength(3); // buyer()'s legacy profiling grant, the grant, one withdrawal
    expect(p.consent['email.marketing']).toBe(false);
    expect(marketingStatus(p.consentHistory!, 'email')).toBe('withdrawn');
    // The send the link came from records it, keyed so the store counts the person once.
    expect(recorded[0]).toEqual({ key: { campaignId: 'c1', personId: 'u-ann' }, event: { type: 'unsubscribe', at: '2026-12-01T09:00:00.000Z', eventId: 'unsubscribe:email' } });
    const campaign = { channel: 'email' as const, schedule: { kind: 'now' as const } } as never;
    expect(checkEligibility({ profile: p, campaign, now: new Date('2026-12-02T10:00:00Z') })).toEqual({ kind: 'skip', reason: 'no_consent' });
  });
});

const withProfiling = (p: Profile, status: 'granted' | 'withdrawn' | 'denied', at: string): Profile => ({ ...withConsent({ ...p, consent: {}, consentHistory: undefined }, [{ key: 'profiling', status, at, source: 'api' }]), version: p.version + 1 });

describe('scoring', () => {
  function setup() {
    const store = new MemoryProfileStore();
    const scores = new MemoryScoreStore(store);
    const deps = { store, scores, models: [churnModel], asOf: (p: Profile) => new Date(p.tagsAsOf!), now: () => new Date('2011-12-01T00:05:00Z') };
    return { store, scores, deps };
  }

  it('scores a person who granted profiling; after a withdrawal deletes their scores and does not score them again', async () => {
    // Prepare
    const { store, scores, deps } = setup();
    const ada = buyer('u-ada', { '2011-03': 1, '2011-09': 2 });
    store.profiles.set('u-ada', withProfiling(ada, 'granted', '2011-01-01T00:00:00.000Z'));
    await keepScores(['u-ada'], deps);
    expect(scores.items.has('u-ada')).toBe(true);
    // Act
    store.profiles.set('u-ada', withProfiling(store.profiles.get('u-ada')!, 'withdrawn', '2011-11-30T00:00:00.000Z'));
    const first = await keepScores(['u-ada'], deps);
    const writes = scores.writes;
    const again = await rescoreProfiles([store.profiles.get('u-ada')!], deps);
    // Assess
    expect(first['no-consent']).toBe(1);
    expect(scores.items.has('u-ada')).toBe(false);
    expect(again).toMatchObject({ profiles: 1, scored: 0, skipped: 1 });
    expect(scores.writes).toBe(writes); // nothing left to delete: no write
  });

  it('does not score a person who never said anything about profiling (unknown is not granted), nor one who denied it', async () => {
    // Prepare
    const { store, scores, deps } = setup();
    store.profiles.set('u-bo', { ...buyer('u-bo', { '2011-11': 1 }), consent: {} });
    store.profiles.set('u-cy', withProfiling(buyer('u-cy', { '2011-11': 1 }), 'denied', '2011-11-01T00:00:00.000Z'));
    // Act
    const r = await keepScores(['u-bo', 'u-cy'], deps);
    // Assess
    expect(r).toMatchObject({ scored: 0, 'no-consent': 2 });
    expect(scores.writes).toBe(0);
  });

  it('never deletes scores computed from a newer profile version (a later grant)', async () => {
    // Prepare: a newer grant's scores were written from version 9; this scorer read version 2.
    const { store, scores, deps } = setup();
    store.profiles.set('u-di', withProfiling(buyer('u-di', { '2011-11': 1 }), 'withdrawn', '2011-11-01T00:00:00.000Z'));
    await scores.saveScores({ schemaVersion: 1, profileId: 'u-di', profileVersion: 9, scores: {}, updatedAt: 'x' });
    // Act
    await keepScores(['u-di'], deps);
    // Assess
    expect(scores.items.get('u-di')?.profileVersion).toBe(9);
  });

  it('deletes the scores item in DynamoDB only if it is not from a newer profile version', async () => {
    // Prepare
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(DeleteCommand).resolvesOnce({}).rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    const store = new DynamoProfileStore(ddb as unknown as DynamoDBDocumentClient, 'profiles');
    // Act
    const results = [await store.deleteScores('u-ada', 4), await store.deleteScores('u-ada', 4)];
    // Assess
    expect(results).toEqual([true, false]);
    expect(ddb.commandCalls(DeleteCommand)[0].args[0].input).toMatchObject({ TableName: 'profiles', Key: { pk: 'P#u-ada', sk: 'SCORES' }, ConditionExpression: 'profileVersion <= :v', ExpressionAttributeValues: { ':v': 4 } });
  });
});

describe('recommendations', () => {
  const purchases = [
    ...['u1', 'u2', 'u3'].flatMap((u) => ['mug', 'tea'].map((itemId, i) => ({ userId: u, itemId, timestamp: `2011-0${i + 1}-01T00:00:00Z`, country: 'United Kingdom' }))),
    { userId: 'u4', itemId: 'mug', timestamp: '2011-03-01T00:00:00Z', country: 'United Kingdom' },
    ...['f1', 'f2'].flatMap((u) => ['bag', 'tote'].map((itemId) => ({ userId: u, itemId, timestamp: '2011-02-01T00:00:00Z', country: 'France' }))),
  ];
  const model = createProvider(trainRecommender(purchases, { method: 'item-item', popularity: { countryPrior: 0 } }));
  const ask = (store: MemoryProfileStore) =>
    answerRecommendations(
      { kind: 'person', userId: 'u4', query: { n: 2, excludePurchased: true, exclude: [] } },
      { recommender: { get: async () => ({ model, version: 'v1' }) as never }, catalog: { get: async () => undefined }, store },
    );

  it('personalises only when personalisation was granted: unknown, denied and withdrawn get the popular list', async () => {
    // Prepare
    const at = '2011-04-01T00:00:00.000Z';
    const cases: [string, Profile['consentHistory']][] = [
      ['granted', [{ key: 'personalisation', status: 'granted', at, source: 'segment' }]],
      ['unknown', []],
      ['denied', [{ key: 'personalisation', status: 'denied', at, source: 'segment' }]],
      ['withdrawn', [{ key: 'personalisation', status: 'granted', at, source: 'segment' }, { key: 'personalisation', status: 'withdrawn', at: '2011-05-01T00:00:00.000Z', source: 'api' }]],
    ];
    const answers: Record<string, boolean> = {};
    for (const [name, consentHistory] of cases) {
      const store = new MemoryProfileStore();
      store.profiles.set('u-u4', { ...buyer('u-u4', { '2011-03': 1 }), consent: {}, consentHistory });
      // Act
      answers[name] = (await ask(store)).personalised;
    }
    const nobody = await ask(new MemoryProfileStore());
    // Assess
    expect(answers).toEqual({ granted: true, unknown: false, denied: false, withdrawn: false });
    expect(nobody.personalised).toBe(false);
  });
});
