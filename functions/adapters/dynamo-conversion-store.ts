/**
 * Attribution's ports on the campaigns table (functions/domain/campaigns/attribution.ts):
 *
 * | item           | pk      | sk             | written with |
 * |----------------|---------|----------------|--------------|
 * | active goal    | `GOALS` | `<campaignId>` | Put at Start (event, windowHours, until; `expiresAt` a week after `until`) |
 * | report         | `C#<campaignId>` | `REPORT` | Put (the latest look, JSON of schemas/campaign-report.ts) |
 * | winner         | `C#<campaignId>` | `WINNER` | Put `attribute_not_exists(pk)` (the test phase's decision, once) |
 * | conversion     | the send record (`C#<campaignId>` / `P#<personId>`) | | Update `ADD conversionIds :id, conversions :one, revenue_<CUR> :r` under `attribute_exists(pk) AND NOT contains(conversionIds, :id)` |
 *
 * - The goal registry is one partition read by a consistent Query per consumer batch that
 *   holds a track (functions/handlers/attribute-conversions.ts): a handful of items (campaigns inside their attribution horizon; TTL removes
 *   the rest), so filtering the clean stream by goal name costs almost nothing.
 * - A conversion is written on the send record itself, in one conditional update keyed on
 *   the goal event's messageId: exactly once per event without a second item or a
 *   transaction (dynalite has none). Revenue is kept per currency (`revenue_GBP`), never
 *   summed across currencies; top-level attributes because ADD cannot create a nested map
 *   entry in the same update that creates the map.
 * - Records are read with BatchGetItem (eventually consistent: a send record is written
 *   long before its person converts), unprocessed keys retried with backoff, never dropped.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { ActiveGoal, Conversion, ConversionResult, ConversionStore, GoalRegistry } from '../domain/campaigns/attribution.ts';
import type { SendKey, SendRecord } from '../domain/campaigns/ports.ts';
import { campaignReportSchema, winnerReportSchema, type CampaignReport, type WinnerReport } from '../../schemas/campaign-report.ts';
import type { WinnerStore } from '../domain/campaigns/winner.ts';
import { BATCH_GET_MAX, putIfAbsent, sendRecordKey, sleep, UNPROCESSED_RETRIES } from './campaigns-table.ts';
import { toTrackedRecord } from './dynamo-send-record-store.ts';

export const GOALS_PK = 'GOALS';
export const goalKey = (campaignId: string) => ({ pk: GOALS_PK, sk: campaignId });

/** Conversion ids kept per send record: a person buying this often inside one window is replaying, not shopping. */
export const MAX_CONVERSION_IDS = 500;

const goalItemSchema = z.object({ campaignId: z.string(), event: z.string(), windowHours: z.number(), until: z.string() });

export class DynamoGoalRegistry implements GoalRegistry {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async register(goal: ActiveGoal, at: string): Promise<void> {
    const expiresAt = Math.floor(Date.parse(goal.until) / 1000) + 7 * 86_400;
    await this.ddb.send(new PutCommand({ TableName: this.tableName, Item: { ...goalKey(goal.campaignId), kind: 'goal', schemaVersion: 1, ...goal, registeredAt: at, expiresAt } }));
  }

  async active(now: Date): Promise<ActiveGoal[]> {
    const out: ActiveGoal[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.ddb.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': GOALS_PK }, ConsistentRead: true, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        const g = goalItemSchema.parse(item);
        if (Date.parse(g.until) > now.getTime()) out.push(g);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async get(campaignId: string): Promise<ActiveGoal | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.tableName, Key: goalKey(campaignId) }));
    return out.Item ? goalItemSchema.parse(out.Item) : undefined;
  }
}

