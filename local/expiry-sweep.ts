/**
 * The local platform's expiry sweep: what S3 lifecycle rules and DynamoDB TTL do in AWS, which
 * s3rver and dynalite do not do at all.
 *
 * - The ages are the CDK app's own, read from the synthesized templates (local/cdk-model.ts:
 *   a bucket's lifecycle `ExpirationInDays`, a table's TTL attribute), so there is no second
 *   list: failed events 30 days and interactions 730 days (lib/constructs/data.ts), and
 *   whatever a later construct sets.
 * - Buckets: objects whose LastModified is older than their bucket's expiration are deleted
 *   (s3rver keeps no versions, so this is the whole of what expiration plus
 *   noncurrent-version expiration end with in AWS). Tables: items whose TTL attribute (epoch
 *   seconds) is in the past are deleted — in AWS within about 48 hours of it, here at the next
 *   sweep.
 * - `npm start` runs it at start and then hourly (local/platform.ts); it takes `now`, so tests
 *   move time instead of waiting.
 */
import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LocalModel } from './cdk-model.ts';

export interface ExpiryRules {
  buckets: { name: string; days: number }[];
  tables: { name: string; ttlAttribute: string; keys: string[] }[];
}

const DAY_MS = 86_400_000;
export const SWEEP_INTERVAL_MS = 3_600_000;

/** What expires, from the synthesized model. */
export function expiryRules(model: LocalModel): ExpiryRules {
  return {
    buckets: model.buckets.filter((b) => b.expirationDays !== undefined).map((b) => ({ name: b.name, days: b.expirationDays! })),
    tables: model.tables.filter((t) => t.ttlAttribute).map((t) => ({ name: t.name, ttlAttribute: t.ttlAttribute!, keys: (t.keySchema as { AttributeName: string }[]).map((k) => k.AttributeName) })),
  };
}

export interface SweepReport {
  objects: Record<string, number>;
  items: Record<string, number>;
}

async function sweepBucket(s3: S3Client, bucket: string, cutoff: number): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    const old = (page.Contents ?? []).filter((o) => o.Key && o.LastModified && o.LastModified.getTime() < cutoff).map((o) => ({ Key: o.Key! }));
    if (old.length > 0) {
      const out = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: old, Quiet: true } }));
      if (out.Errors?.length) throw new Error(`expiry sweep: ${out.Errors.length} objects of ${bucket} not deleted (${out.Errors[0].Code})`);
      deleted += old.length;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}

async function sweepTable(doc: DynamoDBDocumentClient, t: ExpiryRules['tables'][number], nowSeconds: number): Promise<number> {
  let deleted = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: t.name, FilterExpression: '#ttl < :now', ExpressionAttributeNames: { '#ttl': t.ttlAttribute }, ExpressionAttributeValues: { ':now': nowSeconds }, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) {
      // Conditional, as TTL is: an item whose expiry was pushed back meanwhile stays.
      await doc
        .send(new DeleteCommand({ TableName: t.name, Key: Object.fromEntries(t.keys.map((k) => [k, item[k]])), ConditionExpression: '#ttl < :now', ExpressionAttributeNames: { '#ttl': t.ttlAttribute }, ExpressionAttributeValues: { ':now': nowSeconds } }))
        .then(() => (deleted += 1))
        .catch((err: Error) => {
          if (err.name !== 'ConditionalCheckFailedException') throw err;
        });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return deleted;
}

/** One sweep as of `now`: what it deleted per bucket and table. */
export async function sweepExpired(clients: { s3: S3Client; doc: DynamoDBDocumentClient }, rules: ExpiryRules, now: Date): Promise<SweepReport> {
  const report: SweepReport = { objects: {}, items: {} };
  for (const b of rules.buckets) report.objects[b.name] = await sweepBucket(clients.s3, b.name, now.getTime() - b.days * DAY_MS);
  for (const t of rules.tables) report.items[t.name] = await sweepTable(clients.doc, t, Math.floor(now.getTime() / 1000));
  return report;
}

/** Sweeps now and then every `intervalMs`; errors go to `onError` (the next sweep tries again). */
export function startExpirySweep(clients: { s3: S3Client; doc: DynamoDBDocumentClient }, rules: ExpiryRules, opts: { intervalMs?: number; now?: () => Date; onError?: (e: unknown) => void } = {}) {
  const now = opts.now ?? (() => new Date());
  let running: Promise<unknown> = Promise.resolve();
  const run = () => (running = sweepExpired(clients, rules, now()).catch((e) => opts.onError?.(e)));
  run();
  const timer = setInterval(run, opts.intervalMs ?? SWEEP_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
