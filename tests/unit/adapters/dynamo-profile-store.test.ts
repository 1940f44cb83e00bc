import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { compactScores, DynamoProfileStore, expandScores } from '../../../functions/adapters/dynamo-profile-store.ts';
import { newProfile } from '../../../functions/domain/profiles/profile.ts';

const ccf = (item?: Record<string, unknown>) => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: item as never });

describe('DynamoProfileStore', () => {
  it('writes a new profile only if it does not exist, and a known one only at the version read', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(PutCommand).resolves({});
    const store = new DynamoProfileStore(ddb as unknown as DynamoDBDocumentClient, 'profiles');
    const p = newProfile('p1', '2026-01-01T00:00:00Z');
    await store.saveProfile({ ...p, version: 1 }, 0);
    await store.saveProfile({ ...p, version: 4 }, 3);
    const [first, second] = ddb.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(first).toMatchObject({ TableName: 'profiles', ConditionExpression: 'attribute_not_exists(pk)', Item: { pk: 'P#p1', sk: 'PROFILE', version: 1 } });
    expect(second).toMatchObject({ ConditionExpression: '#v = :expected', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':expected': 3 } });
  });

  it('reports a lost race as false and rethrows other errors', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    const store = new DynamoProfileStore(ddb as unknown as DynamoDBDocumentClient, 'profiles');
    ddb.on(PutCommand).rejectsOnce(ccf()).rejectsOnce(new Error('ProvisionedThroughputExceededException'));
    const p = { ...newProfile('p1', '2026-01-01T00:00:00Z'), version: 2 };
    expect(await store.saveProfile(p, 1)).toBe(false);
    await expect(store.saveProfile(p, 1)).rejects.toThrow(/Throughput/);
  });

  it('claims an identity conditionally and names the owner when it is taken', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(PutCommand).rejects(ccf({ profileId: { S: 'p-owner' } }));
    const store = new DynamoProfileStore(ddb as unknown as DynamoDBDocumentClient, 'profiles');
    expect(await store.claimIdentity({ kind: 'user', value: 'u1' }, 'p-new')).toEqual({ ok: false, profileId: 'p-owner' });
    expect(ddb.commandCalls(PutCommand)[0].args[0].input).toMatchObject({ Item: { pk: 'ID#user#u1', sk: 'ID', profileId: 'p-new' }, ConditionExpression: 'attribute_not_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
  });

  it('retries BatchGet UnprocessedKeys until every identity is read', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { profiles: [{ pk: 'ID#user#u1', profileId: 'p1' }] }, UnprocessedKeys: { profiles: { Keys: [{ pk: 'ID#anon#a1', sk: 'ID' }] } } })
      .resolvesOnce({ Responses: { profiles: [{ pk: 'ID#anon#a1', profileId: 'p2' }] } });
    const store = new DynamoProfileStore(ddb as unknown as DynamoDBDocumentClient, 'profiles');
    const found = await store.findIdentities([{ kind: 'user', value: 'u1' }, { kind: 'anon', value: 'a1' }]);
    expect([...found]).toEqual([['user#u1', 'p1'], ['anon#a1', 'p2']]);
    expect(ddb.commandCalls(BatchGetCommand)[1].args[0].input.RequestItems!.profiles.Keys).toEqual([{ pk: 'ID#anon#a1', sk: 'ID' }]);
  });

  it('re-points an identity only from the profile it still points to', async () => {
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(UpdateCommand).rejects(ccf());
    const store = new DynamoProfileStore(ddb as unknown as DynamoDBDocumentClient, 'profiles');
    await store.repointIdentity({ kind: 'anon', value: 'a1' }, 'p-old', 'p-new');
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input).toMatchObject({ ConditionExpression: 'attribute_not_exists(pk) OR profileId = :from', ExpressionAttributeValues: { ':from': 'p-old', ':to': 'p-new' } });
  });

  it('writes scores beside the profile, never over scores of a newer profile version', async () => {
    // Prepare
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(PutCommand).resolvesOnce({}).rejectsOnce(ccf());
    const store = new DynamoProfileStore(ddb as unknown as DynamoDBDocumentClient, 'profiles');
    const item = { schemaVersion: 1 as const, profileId: 'p1', profileVersion: 7, scores: {}, updatedAt: '2026-01-01T00:00:00Z' };
    // Act
    const results = [await store.saveScores(item), await store.saveScores(item)];
    // Assess
    expect(results).toEqual([true, false]);
    expect(ddb.commandCalls(PutCommand)[0].args[0].input).toMatchObject({
      Item: { pk: 'P#p1', sk: 'SCORES', profileVersion: 7, scores: {} },
      ConditionExpression: 'attribute_not_exists(pk) OR profileVersion <= :v',
      ExpressionAttributeValues: { ':v': 7 },
    });
  });

  it('reads profiles and their scores in one eventually consistent batch, re-requesting unprocessed keys', async () => {
    // Prepare
    const ddb = mockClient(DynamoDBDocumentClient);
    const profile = { pk: 'P#p1', sk: 'PROFILE', ...newProfile('p1', '2026-01-01T00:00:00Z') };
    const scores = { pk: 'P#p1', sk: 'SCORES', schemaVersion: 1, profileId: 'p1', profileVersion: 1, scores: { clv: { value: 10, output: 'amount', base: 5, version: 'v', at: 'x', explanation: [], features: ['tenure_days'], values: [30], contributions: [5] } }, updatedAt: 'x' };
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { profiles: [profile] }, UnprocessedKeys: { profiles: { Keys: [{ pk: 'P#p1', sk: 'SCORES' }] } } })
      .resolvesOnce({ Responses: { profiles: [scores] } });
    const store = new DynamoProfileStore(ddb as unknown as DynamoDBDocumentClient, 'profiles');
    // Act
    const out = await store.getProfilesWithScores(['p1']);
    // Assess
    const first = ddb.commandCalls(BatchGetCommand)[0].args[0].input.RequestItems!.profiles;
    expect(first).toMatchObject({ ConsistentRead: false, Keys: [{ pk: 'P#p1', sk: 'PROFILE' }, { pk: 'P#p1', sk: 'SCORES' }] });
    expect(out.profiles.get('p1')?.profileId).toBe('p1');
    expect(out.scores.get('p1')).toMatchObject({ profileVersion: 1, scores: { clv: { model: 'clv', contributions: [{ feature: 'tenure_days', value: 30, contribution: 5 }] } } });
  });

  it('stores scores compactly (parallel arrays, no per-contribution attribute names) and reads them back as they were', async () => {
    // Prepare
    const churn = {
      value: 0.42, output: 'probability' as const, base: -0.3, model: 'churn', version: 'v1', at: '2011-12-01T00:00:00.000Z',
      contributions: [{ feature: 'recency_days', value: 72, contribution: 0.61 }, { feature: 'channel', value: 'web', contribution: -0.2 }],
      explanation: ['days since last purchase 72 days: +0.61'],
    };
    const item = { schemaVersion: 1 as const, profileId: 'p1', profileVersion: 2, scores: { churn }, updatedAt: 'x' };
    // Act
    const stored = compactScores(item);
    // Assess
    expect(stored.scores.churn).toEqual({ value: 0.42, output: 'probability', base: -0.3, version: 'v1', at: churn.at, explanation: churn.explanation, features: ['recency_days', 'channel'], values: [72, 'web'], contributions: [0.61, -0.2] });
    expect(JSON.stringify(stored).length).toBeLessThan(JSON.stringify(item).length);
    expect(expandScores(stored)).toEqual(item);
  });
});
