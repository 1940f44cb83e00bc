import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoFrequencyCapStore } from '../../../functions/adapters/dynamo-frequency-cap-store.ts';
import { capCounterExpiry } from '../../../functions/adapters/campaigns-table.ts';
import type { CapWindow } from '../../../functions/domain/campaigns/ports.ts';

const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const now = new Date('2025-03-26T12:00:00Z');
const day: CapWindow = { window: 'day', key: '2025-03-26', cap: 1 };
const week: CapWindow = { window: 'week', key: '2025-W13', cap: 3 };

const setup = () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const store = new DynamoFrequencyCapStore(ddb as unknown as DynamoDBDocumentClient, 'campaigns', { now: () => now });
  return { ddb, store };
};

describe('DynamoFrequencyCapStore', () => {
  it('adds one to each window under its cap, with a TTL past the window', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(UpdateCommand).resolves({});
    // Act
    const ok = await store.reserve('p1', [day, week]);
    // Assess
    expect(ok).toBe(true);
    const [d, w] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(d).toEqual({
      TableName: 'campaigns',
      Key: { pk: 'CAP#p1', sk: 'day#2025-03-26' },
      UpdateExpression: 'ADD n :one SET expiresAt = if_not_exists(expiresAt, :exp), kind = :kind, schemaVersion = :v',
      ConditionExpression: 'attribute_not_exists(n) OR n < :cap',
      ExpressionAttributeValues: { ':one': 1, ':cap': 1, ':exp': Date.UTC(2025, 2, 29) / 1000, ':kind': 'cap', ':v': 1 },
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(w).toMatchObject({ Key: { pk: 'CAP#p1', sk: 'week#2025-W13' }, ExpressionAttributeValues: { ':cap': 3, ':exp': Date.UTC(2025, 3, 2) / 1000 } });
  });

  it('gives the day back when the week is full, and answers false', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(ccf()).resolves({});
    // Act
    const ok = await store.reserve('p1', [day, week]);
    // Assess
    expect(ok).toBe(false);
    const calls = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(3);
    expect(calls[2]).toMatchObject({
      Key: { pk: 'CAP#p1', sk: 'day#2025-03-26' },
      UpdateExpression: 'ADD n :minusOne',
      ConditionExpression: 'n > :zero',
      ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
    });
  });

  it('gives the day back and rethrows when the week write fails', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(UpdateCommand).resolvesOnce({}).rejectsOnce(new Error('ProvisionedThroughputExceededException')).resolves({});
    // Act / Assess
    await expect(store.reserve('p1', [day, week])).rejects.toThrow(/Throughput/);
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.UpdateExpression)).toEqual([
      expect.stringMatching(/^ADD n :one/),
      expect.stringMatching(/^ADD n :one/),
      'ADD n :minusOne',
    ]);
  });

  it('refuses a cap of zero without writing', async () => {
    const { ddb, store } = setup();
    expect(await store.reserve('p1', [{ ...day, cap: 0 }])).toBe(false);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('releases every window, treating an expired counter as nothing to give back', async () => {
    // Prepare
    const { ddb, store } = setup();
    ddb.on(UpdateCommand).rejectsOnce(ccf()).resolves({});
    // Act
    await store.release('p1', [day, week]);
    // Assess
    expect(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input.Key)).toEqual([
      { pk: 'CAP#p1', sk: 'day#2025-03-26' },
      { pk: 'CAP#p1', sk: 'week#2025-W13' },
    ]);
  });

  it('throws when a release cannot be written', async () => {
    const { ddb, store } = setup();
    ddb.on(UpdateCommand).rejects(new Error('InternalServerError'));
    await expect(store.release('p1', [day])).rejects.toThrow(/could not give back 1 window/);
  });
});

describe('capCounterExpiry', () => {
  it('expires a counter two days after its window ends, in any zone', () => {
    // ISO 2021-W01 starts on Monday 2021-01-04; 2020 has a W53 starting 2020-12-28.
    expect(capCounterExpiry({ window: 'week', key: '2021-W01' }, now)).toBe(Date.UTC(2021, 0, 13) / 1000);
    expect(capCounterExpiry({ window: 'week', key: '2020-W53' }, now)).toBe(Date.UTC(2021, 0, 6) / 1000);
    expect(capCounterExpiry({ window: 'day', key: '2024-02-29' }, now)).toBe(Date.UTC(2024, 2, 3) / 1000);
    expect(capCounterExpiry({ window: 'day', key: 'odd' }, now)).toBe(now.getTime() / 1000 + 3 * 86_400);
  });
});
