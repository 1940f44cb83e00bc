import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoConversionStore, DynamoGoalRegistry, DynamoReportStore, MAX_CONVERSION_IDS } from '../../../functions/adapters/dynamo-conversion-store.ts';
import type { CampaignReport, WinnerReport } from '../../../schemas/campaign-report.ts';

const ccf = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const key = { campaignId: 'c1', personId: 'p1' };
const conversion = { messageId: 'evt-1', at: '2026-03-03T12:00:00.000Z' };
const sendItem = (personId: string, over: Record<string, unknown> = {}) => ({
  pk: 'C#c1',
  sk: `P#${personId}`,
  schemaVersion: 1,
  kind: 'send',
  campaignId: 'c1',
  personId,
  status: 'SENT',
  arm: 'A',
  claimedAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:01.000Z',
  ...over,
});

const setup = () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const client = ddb as unknown as DynamoDBDocumentClient;
  return { ddb, conversions: new DynamoConversionStore(client, 'campaigns'), reports: new DynamoReportStore(client, 'campaigns'), goals: new DynamoGoalRegistry(client, 'campaigns') };
};

describe('DynamoConversionStore.recordConversion', () => {
  it('credits the send record in one update, conditional on the record existing and not holding this event id yet', async () => {
    // Prepare
    const { ddb, conversions } = setup();
    ddb.on(UpdateCommand).resolves({});
    // Act
    const result = await conversions.recordConversion(key, { ...conversion, revenue: 42.5, currency: 'GBP' });
    // Assess
    expect(result).toBe('recorded');
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input).toEqual({
      TableName: 'campaigns',
      Key: { pk: 'C#c1', sk: 'P#p1' },
      UpdateExpression: 'SET firstConversionAt = if_not_exists(firstConversionAt, :at), lastConversionAt = :at ADD conversionIds :ids, conversions :one, #rev :rev',
      ConditionExpression: 'attribute_exists(pk) AND NOT contains(conversionIds, :id) AND (attribute_not_exists(conversionIds) OR size(conversionIds) < :max)',
      ExpressionAttributeNames: { '#rev': 'revenue_GBP' },
      ExpressionAttributeValues: { ':id': 'evt-1', ':ids': new Set(['evt-1']), ':one': 1, ':at': conversion.at, ':max': MAX_CONVERSION_IDS, ':rev': 42.5 },
    });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('adds no revenue for none or zero, and files an unknown currency under XXX, never summed into another', async () => {
    // Prepare
    const { ddb, conversions } = setup();
    ddb.on(UpdateCommand).resolves({});
    // Act
    await conversions.recordConversion(key, conversion);
    await conversions.recordConversion(key, { ...conversion, messageId: 'evt-2', revenue: 0, currency: 'EUR' });
    await conversions.recordConversion(key, { ...conversion, messageId: 'evt-3', revenue: 9, currency: 'euros' });
    // Assess
    const [none, zero, odd] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    for (const input of [none, zero]) {
      expect(input.UpdateExpression).toMatch(/ADD conversionIds :ids, conversions :one$/);
      expect(input.ExpressionAttributeNames).toBeUndefined();
      expect(input.ExpressionAttributeValues).not.toHaveProperty(':rev');
    }
    expect(odd.ExpressionAttributeNames).toEqual({ '#rev': 'revenue_XXX' });
  });

  it('answers duplicate when the event id is already on the record (a redelivered goal event credits nothing)', async () => {
    // Prepare
    const { ddb, conversions } = setup();
    ddb.on(UpdateCommand).rejects(ccf());
    ddb.on(GetCommand).resolves({ Item: sendItem('p1', { conversionIds: new Set(['evt-0', 'evt-1']), conversions: 2 }) });
    // Act
    const result = await conversions.recordConversion(key, conversion);
    // Assess
    expect(result).toBe('duplicate');
    expect(ddb.commandCalls(GetCommand)[0].args[0].input).toEqual({ TableName: 'campaigns', Key: { pk: 'C#c1', sk: 'P#p1' }, ConsistentRead: true });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('answers no_record when there is no send record to credit', async () => {
    // Prepare
    const { ddb, conversions } = setup();
    ddb.on(UpdateCommand).rejects(ccf());
    ddb.on(GetCommand).resolves({});
    // Act + Assess
    expect(await conversions.recordConversion(key, conversion)).toBe('no_record');
  });

  it('refuses loudly when the record is full of other event ids, rather than dropping the credit silently', async () => {
    // Prepare
    const { ddb, conversions } = setup();
    const full = new Set(Array.from({ length: MAX_CONVERSION_IDS }, (_, i) => `other-${i}`));
    ddb.on(UpdateCommand).rejects(ccf());
    ddb.on(GetCommand).resolves({ Item: sendItem('p1', { conversionIds: full }) });
    // Act + Assess
    await expect(conversions.recordConversion(key, conversion)).rejects.toThrow(`holds ${MAX_CONVERSION_IDS} conversions; refusing more`);
  });

  it('rethrows other errors without reading the record', async () => {
    // Prepare
    const { ddb, conversions } = setup();
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException', $metadata: {} }));
    // Act + Assess
    await expect(conversions.recordConversion(key, conversion)).rejects.toThrow(/Throughput/);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });
});

describe('DynamoConversionStore.getRecords', () => {
  it('reads each send record once, eventually consistent, re-requesting unprocessed keys, revenue per currency', async () => {
    // Prepare
    const { ddb, conversions } = setup();
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { campaigns: [sendItem('p1', { conversionIds: new Set(['evt-1']), conversions: 1, revenue_GBP: 42.5 })] }, UnprocessedKeys: { campaigns: { Keys: [{ pk: 'C#c1', sk: 'P#p2' }] } } })
      .resolvesOnce({ Responses: { campaigns: [sendItem('p2')] } });
    // Act
    const records = await conversions.getRecords([key, key, { campaignId: 'c1', personId: 'p2' }, { campaignId: 'c1', personId: 'gone' }]);
    // Assess
    const requests = ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems!.campaigns);
    expect(requests).toEqual([{ Keys: [{ pk: 'C#c1', sk: 'P#p1' }, { pk: 'C#c1', sk: 'P#p2' }, { pk: 'C#c1', sk: 'P#gone' }] }, { Keys: [{ pk: 'C#c1', sk: 'P#p2' }] }]);
    expect(records.map((r) => r.personId)).toEqual(['p1', 'p2']);
    expect(records[0]).toMatchObject({ conversions: 1, revenue: { GBP: 42.5 } });
    expect(records[0]).not.toHaveProperty('conversionIds');
  });
});

