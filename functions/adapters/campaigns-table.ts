/**
 * The campaigns table: one DynamoDB table (string `pk`, string `sk`, TTL attribute
 * `expiresAt`) holding the three kinds of item the campaign ports need. This file is the one
 * description of its keys; the adapters (dynamo-send-record-store.ts,
 * dynamo-frequency-cap-store.ts, dynamo-suppression-list.ts) build keys only through it.
 *
 * | item            | pk                                   | sk                    | written with |
 * |-----------------|--------------------------------------|-----------------------|--------------|
 * | send record     | `C#<campaignId>`                     | `P#<personId>`        | Put `attribute_not_exists(pk)` (claim), Update `#status = :claimed` (complete) |
 * | cap counter     | `CAP#<personId>`                     | `<window>#<key>` e.g. `day#2025-03-30`, `week#2025-W13` | Update `ADD n :one` under `attribute_not_exists(n) OR n < :cap` |
 * | suppression     | `SUP#<channel>#<sha256hex(address)>` | `SUP`                 | Put `attribute_not_exists(pk)` (the first reason stands) |
 * | definition      | `C#<campaignId>`                     | `DEF`                 | Put `attribute_not_exists(pk) OR definitionHash = :h` |
 * | control         | `C#<campaignId>`                     | `CONTROL`             | Put (the marketer's pause / resume / cancel) |
 * | summary         | `C#<campaignId>`                     | `SUMMARY`             | Put (running totals after each sweep) |
 * | audience cut    | `C#<campaignId>`                     | `AUDIENCE`            | Put `attribute_not_exists(pk)` (a top audience's cut, taken once at Start) |
 * | segment         | `SEGMENTS`                           | `<segmentId>`         | Put (a Query lists them) |
 *
 * Why this shape:
 * - A campaign's records share one partition key, so "one campaign's records by page" is a
 *   Query (`pk = C#id AND begins_with(sk, 'P#')`) with no index and no scan. A million
 *   records under one key is fine without an LSI: DynamoDB splits an item collection across
 *   partitions by sort-key range when it gets hot, and the write rate is bounded by the
 *   provider's send rate (SES: tens to a few hundred per second; ~2–3 writes per recipient:
 *   claim, complete, later a feedback event), well inside what split-for-heat absorbs.
 * - A person's counters share `CAP#<personId>`, one item per window: every campaign hits the
 *   same items, so the per-item condition is what keeps two concurrent campaigns under the
 *   cap. Single-item conditions only: dynalite has no transactions, and a transaction would
 *   cost twice the write units anyway. Counters carry `expiresAt` (epoch seconds) past the
 *   end of their window in every time zone, so AWS TTL deletes them; nothing else expires.
 * - Suppression keys hold only the SHA-256 of the normalised address, never the address: the
 *   table can be read by operators and exported to backups without holding a list of
 *   people's emails and phone numbers. The lookup needs no reverse mapping because callers
 *   always ask about addresses they already hold.
 * - Every item carries `kind` and `schemaVersion` so a scan or export can tell them apart and
 *   a reader can keep accepting older versions.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CampaignChannel } from '../../schemas/campaign.ts';
import type { CapWindow, SendKey } from '../domain/campaigns/ports.ts';
import { normaliseEmail, normalisePhone } from '../domain/campaigns/eligibility.ts';

export const CAMPAIGNS_TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const;

export const SEND_RECORD_SK_PREFIX = 'P#';

export const sendRecordKey = (k: SendKey) => ({ pk: `C#${k.campaignId}`, sk: `${SEND_RECORD_SK_PREFIX}${k.personId}` });

export const capCounterKey = (personId: string, w: Pick<CapWindow, 'window' | 'key'>) => ({ pk: `CAP#${personId}`, sk: `${w.window}#${w.key}` });

/**
 * The address as the suppression list hashes it: the domain's normalisation (lower-cased
 * email, E.164 phone) when it recognises the address, else the trimmed string. Normalising
 * again here is idempotent and means an unsubscribe recorded as `Ann@Example.com` still
 * matches a lookup of `ann@example.com`.
 */
export function canonicalAddress(channel: CampaignChannel, address: string): string {
  const trimmed = address.trim();
  if (channel === 'email') return normaliseEmail(trimmed) ?? trimmed;
  if (channel === 'sms') return normalisePhone(trimmed) ?? trimmed;
  return trimmed;
}

export const hashAddress = (channel: CampaignChannel, address: string): string =>
  createHash('sha256').update(canonicalAddress(channel, address)).digest('hex');

export const suppressionKey = (channel: CampaignChannel, address: string) => ({ pk: `SUP#${channel}#${hashAddress(channel, address)}`, sk: 'SUP' });

const DAY_S = 86_400;
/** Local days run up to 14 h ahead of and 12 h behind UTC: two days of slack covers every zone. */
const SLACK_S = 2 * DAY_S;

/**
 * When a counter can go: the end of its window (read from the key) plus slack. An unreadable
 * key falls back to `now` plus the window's length plus slack — late deletion only costs
 * storage; early deletion would hand out a cap twice, so the fallback errs long.
 */
export function capCounterExpiry(w: Pick<CapWindow, 'window' | 'key'>, now: Date): number {
  if (w.window === 'day') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(w.key);
    if (m) return Date.UTC(+m[1], +m[2] - 1, +m[3]) / 1000 + DAY_S + SLACK_S;
  } else {
    const m = /^(\d{4})-W(\d{2})$/.exec(w.key);
    if (m) {
      // ISO week 1 holds January 4th; its Monday starts the ISO year.
      const jan4 = Date.UTC(+m[1], 0, 4);
      const jan4Weekday = new Date(jan4).getUTCDay() || 7;
      const monday = jan4 / 1000 - (jan4Weekday - 1) * DAY_S + (+m[2] - 1) * 7 * DAY_S;
      return monday + 7 * DAY_S + SLACK_S;
    }
  }
  return Math.floor(now.getTime() / 1000) + (w.window === 'day' ? DAY_S : 7 * DAY_S) + SLACK_S;
}

/** BatchGetItem's limit per request. */
export const BATCH_GET_MAX = 100;
/** Re-requests of UnprocessedKeys before giving up (with exponential backoff from 20 ms). */
export const UNPROCESSED_RETRIES = 8;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const campaignItemKey = (campaignId: string, sk: 'DEF' | 'CONTROL' | 'SUMMARY' | 'AUDIENCE') => ({ pk: `C#${campaignId}`, sk });
export const segmentKey = (segmentId: string) => ({ pk: 'SEGMENTS', sk: segmentId });

/**
 * Puts an item only if none has its key (`attribute_not_exists(pk)`): true when written, false
 * when one existed (which stays as it was). Other errors are thrown. Reports the write units.
 */
export async function putIfAbsent(ddb: DynamoDBDocumentClient, tableName: string, item: Record<string, unknown>, onWrite?: (units: number) => void): Promise<boolean> {
  try {
    const out = await ddb.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)', ReturnConsumedCapacity: 'TOTAL' }));
    onWrite?.(out.ConsumedCapacity?.CapacityUnits ?? 0);
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}
