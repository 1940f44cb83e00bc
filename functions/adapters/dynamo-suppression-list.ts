/**
 * SuppressionList on the campaigns table (keys in campaigns-table.ts):
 * `SUP#<channel>#<sha256hex(address)>` / `SUP`.
 *
 * Design:
 * - Only the SHA-256 of the normalised address is stored, in the key and nowhere else; the
 *   raw address never reaches the table. Lookups hash the addresses the caller holds, so
 *   nothing needs to go back from hash to address, and `findMany` answers with the caller's
 *   own strings.
 * - findMany is BatchGetItem, 100 keys a request, re-requesting `UnprocessedKeys` with
 *   backoff (the SDK retries throttled requests, not partial answers) and throwing if keys
 *   are still unprocessed after the retries: a suppressed person silently treated as not
 *   suppressed would be emailed after unsubscribing. Eventually consistent reads: an
 *   unsubscribe written a second before a page is read is also applied to the person's
 *   consent (unsubscribe handler), which the page reads from the profile.
 * - add is a PutItem under `attribute_not_exists(pk)`: the first reason stands (an
 *   unsubscribe is not turned into a bounce by a later bounce of the same address), and
 *   re-adding is idempotent, which at-least-once feedback needs.
 */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { CampaignChannel } from '../../schemas/campaign.ts';
import type { SuppressionEntry, SuppressionList } from '../domain/campaigns/ports.ts';
import type { CapacityMeter } from './dynamo-profile-store.ts';
import { BATCH_GET_MAX, hashAddress, putIfAbsent, sleep, suppressionKey, UNPROCESSED_RETRIES } from './campaigns-table.ts';

/** The stored item (schema version 1), beyond the key. No address: only its hash. */
export const storedSuppressionSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal('suppression'),
  channel: z.enum(['email', 'sms', 'webhook']),
  addressHash: z.string().regex(/^[0-9a-f]{64}$/),
  reason: z.enum(['unsubscribe', 'bounce', 'complaint', 'manual']),
  at: z.string(),
  /** What put it there: `unsubscribe-link`, `ses-feedback`, `cli`, a campaign id … */
  source: z.string().optional(),
});

export class DynamoSuppressionList implements SuppressionList {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly opts: { meter?: CapacityMeter; baseDelayMs?: number } = {},
  ) {}

  private count(kind: 'read' | 'write', c?: { CapacityUnits?: number } | { CapacityUnits?: number }[]) {
    if (!this.opts.meter || !c) return;
    for (const x of Array.isArray(c) ? c : [c]) this.opts.meter.add(kind, x.CapacityUnits ?? 0);
  }

  async findMany(channel: CampaignChannel, addresses: readonly string[]): Promise<ReadonlyMap<string, SuppressionEntry>> {
    // pk → the caller's addresses with that hash (two spellings can normalise to one).
    const byPk = new Map<string, string[]>();
    for (const a of addresses) {
      const { pk } = suppressionKey(channel, a);
      byPk.set(pk, [...(byPk.get(pk) ?? []), a]);
    }
    const found = new Map<string, SuppressionEntry>();
    const pks = [...byPk.keys()];
    for (let i = 0; i < pks.length; i += BATCH_GET_MAX) {
      let request: Record<string, unknown>[] | undefined = pks.slice(i, i + BATCH_GET_MAX).map((pk) => ({ pk, sk: 'SUP' }));
      for (let attempt = 0; request && request.length > 0; attempt++) {
        if (attempt > UNPROCESSED_RETRIES) throw new Error(`suppression lookup: BatchGetItem left ${request.length} keys unprocessed after ${UNPROCESSED_RETRIES} retries`);
        if (attempt > 0) await sleep(2 ** attempt * (this.opts.baseDelayMs ?? 10));
        const out = await this.ddb.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: request } }, ReturnConsumedCapacity: 'TOTAL' }));
        this.count('read', out.ConsumedCapacity);
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const { pk, sk: _sk, ...rest } = item;
          const stored = storedSuppressionSchema.parse(rest);
          for (const address of byPk.get(String(pk)) ?? []) found.set(address, { channel: stored.channel, address, reason: stored.reason, at: stored.at });
        }
        request = out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined;
      }
    }
    return found;
  }

  /** Suppresses the address (its hash); already suppressed is success (the first reason stands). */
  async add(entry: SuppressionEntry & { source?: string }): Promise<void> {
    await this.addIfAbsent(entry);
  }

  /** As add; true when this call suppressed it, false when it already was. */
  async addIfAbsent(entry: SuppressionEntry & { source?: string }): Promise<boolean> {
    const item = {
      ...suppressionKey(entry.channel, entry.address),
      schemaVersion: 1,
      kind: 'suppression',
      channel: entry.channel,
      addressHash: hashAddress(entry.channel, entry.address),
      reason: entry.reason,
      at: entry.at,
      ...(entry.source !== undefined ? { source: entry.source } : {}),
    };
    return putIfAbsent(this.ddb, this.tableName, item, (u) => this.opts.meter?.add('write', u));
  }

}
