/**
 * SendRecordStore on the campaigns table (keys in campaigns-table.ts): `C#<campaignId>` /
 * `P#<personId>`, one item per (campaign, person).
 *
 * Design:
 * - claim is one conditional PutItem (`attribute_not_exists(pk)`), never read-then-write:
 *   of two concurrent claimers exactly one wins, and the loser is told what exists. In AWS
 *   the existing item comes back with the failure (`ReturnValuesOnConditionCheckFailure:
 *   ALL_OLD`, no second read); dynalite does not implement that, so without it the loser
 *   reads the item with a consistent GetItem.
 * - complete moves CLAIMED → SENT | SKIPPED | FAILED under `#status = :claimed`. A retry of
 *   the same completion (the first write landed, its answer was lost) finds the same outcome
 *   already there and succeeds; any other state throws `SendRecordStateError`, because a
 *   second outcome for one send would be a lie in the report.
 * - recordEvent adds SES feedback (delivery, bounce, complaint, open, click, …) to the
 *   record: first-seen timestamps with `if_not_exists`, counters with `ADD`. Feedback arrives
 *   at least once (EventBridge), so an event carrying its own id is applied once: the ids are
 *   kept in a string set and the update is conditional on `NOT contains(eventIds, :id)`.
 *   Events for records that do not exist (a proof send, a deleted campaign) are reported,
 *   not created: feedback never invents a send.
 * - listRecords pages one campaign's records by Query for reports and `campaign status`;
 *   the cursor is the LastEvaluatedKey as JSON, opaque to callers.
 * - Items are parsed with a zod schema (`schemaVersion: 1`) on the way out: a malformed item
 *   fails loudly instead of being reported as something it is not.
 */
import { ConditionalCheckFailedException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import { SEND_EVENT_TYPES, type ClaimResult, type RecordEventResult, type SendEvent, type SendKey, type SendOutcome, type SendRecord, type SendRecordStore, type SkipReason } from '../domain/campaigns/ports.ts';

export { SEND_EVENT_TYPES, type RecordEventResult, type SendEvent };
import type { CapacityMeter } from './dynamo-profile-store.ts';
import { putIfAbsent, SEND_RECORD_SK_PREFIX, sendRecordKey } from './campaigns-table.ts';

const SKIP_REASONS = ['merged', 'no_consent', 'unsubscribed', 'suppressed', 'no_address', 'frequency_cap', 'holdout'] as const satisfies readonly SkipReason[];


/** The stored item (schema version 1), beyond the key. */
export const storedSendRecordSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('send'),
  campaignId: z.string(),
  personId: z.string(),
  status: z.enum(['CLAIMED', 'SENT', 'SKIPPED', 'FAILED']),
  arm: z.string().optional(),
  reason: z.enum(SKIP_REASONS).optional(),
  messageId: z.string().optional(),
  error: z.string().optional(),
  claimedAt: z.string(),
  updatedAt: z.string(),
  sentAt: z.string().optional(),
  deliveredAt: z.string().optional(),
  bouncedAt: z.string().optional(),
  bounceType: z.string().optional(),
  complainedAt: z.string().optional(),
  unsubscribedAt: z.string().optional(),
  rejectedAt: z.string().optional(),
  delayedAt: z.string().optional(),
  renderingFailedAt: z.string().optional(),
  feedbackDetail: z.string().optional(),
  firstOpenAt: z.string().optional(),
  lastOpenAt: z.string().optional(),
  opens: z.number().optional(),
  firstClickAt: z.string().optional(),
  lastClickAt: z.string().optional(),
  lastClickLink: z.string().optional(),
  clicks: z.number().optional(),
  // Conversions credited by attribution (dynamo-conversion-store.ts); additive in v1.
  conversions: z.number().optional(),
  firstConversionAt: z.string().optional(),
  lastConversionAt: z.string().optional(),
  /** Per currency, from the top-level `revenue_<CUR>` attributes. */
  revenue: z.record(z.string(), z.number()).optional(),
});
export type StoredSendRecord = z.infer<typeof storedSendRecordSchema>;

