/**
 * The campaigns table (keys in campaigns-table.ts) as two PersonStores:
 *
 * - `campaigns`: the person's send records (`C#<campaign>` / `P#<profileId>`, conversions and
 *   feedback on them) and frequency counters (`CAP#<profileId>`). Send records have no index
 *   by person, so `find` is one Scan of the table filtered on the person's keys (a filter
 *   still reads every item: the cost grows with the table, bench/results/privacy.md).
 *   Erase anonymises a send record rather than deleting it, so campaign totals and lift still
 *   add up: the record moves to `P#erased-<sha256(nonce, campaign, person)>` (the nonce is
 *   the job's, removed when it completes, so the new key links to nobody) without the
 *   provider's message id, the feedback text, the last clicked link, the error and the event
 *   ids — then the original is deleted. Put first, delete second: a crash in between leaves
 *   the person's record, which the resumed step finds and moves again onto the same key.
 *   Counters are deleted.
 * - `suppression`: entries `SUP#<channel>#<sha256(address)>` for the addresses the profile
 *   held. Erase keeps them and adds a tombstone (reason `manual`, source `erasure`) for each
 *   address not yet suppressed, so a re-import of the address is never emailed: they are
 *   `kept` on the receipt, not removed. Only the hash is stored (the list's design).
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand, QueryCommand, ScanCommand, BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EraseOutcome, EraseContext, Found, PersonStore, Subject } from '../domain/privacy/ports.ts';
import { SEND_RECORD_SK_PREFIX, suppressionKey } from './campaigns-table.ts';
import { DynamoSuppressionList } from './dynamo-suppression-list.ts';

/** Attributes an anonymised send record does not keep: they can point back to the person or their mailbox. */
const DROPPED = ['messageId', 'feedbackDetail', 'lastClickLink', 'error', 'eventIds', 'conversionIds'] as const;
/** DynamoDB's limit of values in one IN list is 100; a person has few profile ids. */
const IN_MAX = 50;

export const anonymisedPersonId = (nonce: string, campaignId: string, personId: string) =>
  `erased-${createHash('sha256').update(`${nonce}\n${campaignId}\n${personId}`).digest('hex').slice(0, 32)}`;

export class CampaignsPrivacyStore implements PersonStore {
  readonly store = 'campaigns' as const;
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private async sendRecords(s: Subject): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < s.profileIds.length; i += IN_MAX) {
      const ids = s.profileIds.slice(i, i + IN_MAX);
      const values = Object.fromEntries(ids.map((id, j) => [`:p${j}`, `${SEND_RECORD_SK_PREFIX}${id}`]));
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.ddb.send(
          new ScanCommand({ TableName: this.tableName, FilterExpression: `begins_with(pk, :c) AND sk IN (${Object.keys(values).join(', ')})`, ExpressionAttributeValues: { ...values, ':c': 'C#' }, ExclusiveStartKey: start }),
        );
        out.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return out;
  }

  private async counters(s: Subject): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for (const id of s.profileIds) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.ddb.send(new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `CAP#${id}` }, ExclusiveStartKey: start, ConsistentRead: true }));
        out.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return out;
  }

  async find(s: Subject): Promise<Found> {
    if (s.profileIds.length === 0) return { count: 0, items: [] };
    const items = [...(await this.sendRecords(s)), ...(await this.counters(s))];
    return { count: items.length, items };
  }

  async erase(s: Subject, found: Found, ctx: EraseContext): Promise<EraseOutcome> {
    for (const item of found.items as Record<string, unknown>[]) {
      const key = { pk: String(item.pk), sk: String(item.sk) };
      if (key.pk.startsWith('C#')) {
        const personId = anonymisedPersonId(ctx.nonce, String(item.campaignId), String(item.personId));
        const copy: Record<string, unknown> = { ...item, sk: `${SEND_RECORD_SK_PREFIX}${personId}`, personId, anonymisedAt: ctx.now };
        for (const a of DROPPED) delete copy[a];
        await this.ddb.send(new PutCommand({ TableName: this.tableName, Item: copy }));
      }
      await this.ddb.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
    }
    return { remaining: (await this.find(s)).count };
  }
}

export class SuppressionPrivacyStore implements PersonStore {
  readonly store = 'suppression' as const;
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private addresses(s: Subject) {
    return [...s.emails.map((address) => ({ channel: 'email' as const, address })), ...s.phones.map((address) => ({ channel: 'sms' as const, address }))];
  }

  async find(s: Subject): Promise<Found> {
    const keys = [...new Map(this.addresses(s).map((a) => [suppressionKey(a.channel, a.address).pk, suppressionKey(a.channel, a.address)])).values()];
    if (keys.length === 0) return { count: 0, items: [] };
    const out = await this.ddb.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }));
    if (Object.keys(out.UnprocessedKeys ?? {}).length) throw new Error('privacy: suppression lookup left keys unprocessed');
    const items = out.Responses?.[this.tableName] ?? [];
    return { count: items.length, items };
  }

  async erase(s: Subject, _found: Found, ctx: EraseContext): Promise<EraseOutcome> {
    const list = new DynamoSuppressionList(this.ddb, this.tableName);
    for (const a of this.addresses(s)) await list.add({ ...a, reason: 'manual', at: ctx.now, source: 'erasure' });
    return { remaining: 0, kept: (await this.find(s)).count };
  }
}
