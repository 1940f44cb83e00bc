/**
 * The interaction log: what the pipeline archives from the clean stream for the recommenders
 * to train on — the embedded one (`sightline train recommender`) and Amazon Personalize
 * (dataset import jobs read the same objects).
 *
 * Design:
 * - One CSV object per consumer batch, in Personalize's interactions format: a header of
 *   schema field names, TIMESTAMP in Unix seconds. Columns: USER_ID, ITEM_ID, TIMESTAMP,
 *   EVENT_TYPE ("purchase" | "view"), QUANTITY, COUNTRY (empty when unknown). CSV, not JSON:
 *   it is what Personalize imports, and a third of the bytes.
 * - USER_ID is the app's userId, or the anonymousId of a visitor who never signed in: the id
 *   an app asks recommendations for.
 * - The object key is derived from the batch's messageIds, so a re-delivered batch rewrites
 *   its own object instead of adding a copy; rows repeated across differently-split batches
 *   (after a bisect) are identical lines, which `readInteractionLog` drops.
 * - Only what the recommenders use leaves the stream: no traits, no emails, no prices.
 */
import { createHash } from 'node:crypto';
import type { CleanEvent } from '../../../schemas/clean-event.ts';
import type { Interaction } from './interactions.ts';

export type InteractionEventType = 'purchase' | 'view';

export interface InteractionRow {
  userId: string;
  itemId: string;
  /** Unix seconds. */
  timestamp: number;
  eventType: InteractionEventType;
  quantity: number;
  country?: string;
}

export const INTERACTION_LOG_HEADER = 'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,QUANTITY,COUNTRY';
export const INTERACTION_LOG_PREFIX = 'interactions/';

const countryOf = (e: CleanEvent): string | undefined => {
  const c = e.properties.country ?? e.traits.country;
  return typeof c === 'string' && c.trim() ? c.trim() : undefined;
};

/** Purchases (one row per product of a completed order) and product views. */
export function interactionsFromEvents(events: readonly CleanEvent[]): InteractionRow[] {
  const rows: InteractionRow[] = [];
  for (const e of events) {
    const userId = e.userId ?? e.anonymousId;
    if (!userId || e.type !== 'track') continue;
    const timestamp = Math.floor(Date.parse(e.timestamp) / 1000);
    const country = countryOf(e);
    if (e.event === 'Order Completed' && e.order) {
      for (const p of e.order.products) {
        if (p.quantity > 0) rows.push({ userId, itemId: p.productId, timestamp, eventType: 'purchase', quantity: p.quantity, ...(country ? { country } : {}) });
      }
    } else if (e.event === 'Product Viewed') {
      const itemId = e.properties.product_id ?? e.properties.productId ?? e.properties.sku;
      if (typeof itemId === 'string' && itemId) rows.push({ userId, itemId, timestamp, eventType: 'view', quantity: 1, ...(country ? { country } : {}) });
    }
  }
  return rows;
}

/** RFC 4180 quoting, only where needed (ids may contain commas or quotes). */
function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function encodeInteractionLog(rows: readonly InteractionRow[]): string {
  const lines = rows.map((r) => [field(r.userId), field(r.itemId), r.timestamp, r.eventType, r.quantity, field(r.country ?? '')].join(','));
  return `${INTERACTION_LOG_HEADER}\n${lines.join('\n')}\n`;
}

/** Splits one CSV line with RFC 4180 quotes. */
function splitLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') out.push(cur), (cur = '');
    else cur += c;
  }
  out.push(cur);
  return out;
}

export class InvalidInteractionLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInteractionLogError';
  }
}

/**
 * Reads log objects back, dropping exact duplicate lines (the same interaction archived twice).
 * Hand-written rather than csv-parse: the format is ours, one record per line, and the
 * reader runs in the trainer over every archived object.
 */
export function readInteractionLog(texts: Iterable<string>): InteractionRow[] {
  const seen = new Set<string>();
  const rows: InteractionRow[] = [];
  for (const text of texts) {
    const lines = text.split('\n');
    if (lines[0].trim() !== INTERACTION_LOG_HEADER) throw new InvalidInteractionLogError(`interaction log must start with "${INTERACTION_LOG_HEADER}"`);
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      if (!line.trim() || seen.has(line)) continue;
      seen.add(line);
      rows.push(interactionFromFields(splitLine(line), `line ${i + 1}`));
    }
  }
  return rows;
}

/** One row from its fields in header order; `where` names it in the error. */
export function interactionFromFields([userId, itemId, ts, eventType, quantity, country]: (string | undefined)[], where: string): InteractionRow {
  const timestamp = Number(ts);
  if (!userId || !itemId || !ts || !Number.isFinite(timestamp) || (eventType !== 'purchase' && eventType !== 'view')) {
    throw new InvalidInteractionLogError(`${where} is not an interaction (USER_ID, ITEM_ID, TIMESTAMP in Unix seconds, EVENT_TYPE purchase|view)`);
  }
  return { userId, itemId, timestamp, eventType, quantity: Number(quantity) || 1, ...(country ? { country } : {}) };
}

/** What the embedded recommender trains on: purchases (views say too little about taste here). */
export function purchasesForTraining(rows: readonly InteractionRow[]): Interaction[] {
  return rows
    .filter((r) => r.eventType === 'purchase')
    .map((r) => ({ userId: r.userId, itemId: r.itemId, timestamp: r.timestamp * 1000, quantity: r.quantity, ...(r.country ? { country: r.country } : {}) }));
}

const utcDay = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().slice(0, 10);

/**
 * interactions/dt=<UTC day of the batch's earliest interaction>/<sha256 of the batch's
 * messageIds, 32 hex>.to-<UTC day of its latest>.csv — the two days bound every row's
 * timestamp, so erasure reads only the objects whose days meet the person's active days
 * (interactionLogDays); a live batch spans seconds, a replayed one a few days at most.
 */
export function interactionLogKey(messageIds: readonly string[], earliest: number, latest = earliest): string {
  const h = createHash('sha256');
  for (const id of [...messageIds].sort()) h.update(id).update('\n');
  return `${INTERACTION_LOG_PREFIX}dt=${utcDay(earliest)}/${h.digest('hex').slice(0, 32)}.to-${utcDay(latest)}.csv`;
}

/** The days an object's rows fall in, from its key; undefined for a key without them (written before they were named: read it). */
export function interactionLogDays(key: string): { from: string; to: string } | undefined {
  const m = /\/dt=(\d{4}-\d{2}-\d{2})\/[0-9a-f]{32}\.to-(\d{4}-\d{2}-\d{2})\.csv$/.exec(key);
  return m ? { from: m[1], to: m[2] } : undefined;
}
