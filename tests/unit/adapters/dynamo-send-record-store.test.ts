import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoSendRecordStore, SendRecordStateError } from '../../../functions/adapters/dynamo-send-record-store.ts';

const ccf = (item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item: item ? (marshall(item, { removeUndefinedValues: true }) as never) : undefined });

const stored = (over: Record<string, unknown> = {}) => ({
  pk: 'C#c1',
  sk: 'P#p1',
  schemaVersion: 1,
  kind: 'send',
  campaignId: 'c1',
  personId: 'p1',
  status: 'CLAIMED',
  claimedAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:00.000Z',
  ...over,
});

const setup = () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const units: number[] = [];
  const store = new DynamoSendRecordStore(ddb as unknown as DynamoDBDocumentClient, 'campaigns', { add: (_k, u) => units.push(u) });
  return { ddb, store, units };
};
const key = { campaignId: 'c1', personId: 'p1' };
const at = '2026-03-01T10:00:00.000Z';

describe('DynamoSendRecordStore', () => {
  it('claims a record only if none exists, and counts the write units', async () => {
    // Prepare
    const { ddb, store, units } = setup();
    ddb.on(PutCommand).resolves({ ConsumedCapacity: { TableName: 'campaigns', CapacityUnits: 1 } });
    // Act
    const result = await store.claim(key, at, 'A');
    // Assess
    expect(result).toEqual({ claimed: true, record: { campaignId: 'c1', personId: 'p1', status: 'CLAIMED', arm: 'A', claimedAt: at, updatedAt: at } });
    expect(ddb.commandCalls(PutCommand)[0].args[0].input).toEqual({
      TableName: 'campaigns',
      Item: { pk: 'C#c1', sk: 'P#p1', schemaVersion: 1, kind: 'send', campaignId: 'c1', personId: 'p1', status: 'CLAIMED', arm: 'A', claimedAt: at, updatedAt: at },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(units).toEqual([1]);
  });

  it('reports the existing record from the failed condition (ALL_OLD) without a second read', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(PutCommand).rejects(ccf(stored({ status: 'SENT', messageId: 'm-1', sentAt: at })));
    // Act
    const result = await store.claim(key, at);
    // Assess
    expect(result).toEqual({ claimed: false, existing: expect.objectContaining({ status: 'SENT', messageId: 'm-1', personId: 'p1' }) });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('reads the existing record consistently when the failure carries no item (dynalite)', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(PutCommand).rejects(ccf());
    ddb.on(GetCommand).resolves({ Item: stored({ status: 'SKIPPED', reason: 'holdout' }) });
    // Act
    const result = await store.claim(key, at);
    // Assess
    expect(result).toMatchObject({ claimed: false, existing: { status: 'SKIPPED', reason: 'holdout' } });
    expect(ddb.commandCalls(GetCommand)[0].args[0].input).toMatchObject({ Key: { pk: 'C#c1', sk: 'P#p1' }, ConsistentRead: true });
  });

  it('rethrows errors other than a failed condition', async () => {
    const { ddb, store } = setup();
    ddb.on(PutCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    await expect(store.claim(key, at)).rejects.toThrow(/Throughput/);
  });

  it('completes a CLAIMED record with its outcome, conditional on CLAIMED', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(UpdateCommand).resolves({});
    // Act
    await store.complete(key, { status: 'SENT', messageId: 'm-1', sentAt: at }, at);
    await store.complete(key, { status: 'SKIPPED', reason: 'frequency_cap' }, at);
    await store.complete(key, { status: 'FAILED', error: 'MessageRejected: bad' }, at);
    // Assess
    const [sent, skipped, failed] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(sent).toMatchObject({
      Key: { pk: 'C#c1', sk: 'P#p1' },
      UpdateExpression: 'SET #status = :to, updatedAt = :at, messageId = :mid, sentAt = :sentAt',
      ConditionExpression: '#status = :claimed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':claimed': 'CLAIMED', ':to': 'SENT', ':mid': 'm-1', ':sentAt': at, ':at': at },
    });
    expect(skipped).toMatchObject({ UpdateExpression: 'SET #status = :to, updatedAt = :at, reason = :reason', ExpressionAttributeValues: { ':to': 'SKIPPED', ':reason': 'frequency_cap' } });
    expect(failed).toMatchObject({
      UpdateExpression: 'SET #status = :to, updatedAt = :at, #error = :error',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: { ':error': 'MessageRejected: bad' },
    });
  });

  it('accepts a retried completion already applied, and refuses a different outcome', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(UpdateCommand).rejects(ccf(stored({ status: 'SENT', messageId: 'm-1', sentAt: at })));
    // Act / Assess
    await expect(store.complete(key, { status: 'SENT', messageId: 'm-1', sentAt: at }, at)).resolves.toBeUndefined();
    const refused = await store.complete(key, { status: 'FAILED', error: 'x' }, at).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SendRecordStateError);
    expect((refused as SendRecordStateError).existing?.status).toBe('SENT');
  });

  it('refuses to complete a record that does not exist', async () => {
    const { ddb, store } = setup();
    ddb.on(UpdateCommand).rejects(ccf());
    ddb.on(GetCommand).resolves({});
    await expect(store.complete(key, { status: 'SKIPPED', reason: 'holdout' }, at)).rejects.toThrow(/does not exist/);
  });

  it('records feedback once per event id, only on an existing record', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(ccf(stored({ eventIds: new Set(['ev-1']) }))).rejectsOnce(ccf());
    ddb.on(GetCommand).resolves({});
    // Act
    const results = [
      await store.recordEvent(key, { type: 'click', at, eventId: 'ev-1', link: 'https://shop.example/p/1' }),
      await store.recordEvent(key, { type: 'click', at, eventId: 'ev-1' }),
      await store.recordEvent({ campaignId: 'c1', personId: 'nobody' }, { type: 'delivery', at, eventId: 'ev-2' }),
    ];
    // Assess
    expect(results).toEqual(['recorded', 'duplicate', 'no_record']);
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input).toMatchObject({
      Key: { pk: 'C#c1', sk: 'P#p1' },
      UpdateExpression: 'SET firstClickAt = if_not_exists(firstClickAt, :at), lastClickAt = :at, lastClickLink = :link ADD clicks :one, eventIds :ids',
      ConditionExpression: 'attribute_exists(pk) AND NOT contains(eventIds, :id) AND (attribute_not_exists(eventIds) OR size(eventIds) < :maxIds)',
      ExpressionAttributeValues: { ':at': at, ':one': 1, ':id': 'ev-1', ':ids': new Set(['ev-1']), ':link': 'https://shop.example/p/1' },
    });
  });

  it('keeps the first unsubscribe instant of a send (the one-click link of its token)', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(UpdateCommand).resolves({});
    // Act
    await store.recordEvent(key, { type: 'unsubscribe', at, eventId: 'unsubscribe:email' });
    // Assess
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input.UpdateExpression).toBe('SET unsubscribedAt = if_not_exists(unsubscribedAt, :at) ADD eventIds :ids');
  });

  it('keeps the first delivery and bounce instants, with the bounce type', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(UpdateCommand).resolves({});
    // Act
    await store.recordEvent(key, { type: 'bounce', at, bounceType: 'Permanent', detail: 'General' });
    // Assess
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input).toMatchObject({
      UpdateExpression: 'SET bouncedAt = if_not_exists(bouncedAt, :at), bounceType = :bt, feedbackDetail = :detail',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':bt': 'Permanent', ':detail': 'General' },
    });
  });

  it('pages one campaign by Query and summarises every page', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored({ status: 'SENT', messageId: 'm', sentAt: at, deliveredAt: at, eventIds: new Set(['e']) })], LastEvaluatedKey: { pk: 'C#c1', sk: 'P#p1' } })
      .resolvesOnce({ Items: [stored({ personId: 'p2', sk: 'P#p2', status: 'SKIPPED', reason: 'no_consent' }), stored({ personId: 'p3', sk: 'P#p3', status: 'SKIPPED', reason: 'no_consent' })] });
    // Act
    const summary = await store.summarize('c1', 2);
    // Assess
    expect(summary).toMatchObject({ total: 3, status: { SENT: 1, SKIPPED: 2, CLAIMED: 0, FAILED: 0 }, skipped: { no_consent: 2 }, delivered: 1 });
    const [first, second] = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(first).toMatchObject({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': 'C#c1', ':p': 'P#' }, Limit: 2, ConsistentRead: false });
    expect(second.ExclusiveStartKey).toEqual({ pk: 'C#c1', sk: 'P#p1' });
  });

  it('fails loudly on an item that is not a send record', async () => {
    const { ddb, store } = setup();
    ddb.on(GetCommand).resolves({ Item: { pk: 'C#c1', sk: 'P#p1', status: 'WHATEVER' } });
    await expect(store.get(key)).rejects.toThrow();
  });
});