const winner: WinnerReport = {
  outcome: 'winner',
  chosen: 'B',
  winner: 'B',
  reason: 'significant',
  explanation: 'B converts better than A at the 5% level',
  alpha: 0.05,
  tau: 1,
  minRuntimeHours: 24,
  comparisons: [{ id: 'B', rate: 0.06, difference: 0.02, pValue: 0.01, threshold: 0.05, significant: true }],
  decidedAt: '2026-03-04T00:00:00.000Z',
};

describe('DynamoReportStore', () => {
  it('saves the winner only if none stands, and answers the decision it wrote', async () => {
    // Prepare
    const { ddb, reports } = setup();
    ddb.on(PutCommand).resolves({});
    // Act
    const standing = await reports.saveWinner('c1', winner);
    // Assess
    expect(standing).toEqual(winner);
    expect(ddb.commandCalls(PutCommand)[0].args[0].input).toMatchObject({
      TableName: 'campaigns',
      Item: { pk: 'C#c1', sk: 'WINNER', kind: 'winner', schemaVersion: 1, decision: JSON.stringify(winner), decidedAt: winner.decidedAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('a later decision does not replace the first: it answers the standing one', async () => {
    // Prepare
    const { ddb, reports } = setup();
    const later: WinnerReport = { ...winner, outcome: 'none', chosen: 'A', winner: null, reason: 'not_significant', decidedAt: '2026-03-05T00:00:00.000Z' };
    ddb.on(PutCommand).rejects(ccf());
    ddb.on(GetCommand).resolves({ Item: { pk: 'C#c1', sk: 'WINNER', kind: 'winner', schemaVersion: 1, decision: JSON.stringify(winner), decidedAt: winner.decidedAt } });
    // Act
    const standing = await reports.saveWinner('c1', later);
    // Assess
    expect(standing).toEqual(winner);
    expect(ddb.commandCalls(GetCommand)[0].args[0].input).toEqual({ TableName: 'campaigns', Key: { pk: 'C#c1', sk: 'WINNER' }, ConsistentRead: true });
  });

  it('round-trips the report as JSON on C#<id> / REPORT, overwritten at each look', async () => {
    // Prepare
    const { ddb, reports } = setup();
    const report: CampaignReport = {
      schemaVersion: 1,
      campaignId: 'c1',
      name: 'Spring sale',
      generatedAt: '2026-03-04T00:00:00.000Z',
      goal: { event: 'Order Completed', windowHours: 72 },
      k: 5,
      confidence: 0.95,
      arms: [],
      overall: null,
      winner,
      timeline: [{ arm: 'B', points: [{ at: '2026-03-03T12:00:00.000Z', converted: 1 }] }],
      records: 0,
    };
    ddb.on(PutCommand).resolves({});
    // Act
    await reports.saveReport(report);
    const put = ddb.commandCalls(PutCommand)[0].args[0].input;
    ddb.on(GetCommand).resolves({ Item: put.Item });
    const read = await reports.getReport('c1');
    // Assess
    expect(put).toEqual({ TableName: 'campaigns', Item: { pk: 'C#c1', sk: 'REPORT', kind: 'report', schemaVersion: 1, report: JSON.stringify(report), updatedAt: report.generatedAt } });
    expect(ddb.commandCalls(GetCommand)[0].args[0].input).toEqual({ TableName: 'campaigns', Key: { pk: 'C#c1', sk: 'REPORT' }, ConsistentRead: true });
    expect(read).toEqual(report);
  });

  it('answers undefined for a campaign with no report or decision yet', async () => {
    // Prepare
    const { ddb, reports } = setup();
    ddb.on(GetCommand).resolves({});
    // Act + Assess
    expect(await reports.getReport('c1')).toBeUndefined();
    expect(await reports.getWinner('c1')).toBeUndefined();
  });
});

describe('DynamoGoalRegistry', () => {
  it('registers a goal with a TTL a week past its horizon, and lists only the goals still inside it, across pages', async () => {
    // Prepare
    const { ddb, goals } = setup();
    const goal = { campaignId: 'c1', event: 'Order Completed', windowHours: 72, until: '2026-03-10T00:00:00.000Z' };
    ddb.on(PutCommand).resolves({});
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ pk: 'GOALS', sk: 'c1', ...goal }], LastEvaluatedKey: { pk: 'GOALS', sk: 'c1' } })
      .resolvesOnce({ Items: [{ pk: 'GOALS', sk: 'c0', campaignId: 'c0', event: 'Order Completed', windowHours: 24, until: '2026-03-01T00:00:00.000Z' }] });
    // Act
    await goals.register(goal, '2026-03-02T00:00:00.000Z');
    const active = await goals.active(new Date('2026-03-05T00:00:00.000Z'));
    // Assess
    expect(ddb.commandCalls(PutCommand)[0].args[0].input.Item).toEqual({ pk: 'GOALS', sk: 'c1', kind: 'goal', schemaVersion: 1, ...goal, registeredAt: '2026-03-02T00:00:00.000Z', expiresAt: Date.parse(goal.until) / 1000 + 7 * 86_400 });
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input.ExclusiveStartKey)).toEqual([undefined, { pk: 'GOALS', sk: 'c1' }]);
    expect(active).toEqual([goal]);
  });
});
