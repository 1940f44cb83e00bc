/**
 * Scores on the local platform for real: a model published to the registry (s3rver), orders
 * sent to the event API, Tag announcing the touched profiles on the profile-changes stream
 * (kinesalite), score-profiles writing scores onto them (dynalite) — the same handlers as in
 * Lambda. Then the daily Rescore state machine, as CDK synthesizes it, run by
 * aws-local-stepfunctions with its Lambda task served by the rescore handler on dynalite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine } from 'aws-local-stepfunctions';
import { buildApp } from '../../bin/app.ts';
import { stateMachinesOf } from '../../local/asl.ts';
import { allProfiles, allScores, basicAuth, testPlatform } from '../helpers/platform.ts';
import { churnModel, churnRows } from '../helpers/scoring-fixtures.ts';
import { S3ModelRegistry } from '../../functions/adapters/s3-model-registry.ts';
import { DynamoProfileStore } from '../../functions/adapters/dynamo-profile-store.ts';
import { publishScoreModel } from '../../functions/domain/score/publish-score-model.ts';
import { withDriftReference } from '../../functions/domain/score/drift.ts';
import { makeRescoreProfiles } from '../../functions/handlers/rescore-profiles.ts';
import type { RescoreOutput } from '../../functions/domain/score/rescore-segment.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../functions/domain/tag/tags.ts';

type P = Awaited<ReturnType<typeof testPlatform>>;
let platform: P;
let writeKey: string;

beforeAll(async () => {
  // Re-read the registry pointer on every batch: the test publishes a model after start.
  platform = await testPlatform({ functionEnvOverrides: { 'score-profiles': { MODEL_CACHE_SECONDS: '0' } } });
  ({ writeKey } = await platform.createSource('it'));
});
afterAll(async () => platform?.cleanup());

const order = (userId: string, day: string, revenue: number) => ({
  type: 'track',
  userId,
  event: 'Order Completed',
  messageId: `o-${userId}-${day}`,
  timestamp: `${day}T10:00:00.000Z`,
  properties: { order_id: `${userId}-${day}`, revenue, currency: 'GBP', products: [{ product_id: 'MUG', price: revenue, quantity: 1 }] },
  // Scoring needs profiling consent (unknown is not granted).
  context: { consent: { categoryPreferences: { profiling: true } } },
});
const send = async (batch: unknown[]) => {
  const res = await fetch(`${platform.apiUrl}/v1/batch`, { method: 'POST', headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
  expect(res.status).toBe(200);
  await platform.waitForIdle();
};

describe('scores on the local platform', () => {
  it('scores profiles when Tag changes them, and re-scores when new events arrive', async () => {
    // Prepare: a churn model is current before any event
    const modelsBucket = platform.resource('score-profiles', 'MODELS_BUCKET');
    await publishScoreModel(new S3ModelRegistry(platform.clients.s3, modelsBucket), withDriftReference(churnModel, churnRows), { at: new Date('2026-11-30T00:00:00Z') });
    // Act
    await send([order('ann', '2011-03-01', 40), order('ann', '2011-06-01', 30), order('bob', '2011-06-20', 25), { type: 'identify', userId: 'cy', traits: { plan: 'pro' }, messageId: 'id-cy', timestamp: '2011-06-20T00:00:00Z' }]);
    // Assess
    const before = new Map((await allProfiles(platform)).map((p) => [p.profileId, p]));
    const scoresBefore = await allScores(platform);
    const ann = scoresBefore.get('u-ann')!.scores.churn;
    expect(ann).toMatchObject({ model: 'churn', output: 'probability', at: before.get('u-ann')!.tagsAsOf });
    expect(scoresBefore.get('u-ann')!.profileVersion).toBe(before.get('u-ann')!.version);
    expect(before.get('u-ann')!.scores).toBeUndefined(); // beside the profile, not on it
    expect(ann.version).toMatch(/^20261130T000000Z-[0-9a-f]{8}$/);
    expect(ann.explanation[0]).toMatch(/: [+-]\d\.\d\d$/);
    expect(scoresBefore.get('u-bob')!.scores.churn).toBeDefined();
    expect(scoresBefore.has('u-cy')).toBe(false); // no purchases: churn does not apply

    // Act: ann orders again months later
    await send([order('ann', '2011-11-25', 60)]);
    // Assess: the change reached her score; bob's stayed as it was
    const after = await allScores(platform);
    expect(after.get('u-ann')!.scores.churn.value).not.toBe(ann.value);
    expect(after.get('u-ann')!.scores.churn.contributions.find((c) => c.feature === 'frequency')?.value).toBe(3);
    expect(after.get('u-bob')).toEqual(scoresBefore.get('u-bob'));
  });

  it('runs the synthesized Rescore state machine over every scan segment until each is done', async () => {
    // Prepare: the definition CDK synthesizes; its one task served by the handler on dynalite
    const { stacks } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
    const [definition] = [...stateMachinesOf(Template.fromStack(stacks.score).toJSON()).values()];
    const table = platform.resource('score-profiles', 'PROFILES_TABLE_NAME');
    const profiles = new DynamoProfileStore(platform.clients.doc, table);
    const rescore = makeRescoreProfiles({
      store: profiles,
      scores: profiles,
      models: { get: async () => [churnModel] },
      asOf: () => new Date('2012-06-01T00:00:00Z'), // half a year later: recency has grown
      now: () => new Date(),
      reserveMs: 0,
      ruleSet: RULE_SET_V1,
      ruleSetId: RULE_SET_ID,
    });
    const calls: unknown[] = [];
    // One page per call: the state machine's loop, not the handler's, walks each segment.
    const step = async (input: any) => {
      calls.push(input);
      return rescore(input, { getRemainingTimeInMillis: () => 0 });
    };
    const buyers = (await allProfiles(platform)).filter((p) => p.aggregates.orders > 0 && !p.mergedInto);
    // Act
    const out = (await new StateMachine(definition, { validationOptions: { checkArn: false } }).run({ segments: [0, 1, 2], totalSegments: 3 }, { overrides: { taskResourceLocalHandlers: { 'Rescore segment': step as never } } }).result) as unknown as RescoreOutput[];
    // Assess
    expect(out.map((o) => o.done)).toEqual([true, true, true]);
    expect(out.reduce((s, o) => s + o.totals.scored, 0)).toBe(buyers.length);
    const rescored = [...(await allScores(platform)).values()].filter((s) => s.scores.churn);
    expect(rescored.length).toBe(buyers.length);
    expect(rescored.map((s) => s.scores.churn.at)).toEqual(rescored.map(() => '2012-06-01T00:00:00.000Z'));
    expect(calls.length).toBeGreaterThanOrEqual(3);
  });
});
