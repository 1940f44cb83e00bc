/**
 * FrequencyCapStore on the campaigns table (keys in campaigns-table.ts): one counter item per
 * person and window, `CAP#<personId>` / `<window>#<key>`, shared by every campaign.
 *
 * Design:
 * - A window is reserved with one UpdateItem, `ADD n :one` under
 *   `attribute_not_exists(n) OR n < :cap`: the check and the increment are one atomic
 *   single-item write, so of any number of concurrent reservers exactly `cap` succeed.
 * - Several windows (day, then week) are reserved one after the other, because dynalite has
 *   no transactions (and TransactWriteItems costs twice the units). If a later window is
 *   full or its write fails, the windows already taken are given back (`ADD n :minusOne`)
 *   before answering, so "false" holds nothing. Between the two writes another reserver may
 *   see the first counter one too high and be refused: a conservative error (one message
 *   fewer, never one too many), and only while a reservation is being rolled back.
 * - release never takes a counter below zero (`n > :zero`): if TTL has already deleted the
 *   counter (the window is long over), there is nothing to give back, and an unconditional
 *   ADD would create `n = -1`, one extra send in a future window with the same key.
 * - If giving back fails (throttling beyond the SDK's retries), the original error is thrown
 *   with the release failure attached; the counter stays one too high, again the
 *   conservative side.
 * - `expiresAt` (epoch seconds, the table's TTL attribute) is set once per counter, past the
 *   end of its window in any zone (campaigns-table.ts), so counters clean themselves up in AWS.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CapWindow, FrequencyCapStore } from '../domain/campaigns/ports.ts';
import type { CapacityMeter } from './dynamo-profile-store.ts';
import { capCounterExpiry, capCounterKey } from './campaigns-table.ts';

export class DynamoFrequencyCapStore implements FrequencyCapStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly opts: { meter?: CapacityMeter; now?: () => Date } = {},
  ) {}

  private count(c?: { CapacityUnits?: number }) {
    if (this.opts.meter && c) this.opts.meter.add('write', c.CapacityUnits ?? 0);
  }

  /** One window: true if its counter was below the cap and now holds one more. */
  private async take(personId: string, w: CapWindow): Promise<boolean> {
    const now = this.opts.now?.() ?? new Date();
    try {
      const out = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: capCounterKey(personId, w),
          UpdateExpression: 'ADD n :one SET expiresAt = if_not_exists(expiresAt, :exp), kind = :kind, schemaVersion = :v',
          ConditionExpression: 'attribute_not_exists(n) OR n < :cap',
          ExpressionAttributeValues: { ':one': 1, ':cap': w.cap, ':exp': capCounterExpiry(w, now), ':kind': 'cap', ':v': 1 },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count(out.ConsumedCapacity);
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  private async giveBack(personId: string, w: Pick<CapWindow, 'window' | 'key'>): Promise<void> {
    try {
      const out = await this.ddb.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: capCounterKey(personId, w),
          UpdateExpression: 'ADD n :minusOne',
          ConditionExpression: 'n > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
      this.count(out.ConsumedCapacity);
    } catch (err) {
      // Nothing held (the counter expired or is already zero): nothing to give back.
      if (err instanceof ConditionalCheckFailedException) return;
      throw err;
    }
  }

  async reserve(personId: string, windows: readonly CapWindow[]): Promise<boolean> {
    const held: CapWindow[] = [];
    for (const w of windows) {
      let ok: boolean;
      try {
        // A cap of 0 (or less) admits nobody: no write needed to know that.
        ok = w.cap > 0 && (await this.take(personId, w));
      } catch (err) {
        await this.rollBack(personId, held, err);
        throw err;
      }
      if (!ok) {
        await this.rollBack(personId, held);
        return false;
      }
      held.push(w);
    }
    return true;
  }

  private async rollBack(personId: string, held: readonly CapWindow[], cause?: unknown): Promise<void> {
    // Newest first, the reverse of taking; every window is tried even if one fails.
    const results = await Promise.allSettled([...held].reverse().map((w) => this.giveBack(personId, w)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    if (failed.length === 0) return;
    if (cause !== undefined) {
      // The caller rethrows `cause`; attach what could not be given back so it is not lost.
      if (cause instanceof Error) (cause as Error & { releaseErrors?: unknown[] }).releaseErrors = failed;
      return;
    }
    throw new AggregateError(failed, `frequency cap for ${personId}: could not give back ${failed.length} window(s) after a refused reservation`);
  }

  async release(personId: string, windows: readonly CapWindow[]): Promise<void> {
    const results = await Promise.allSettled(windows.map((w) => this.giveBack(personId, w)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    if (failed.length > 0) throw new AggregateError(failed, `frequency cap for ${personId}: could not give back ${failed.length} window(s)`);
  }
}
