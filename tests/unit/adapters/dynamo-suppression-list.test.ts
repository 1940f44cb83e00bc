import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoSuppressionList } from '../../../functions/adapters/dynamo-suppression-list.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const item = (address: string, reason = 'unsubscribe') => ({
  pk: `SUP#email#${sha(address)}`,
  sk: 'SUP',
  schemaVersion: 1,
  kind: 'suppression',
  channel: 'email',
  addressHash: sha(address),
  reason,
  at: '2026-03-01T00:00:00.000Z',
});

const setup = () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const list = new DynamoSuppressionList(ddb as unknown as DynamoDBDocumentClient, 'campaigns', { baseDelayMs: 0 });
  return { ddb, list };
};

describe('DynamoSuppressionList', () => {
  it('stores the hash of the normalised address and never the address', async () => {
    // Prepare
    const { ddb, list } = setup();
    ddb.on(PutCommand).resolves({});
    // Act
    await list.add({ channel: 'email', address: ' Ann@Example.COM ', reason: 'unsubscribe', at: '2026-03-01T00:00:00.000Z', source: 'unsubscribe-link' });
    // Assess
    const input = ddb.commandCalls(PutCommand)[0].args[0].input;
    expect(input).toMatchObject({
      TableName: 'campaigns',
      Item: { pk: `SUP#email#${sha('ann@example.com')}`, sk: 'SUP', addressHash: sha('ann@example.com'), reason: 'unsubscribe', source: 'unsubscribe-link' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(JSON.stringify(input).toLowerCase()).not.toContain('ann@example.com');
  });

  it('keeps the first reason: adding again is a no-op, not an error', async () => {
    const { ddb, list } = setup();
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    expect(await list.addIfAbsent({ channel: 'email', address: 'a@x.io', reason: 'bounce', at: 'now' })).toBe(false);
    await expect(list.add({ channel: 'email', address: 'a@x.io', reason: 'bounce', at: 'now' })).resolves.toBeUndefined();
  });

  it('looks addresses up in batches of 100, re-requesting unprocessed keys, keyed by the caller’s addresses', async () => {
    // Prepare
    const { ddb, list } = setup();
    const addresses = Array.from({ length: 150 }, (_, i) => `p${i}@x.io`);
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { campaigns: [item('p1@x.io')] }, UnprocessedKeys: { campaigns: { Keys: [{ pk: `SUP#email#${sha('p2@x.io')}`, sk: 'SUP' }] } } })
      .resolvesOnce({ Responses: { campaigns: [item('p2@x.io', 'bounce')] } })
      .resolvesOnce({ Responses: { campaigns: [item('p120@x.io', 'complaint')] } });
    // Act
    const found = await list.findMany('email', addresses);
    // Assess
    expect([...found.keys()].sort()).toEqual(['p120@x.io', 'p1@x.io', 'p2@x.io']);
    expect(found.get('p2@x.io')).toEqual({ channel: 'email', address: 'p2@x.io', reason: 'bounce', at: '2026-03-01T00:00:00.000Z' });
    const calls = ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems!.campaigns.Keys!);
    expect(calls.map((k) => k.length)).toEqual([100, 1, 50]);
    expect(calls[1]).toEqual([{ pk: `SUP#email#${sha('p2@x.io')}`, sk: 'SUP' }]);
  });

  it('throws rather than answer "not suppressed" when keys stay unprocessed', async () => {
    const { ddb, list } = setup();
    ddb.on(BatchGetCommand).resolves({ Responses: { campaigns: [] }, UnprocessedKeys: { campaigns: { Keys: [{ pk: `SUP#email#${sha('a@x.io')}`, sk: 'SUP' }] } } });
    await expect(list.findMany('email', ['a@x.io'])).rejects.toThrow(/unprocessed/);
  });

  it('keeps channels apart and asks nothing for no addresses', async () => {
    const { ddb, list } = setup();
    ddb.on(BatchGetCommand).resolves({ Responses: { campaigns: [] } });
    await list.findMany('sms', ['+447700900123']);
    expect(ddb.commandCalls(BatchGetCommand)[0].args[0].input.RequestItems!.campaigns.Keys).toEqual([{ pk: `SUP#sms#${sha('+447700900123')}`, sk: 'SUP' }]);
    expect((await list.findMany('email', [])).size).toBe(0);
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(1);
  });
});