export class DynamoConversionStore implements ConversionStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getRecords(keys: readonly SendKey[]): Promise<SendRecord[]> {
    const out: SendRecord[] = [];
    const unique = [...new Map(keys.map((k) => [`${k.campaignId}\u0000${k.personId}`, sendRecordKey(k)])).values()];
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX) {
      let pending: Record<string, unknown>[] = unique.slice(i, i + BATCH_GET_MAX);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) throw new Error(`BatchGetItem left ${pending.length} send records unprocessed after ${UNPROCESSED_RETRIES} retries`);
        if (attempt > 0) await sleep(20 * 2 ** attempt);
        const res = await this.ddb.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }));
        for (const item of res.Responses?.[this.tableName] ?? []) out.push(toTrackedRecord(item));
        pending = (res.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
    }
    return out;
  }

  async recordConversion(key: SendKey, c: Conversion): Promise<ConversionResult> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':id': c.messageId, ':ids': new Set([c.messageId]), ':one': 1, ':at': c.at, ':max': MAX_CONVERSION_IDS };
    const add = ['conversionIds :ids', 'conversions :one'];
    if (c.revenue !== undefined && c.revenue !== 0) {
      const currency = /^[A-Z]{3}$/.test(c.currency ?? '') ? c.currency! : 'XXX'; // ISO 4217's "no currency"
      names['#rev'] = `revenue_${currency}`;
      values[':rev'] = c.revenue;
      add.push('#rev :rev');
    }
    try {
      await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendRecordKey(key),
          // The first and the latest credited (late events may arrive out of order: the report reads first as 'converted by').
          UpdateExpression: `SET firstConversionAt = if_not_exists(firstConversionAt, :at), lastConversionAt = :at ADD ${add.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(conversionIds, :id) AND (attribute_not_exists(conversionIds) OR size(conversionIds) < :max)',
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      );
      return 'recorded';
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = (await this.ddb.send(new GetCommand({ TableName: this.tableName, Key: sendRecordKey(key), ConsistentRead: true }))).Item;
      if (!existing) return 'no_record';
      const ids = existing.conversionIds;
      if (ids instanceof Set && ids.has(c.messageId)) return 'duplicate';
      throw new Error(`send record ${key.campaignId}/${key.personId} holds ${ids instanceof Set ? ids.size : '?'} conversions; refusing more`, { cause: err });
    }
  }
}

/**
 * The report (`C#<id>` / `REPORT`, overwritten at each look) and the test phase's decision
 * (`C#<id>` / `WINNER`, written once: `attribute_not_exists`, the first decision stands).
 */
export class DynamoReportStore implements WinnerStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key = (campaignId: string, sk: 'REPORT' | 'WINNER') => ({ pk: `C#${campaignId}`, sk });

  async saveReport(report: CampaignReport): Promise<void> {
    await this.ddb.send(new PutCommand({ TableName: this.tableName, Item: { ...this.key(report.campaignId, 'REPORT'), kind: 'report', schemaVersion: 1, report: JSON.stringify(report), updatedAt: report.generatedAt } }));
  }

  async getReport(campaignId: string): Promise<CampaignReport | undefined> {
    const item = (await this.ddb.send(new GetCommand({ TableName: this.tableName, Key: this.key(campaignId, 'REPORT'), ConsistentRead: true }))).Item;
    return item ? campaignReportSchema.parse(JSON.parse(String(item.report))) : undefined;
  }

  async getWinner(campaignId: string): Promise<WinnerReport | undefined> {
    const item = (await this.ddb.send(new GetCommand({ TableName: this.tableName, Key: this.key(campaignId, 'WINNER'), ConsistentRead: true }))).Item;
    return item ? winnerReportSchema.parse(JSON.parse(String(item.decision))) : undefined;
  }

  async saveWinner(campaignId: string, decision: WinnerReport): Promise<WinnerReport> {
    const written = await putIfAbsent(this.ddb, this.tableName, { ...this.key(campaignId, 'WINNER'), kind: 'winner', schemaVersion: 1, decision: JSON.stringify(decision), decidedAt: decision.decidedAt });
    return written ? decision : ((await this.getWinner(campaignId)) ?? decision);
  }
}
