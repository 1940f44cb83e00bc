import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SuppressionPrivacyStore } from '../../../functions/adapters/privacy-campaigns.ts';
import { DynamoSuppressionList } from '../../../functions/adapters/dynamo-suppression-list.ts';
import type { Subject } from '../../../functions/domain/privacy/ports.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const subject = (over: Partial<Subject> = {}): Subject => ({
  requestedId: 'u-erin',
  profileIds: ['p-erin'],
  userIds: ['u-erin'],
  anonymousIds: ['a-erin'],
  emailHashes: ['salted-hash-of-erin'],
  // Two spellings of one mailbox: one tombstone key.
  emails: ['Erin@Example.com', ' erin@example.com'],
  phones: ['+44 7700 900123'],
  ...over,
});
const ctx = { nonce: 'n-1', now: '2026-03-02T09:00:00.000Z' };
const erinEmailPk = `SUP#email#${sha('erin@example.com')}`;
const erinSmsPk = `SUP#sms#${sha('+447700900123')}`;
const raw = ['erin@example.com', '447700900123', 'u-erin', 'p-erin', 'a-erin', 'salted-hash-of-erin'];

const setup = () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const store = new SuppressionPrivacyStore(ddb as unknown as DynamoDBDocumentClient, 'campaigns');
  return { ddb, store };
};
const putItems = (ddb: ReturnType<typeof setup>['ddb']) => ddb.commandCalls(PutCommand).map((c) => c.args[0].input);

describe('SuppressionPrivacyStore.erase (the tombstone)', () => {
  it('puts one tombstone per address, only if absent, holding the hash and nothing of the person', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(PutCommand).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { campaigns: [{ pk: erinEmailPk, sk: 'SUP' }, { pk: erinSmsPk, sk: 'SUP' }] } });
    // Act
    const out = await store.erase(subject(), { count: 0, items: [] }, ctx);
    // Assess
    const puts = putItems(ddb);
    expect(puts.map((p) => p.ConditionExpression)).toEqual(['attribute_not_exists(pk)', 'attribute_not_exists(pk)', 'attribute_not_exists(pk)']);
    expect(puts[0].Item).toEqual({
      pk: erinEmailPk,
      sk: 'SUP',
      schemaVersion: 1,
      kind: 'suppression',
      channel: 'email',
      addressHash: sha('erin@example.com'),
      reason: 'manual',
      at: ctx.now,
      source: 'erasure',
    });
    // The second spelling aims at the same key (the condition makes it a no-op in DynamoDB).
    expect(puts[1].Item).toEqual(puts[0].Item);
    expect(puts[2].Item).toMatchObject({ pk: erinSmsPk, channel: 'sms', addressHash: sha('+447700900123'), reason: 'manual', source: 'erasure' });
    const written = JSON.stringify(ddb.calls().map((c) => c.args[0].input)).toLowerCase();
    for (const r of raw) expect(written, r).not.toContain(r.toLowerCase());
    expect(out).toEqual({ remaining: 0, kept: 2 });
  });

  it('a second erase is a no-op: the standing entries stay as they are, nothing is thrown', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    ddb.on(BatchGetCommand).resolves({ Responses: { campaigns: [{ pk: erinEmailPk, sk: 'SUP' }, { pk: erinSmsPk, sk: 'SUP' }] } });
    // Act
    const out = await store.erase(subject(), { count: 2, items: [] }, ctx);
    // Assess
    expect(out).toEqual({ remaining: 0, kept: 2 });
    expect(putItems(ddb).every((p) => p.ConditionExpression === 'attribute_not_exists(pk)')).toBe(true);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(ddb.commandCalls(DeleteCommand)).toHaveLength(0);
  });

  it('throws what is not a condition failure, so the step is retried rather than the address left unsuppressed', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(PutCommand).rejects(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException', $metadata: {} }));
    // Act + Assess
    await expect(store.erase(subject(), { count: 0, items: [] }, ctx)).rejects.toThrow(/Throughput/);
  });

  it('writes and reads nothing for a person with no address', async () => {
    // Prepare
    const { ddb, store } = setup();
    // Act
    const out = await store.erase(subject({ emails: [], phones: [] }), { count: 0, items: [] }, ctx);
    // Assess
    expect(out).toEqual({ remaining: 0, kept: 0 });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('the tombstone it writes is what the send path’s findMany recognises the address by, in any spelling', async () => {
    // Prepare: erase, then answer the lookup with the very item it put
    const { ddb, store } = setup();
    ddb.on(PutCommand).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { campaigns: [] } });
    await store.erase(subject({ phones: [] }), { count: 0, items: [] }, ctx);
    const tombstone = putItems(ddb)[0].Item!;
    ddb.reset();
    ddb.on(BatchGetCommand).resolves({ Responses: { campaigns: [tombstone] } });
    const list = new DynamoSuppressionList(ddb as unknown as DynamoDBDocumentClient, 'campaigns', { baseDelayMs: 0 });
    // Act
    const found = await list.findMany('email', ['ERIN@example.COM', 'someone@else.io']);
    // Assess
    expect(ddb.commandCalls(BatchGetCommand)[0].args[0].input.RequestItems!.campaigns.Keys).toEqual([
      { pk: erinEmailPk, sk: 'SUP' },
      { pk: `SUP#email#${sha('someone@else.io')}`, sk: 'SUP' },
    ]);
    expect([...found.entries()]).toEqual([['ERIN@example.COM', { channel: 'email', address: 'ERIN@example.COM', reason: 'manual', at: ctx.now }]]);
  });
});

describe('SuppressionPrivacyStore.find', () => {
  it('reads each address’s key once, consistently, and says what it holds', async () => {
    // Prepare
    const { ddb, store } = setup();
    const entry = { pk: erinEmailPk, sk: 'SUP', kind: 'suppression', reason: 'unsubscribe' };
    ddb.on(BatchGetCommand).resolves({ Responses: { campaigns: [entry] } });
    // Act
    const found = await store.find(subject());
    // Assess
    expect(ddb.commandCalls(BatchGetCommand)[0].args[0].input.RequestItems).toEqual({
      campaigns: {
        Keys: [
          { pk: erinEmailPk, sk: 'SUP' },
          { pk: erinSmsPk, sk: 'SUP' },
        ],
        ConsistentRead: true,
      },
    });
    expect(found).toEqual({ count: 1, items: [entry] });
  });

  it('throws rather than report fewer entries when keys come back unprocessed', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(BatchGetCommand).resolves({ Responses: { campaigns: [] }, UnprocessedKeys: { campaigns: { Keys: [{ pk: erinSmsPk, sk: 'SUP' }] } } });
    // Act + Assess
    await expect(store.find(subject())).rejects.toThrow(/unprocessed/);
  });
});