/** A send record with the feedback recorded on it. */
export type TrackedSendRecord = SendRecord & Omit<StoredSendRecord, 'schemaVersion' | 'kind' | keyof SendRecord>;

/** complete() found the record in a state it cannot move from (not CLAIMED, or missing). */
export class SendRecordStateError extends Error {
  override readonly name = 'SendRecordStateError';
  constructor(
    readonly key: SendKey,
    readonly existing: SendRecord | undefined,
    readonly wanted: SendOutcome['status'],
  ) {
    super(
      existing
        ? `send record ${key.campaignId}/${key.personId} is ${existing.status}, cannot become ${wanted}`
        : `send record ${key.campaignId}/${key.personId} does not exist, cannot become ${wanted}`,
    );
  }
}

const MAX_DETAIL = 256;
const MAX_LINK = 1024;
/** Event ids kept per record for de-duplication; feedback per send is a handful of events. */
const MAX_EVENT_IDS = 200;

function toRecord(item: Record<string, unknown>): TrackedSendRecord {
  const { pk: _pk, sk: _sk, eventIds: _ids, conversionIds: _cids, expiresAt: _exp, ...rest } = item;
  const revenue: Record<string, number> = {};
  for (const [k, v] of Object.entries(rest)) {
    const m = /^revenue_([A-Z]{3})$/.exec(k);
    if (m && typeof v === 'number') revenue[m[1]] = v;
  }
  const { schemaVersion: _v, kind: _k, ...record } = storedSendRecordSchema.parse({ ...rest, ...(Object.keys(revenue).length ? { revenue } : {}) });
  return record;
}

/** A stored send record item (any page or batch read) as the domain sees it. */
export const toTrackedRecord = toRecord;

function fromFailureItem(item: Record<string, AttributeValue> | undefined): TrackedSendRecord | undefined {
  return item && Object.keys(item).length > 0 ? toRecord(unmarshall(item)) : undefined;
}

export class DynamoSendRecordStore implements SendRecordStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly meter?: CapacityMeter,
  ) {}

  private count(kind: 'read' | 'write', c?: { CapacityUnits?: number }) {
    if (this.meter && c) this.meter.add(kind, c.CapacityUnits ?? 0);
  }

  async claim(key: SendKey, at: string, arm?: string): Promise<ClaimResult> {
    const record: SendRecord = { campaignId: key.campaignId, personId: key.personId, status: 'CLAIMED', claimedAt: at, updatedAt: at, ...(arm !== undefined ? { arm } : {}) };
    try {
      const out = await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...sendRecordKey(key), schemaVersion: 1, kind: 'send', ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count('write', out.ConsumedCapacity);
      return { claimed: true, record };
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = fromFailureItem(err.Item) ?? (await this.get(key));
      // The condition failed, so an item existed; gone now means it was deleted in between.
      if (!existing) throw new Error(`send record ${key.campaignId}/${key.personId} failed its claim condition but cannot be read`, { cause: err });
      return { claimed: false, existing };
    }
  }

  async complete(key: SendKey, outcome: SendOutcome, at: string): Promise<void> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':claimed': 'CLAIMED', ':to': outcome.status, ':at': at };
    const set = ['#status = :to', 'updatedAt = :at'];
    if (outcome.status === 'SENT') {
      set.push('messageId = :mid', 'sentAt = :sentAt');
      values[':mid'] = outcome.messageId;
      values[':sentAt'] = outcome.sentAt;
    } else if (outcome.status === 'SKIPPED') {
      set.push('reason = :reason');
      values[':reason'] = outcome.reason;
      if (outcome.sentAt !== undefined) {
        set.push('sentAt = :sentAt');
        values[':sentAt'] = outcome.sentAt;
      }
    } else {
      set.push('#error = :error');
      names['#error'] = 'error';
      values[':error'] = outcome.error.slice(0, 1024);
    }
    try {
      const out = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendRecordKey(key),
          UpdateExpression: `SET ${set.join(', ')}`,
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count('write', out.ConsumedCapacity);
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = fromFailureItem(err.Item) ?? (await this.get(key));
      if (existing && sameOutcome(existing, outcome)) return;
      throw new SendRecordStateError(key, existing, outcome.status);
    }
  }

  async recordSkip(key: SendKey, outcome: Extract<SendOutcome, { status: 'SKIPPED' }>, at: string, arm?: string): Promise<boolean> {
    const record: SendRecord = {
      campaignId: key.campaignId,
      personId: key.personId,
      status: 'SKIPPED',
      reason: outcome.reason,
      claimedAt: at,
      updatedAt: at,
      ...(arm !== undefined ? { arm } : {}),
      ...(outcome.sentAt !== undefined ? { sentAt: outcome.sentAt } : {}),
    };
    return putIfAbsent(this.ddb, this.tableName, { ...sendRecordKey(key), schemaVersion: 1, kind: 'send', ...record }, (u) => this.meter?.add('write', u));
  }

  async unclaim(key: SendKey): Promise<void> {
    try {
      const out = await this.ddb.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: sendRecordKey(key),
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':claimed': 'CLAIMED' },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count('write', out.ConsumedCapacity);
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }

  async get(key: SendKey): Promise<TrackedSendRecord | undefined> {
    const out = await this.ddb.send(new GetCommand({ TableName: this.tableName, Key: sendRecordKey(key), ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
    this.count('read', out.ConsumedCapacity);
    return out.Item ? toRecord(out.Item) : undefined;
  }

  /** Adds one piece of provider feedback to an existing record. */
  async recordEvent(key: SendKey, event: SendEvent): Promise<RecordEventResult> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':at': event.at };
    const set: string[] = [];
    const add: string[] = [];
    const first = (attr: string) => set.push(`${attr} = if_not_exists(${attr}, :at)`);
    const detail = () => {
      if (event.detail !== undefined) {
        set.push('feedbackDetail = :detail');
        values[':detail'] = event.detail.slice(0, MAX_DETAIL);
      }
    };
    switch (event.type) {
      case 'delivery':
        first('deliveredAt');
        break;
      case 'bounce':
        first('bouncedAt');
        if (event.bounceType !== undefined) {
          set.push('bounceType = :bt');
          values[':bt'] = event.bounceType.slice(0, MAX_DETAIL);
        }
        detail();
        break;
      case 'complaint':
        first('complainedAt');
        detail();
        break;
      case 'unsubscribe':
        first('unsubscribedAt');
        break;
      case 'reject':
        first('rejectedAt');
        detail();
        break;
      case 'delivery_delay':
        first('delayedAt');
        detail();
        break;
      case 'rendering_failure':
        first('renderingFailedAt');
        detail();
        break;
      case 'open':
        first('firstOpenAt');
        set.push('lastOpenAt = :at');
        add.push('opens :one');
        values[':one'] = 1;
        break;
      case 'click':
        first('firstClickAt');
        set.push('lastClickAt = :at');
        add.push('clicks :one');
        values[':one'] = 1;
        if (event.link !== undefined) {
          set.push('lastClickLink = :link');
          values[':link'] = event.link.slice(0, MAX_LINK);
        }
        break;
      default: {
        const never: never = event.type;
        throw new Error(`unknown send event type ${String(never)}`);
      }
    }
    let condition = 'attribute_exists(pk)';
    if (event.eventId !== undefined) {
      add.push('eventIds :ids');
      values[':ids'] = new Set([event.eventId]);
      values[':id'] = event.eventId;
      condition += ' AND NOT contains(eventIds, :id)';
      // A record with this many feedback events is being replayed in bulk; stop growing it.
      values[':maxIds'] = MAX_EVENT_IDS;
      condition += ' AND (attribute_not_exists(eventIds) OR size(eventIds) < :maxIds)';
    }
    const update = `SET ${set.join(', ')}${add.length > 0 ? ` ADD ${add.join(', ')}` : ''}`;
    try {
      const out = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: sendRecordKey(key),
          UpdateExpression: update,
          ConditionExpression: condition,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count('write', out.ConsumedCapacity);
      return 'recorded';
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      let existing: Record<string, unknown> | undefined = err.Item && Object.keys(err.Item).length > 0 ? unmarshall(err.Item) : undefined;
      if (!existing) {
        const out = await this.ddb.send(new GetCommand({ TableName: this.tableName, Key: sendRecordKey(key), ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' }));
        this.count('read', out.ConsumedCapacity);
        existing = out.Item;
      }
      if (!existing) return 'no_record';
      const ids = existing.eventIds;
      if (event.eventId !== undefined && ids instanceof Set && ids.has(event.eventId)) return 'duplicate';
      if (event.eventId !== undefined && ids instanceof Set && ids.size >= MAX_EVENT_IDS) {
        throw new Error(`send record ${key.campaignId}/${key.personId} holds ${ids.size} feedback events; refusing more`);
      }
      throw new Error(`send record ${key.campaignId}/${key.personId}: feedback condition failed for an unexpected reason`, { cause: err });
    }
  }

  /**
   * One page of a campaign's records, in person-id order. Eventually consistent by default
   * (half the read units): reports tolerate a record a second behind.
   */
  async listRecords(
    campaignId: string,
    opts: { cursor?: string; limit?: number; consistent?: boolean } = {},
  ): Promise<{ records: TrackedSendRecord[]; cursor?: string }> {
    const out = await this.ddb.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': sendRecordKey({ campaignId, personId: '' }).pk, ':p': SEND_RECORD_SK_PREFIX },
        ExclusiveStartKey: opts.cursor ? (JSON.parse(opts.cursor) as Record<string, unknown>) : undefined,
        Limit: opts.limit,
        ConsistentRead: opts.consistent ?? false,
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    this.count('read', out.ConsumedCapacity);
    const records = (out.Items ?? []).map(toRecord);
    return { records, ...(out.LastEvaluatedKey ? { cursor: JSON.stringify(out.LastEvaluatedKey) } : {}) };
  }

  /** Every record of a campaign (reports and the test's winner read them all: a Query per 1,000). */
  async allRecords(campaignId: string, pageSize = 1000): Promise<TrackedSendRecord[]> {
    const out: TrackedSendRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.listRecords(campaignId, { cursor, limit: pageSize });
      out.push(...page.records);
      cursor = page.cursor;
    } while (cursor);
    return out;
  }

  /** Counts a campaign's records by status, skip reason and feedback, reading every page. */
  async summarize(campaignId: string, pageSize = 1000): Promise<SendRecordSummary> {
    const s: SendRecordSummary = { total: 0, status: { CLAIMED: 0, SENT: 0, SKIPPED: 0, FAILED: 0 }, skipped: {}, delivered: 0, bounced: 0, complained: 0, opened: 0, clicked: 0 };
    let cursor: string | undefined;
    do {
      const page = await this.listRecords(campaignId, { cursor, limit: pageSize });
      for (const r of page.records) {
        s.total++;
        s.status[r.status]++;
        if (r.status === 'SKIPPED' && r.reason) s.skipped[r.reason] = (s.skipped[r.reason] ?? 0) + 1;
        if (r.deliveredAt) s.delivered++;
        if (r.bouncedAt) s.bounced++;
        if (r.complainedAt) s.complained++;
        if (r.firstOpenAt) s.opened++;
        if (r.firstClickAt) s.clicked++;
      }
      cursor = page.cursor;
    } while (cursor);
    return s;
  }
}

export interface SendRecordSummary {
  total: number;
  status: Record<SendRecord['status'], number>;
  skipped: Partial<Record<SkipReason, number>>;
  delivered: number;
  bounced: number;
  complained: number;
  opened: number;
  clicked: number;
}

function sameOutcome(r: SendRecord, o: SendOutcome): boolean {
  if (r.status !== o.status) return false;
  if (o.status === 'SENT') return r.messageId === o.messageId;
  if (o.status === 'SKIPPED') return r.reason === o.reason;
  return true;
}
