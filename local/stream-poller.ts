/**
 * Reproduces the Lambda event-source-mapping contract for Kinesis, because kinesalite
 * never invokes Lambda (written here: no library emulates ESM semantics):
 * - one poller per shard, records in order; batches of up to BatchSize, filled for up to
 *   MaximumBatchingWindowInSeconds;
 * - ReportBatchItemFailures: the checkpoint moves to just before the lowest failed item
 *   and the batch is retried from there;
 * - a thrown error is retried; with BisectBatchOnFunctionError the batch is split in two
 *   and each half retried on its own; MaximumRetryAttempts bounds the retries;
 * - records older than MaximumRecordAgeInSeconds are not delivered;
 * - what is given up goes to the on-failure destination (an S3 object holding the
 *   invocation record and the payload, as Lambda's S3 destination does), and is said on the
 *   console, one line per give-up (`onGiveUp`): in AWS the iterator-age and destination
 *   alarms would tell; locally nothing else would;
 * - checkpoints persist in the data directory, so a restart continues where it stopped.
 */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { KinesisStreamEvent } from 'aws-lambda';
import type { MappingSpec } from './cdk-model.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './cdk-model.ts';

export interface Invoker {
  invoke<R = unknown>(event: unknown): Promise<R>;
}

export class CheckpointFile {
  private data: Record<string, string>;
  constructor(private readonly path: string) {
    this.data = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  }
  get(key: string): string | undefined {
    return this.data[key];
  }
  set(key: string, seq: string): void {
    this.data[key] = seq;
    writeFileSync(this.path, JSON.stringify(this.data, null, 1));
  }
}

export interface PollerStats {
  invocations: number;
  recordsDelivered: number;
  retries: number;
  bisections: number;
  recordsToDestination: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records a consumer gave up: what Lambda's on-failure destination is told, and where it was kept. */
export interface GiveUp {
  functionName: string;
  streamName: string;
  shardId: string;
  count: number;
  /** Lambda's condition: RetryAttemptsExhausted or RecordAgeExceeded. */
  condition: string;
  attempts: number;
  /** The function's last error, when it threw (cut to 200 characters). */
  error?: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  /** `s3://bucket/key` of the destination object; undefined when the mapping has no destination. */
  storedAt?: string;
}

/** The one console line for a give-up. */
export function formatGiveUp(g: GiveUp): string {
  const why = g.condition === 'RecordAgeExceeded' ? 'older than the maximum record age' : `after ${g.attempts} attempts${g.error ? `: ${g.error}` : ''}`;
  const where = g.storedAt ? `kept in ${g.storedAt}` : 'NOT KEPT (the mapping has no on-failure destination)';
  return `[give-up] ${g.functionName}: ${g.count} record${g.count === 1 ? '' : 's'} of ${g.streamName}/${g.shardId} given up, ${g.condition} ${why}; ${where}`;
}

export class StreamPoller {
  readonly stats: PollerStats = { invocations: 0, recordsDelivered: 0, retries: 0, bisections: 0, recordsToDestination: 0 };
  private running = false;
  private loops: Promise<void>[] = [];
  private busyShards = new Set<string>();
  private lagging = new Set<string>();

  constructor(
    private readonly mapping: MappingSpec,
    private readonly fn: Invoker,
    private readonly kinesis: KinesisClient,
    private readonly s3: S3Client,
    private readonly checkpoints: CheckpointFile,
    private readonly options: {
      idleMs?: number;
      retryBaseMs?: number;
      onError?: (e: Error) => void;
      /** Called once per give-up, after the destination write; default: one console.warn line (formatGiveUp). */
      onGiveUp?: (g: GiveUp) => void;
    } = {},
  ) {}

  /** The function this mapping delivers to. */
  get functionName(): string {
    return this.mapping.functionName;
  }

  get streamArn() {
    return `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${this.mapping.streamName}`;
  }

  async start(): Promise<void> {
    this.running = true;
    const shards = await this.kinesis.send(new ListShardsCommand({ StreamName: this.mapping.streamName }));
    for (const s of shards.Shards ?? []) this.loops.push(this.run(s.ShardId!));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** True when every shard has been read to its end and nothing is being delivered. */
  get idle(): boolean {
    return this.busyShards.size === 0 && this.lagging.size === 0;
  }

  private key(shardId: string) {
    return `${this.mapping.functionName}|${this.mapping.streamName}|${shardId}`;
  }

  private async iterator(shardId: string): Promise<string> {
    const after = this.checkpoints.get(this.key(shardId));
    const out = await this.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.mapping.streamName,
        ShardId: shardId,
        ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after } : { ShardIteratorType: this.mapping.startingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator!;
  }

  private async run(shardId: string): Promise<void> {
    let it: string | undefined;
    this.lagging.add(shardId);
    while (this.running) {
      try {
        it ??= await this.iterator(shardId);
        // Busy from the first read: a batching window can hold records for a while.
        this.busyShards.add(shardId);
        const { records, next, caughtUp } = await this.fill(it);
        it = next;
        if (records.length === 0) {
          this.busyShards.delete(shardId);
          if (caughtUp) this.lagging.delete(shardId);
          await sleep(this.options.idleMs ?? 100);
          continue;
        }
        this.lagging.add(shardId);
        await this.deliver(shardId, records, 0);
        this.checkpoints.set(this.key(shardId), records[records.length - 1].SequenceNumber!);
        this.busyShards.delete(shardId);
      } catch (err) {
        this.busyShards.delete(shardId);
        this.options.onError?.(err as Error);
        it = undefined; // re-read from the checkpoint
        await sleep(500);
      }
    }
  }

  /** Up to BatchSize records, waiting up to the batching window for more. */
  private async fill(iterator: string): Promise<{ records: _Record[]; next: string; caughtUp: boolean }> {
    const records: _Record[] = [];
    const deadline = Date.now() + this.mapping.batchingWindowSeconds * 1000;
    let it = iterator;
    let caughtUp = false;
    while (records.length < this.mapping.batchSize) {
      const out = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: Math.min(10_000, this.mapping.batchSize - records.length) }));
      records.push(...(out.Records ?? []));
      it = out.NextShardIterator ?? it;
      caughtUp = (out.MillisBehindLatest ?? 0) === 0 && (out.Records ?? []).length === 0;
      if (records.length === 0 || Date.now() >= deadline) break;
      if ((out.Records ?? []).length === 0) await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
    }
    return { records, next: it, caughtUp };
  }

  private eventOf(shardId: string, records: _Record[]): KinesisStreamEvent {
    return {
      Records: records.map((r) => ({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: r.PartitionKey!,
          sequenceNumber: r.SequenceNumber!,
          data: Buffer.from(r.Data!).toString('base64'),
          approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardId}:${r.SequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local`,
        awsRegion: LOCAL_REGION,
        eventSourceARN: this.streamArn,
      })),
    };
  }

  private async deliver(shardId: string, batch: _Record[], attempt: number): Promise<void> {
    const m = this.mapping;
    let records = batch;
    if (m.maxRecordAgeSeconds >= 0) {
      const oldest = Date.now() - m.maxRecordAgeSeconds * 1000;
      const expired = records.filter((r) => (r.ApproximateArrivalTimestamp?.getTime() ?? Date.now()) < oldest);
      if (expired.length > 0) await this.toDestination(shardId, expired, 'RecordAgeExceeded', attempt, undefined);
      records = records.filter((r) => !expired.includes(r));
    }
    while (records.length > 0) {
      let failure: string | undefined;
      try {
        this.stats.invocations += 1;
        const res = await this.fn.invoke<{ batchItemFailures?: { itemIdentifier: string }[] } | undefined>(this.eventOf(shardId, records));
        const failed = m.reportBatchItemFailures ? (res?.batchItemFailures ?? []) : [];
        if (failed.length === 0) {
          this.stats.recordsDelivered += records.length;
          return;
        }
        const indexes = failed.map((f) => records.findIndex((r) => r.SequenceNumber === f.itemIdentifier));
        // An identifier that is not in the batch fails the whole batch, as in Lambda.
        const from = indexes.some((i) => i < 0) ? 0 : Math.min(...indexes);
        this.stats.recordsDelivered += from;
        records = records.slice(from);
        failure = 'partial batch failure';
      } catch (err) {
        failure = (err as Error).message;
        if (m.bisectOnError && records.length > 1 && (m.maxRetryAttempts < 0 || attempt < m.maxRetryAttempts)) {
          this.stats.bisections += 1;
          const half = Math.ceil(records.length / 2);
          await this.deliver(shardId, records.slice(0, half), attempt + 1);
          await this.deliver(shardId, records.slice(half), attempt + 1);
          return;
        }
      }
      attempt += 1;
      if (m.maxRetryAttempts >= 0 && attempt > m.maxRetryAttempts) {
        await this.toDestination(shardId, records, 'RetryAttemptsExhausted', attempt, failure);
        return;
      }
      this.stats.retries += 1;
      await sleep(Math.min(2000, (this.options.retryBaseMs ?? 50) * 2 ** attempt));
    }
  }

  private async toDestination(shardId: string, records: _Record[], condition: string, attempts: number, error?: string) {
    this.stats.recordsToDestination += records.length;
    const giveUp: GiveUp = {
      functionName: this.mapping.functionName,
      streamName: this.mapping.streamName,
      shardId,
      count: records.length,
      condition,
      attempts,
      error: error === undefined ? undefined : error.length > 200 ? `${error.slice(0, 200)}…` : error,
      firstSequenceNumber: records[0].SequenceNumber!,
      lastSequenceNumber: records[records.length - 1].SequenceNumber!,
    };
    const said = () => (this.options.onGiveUp ?? ((g: GiveUp) => console.warn(formatGiveUp(g))))(giveUp);
    if (!this.mapping.onFailureBucket) return said();
    const now = new Date();
    const d = now.toISOString();
    const key = `aws/lambda/${this.mapping.functionName}/${shardId}/${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${d}-${randomUUID()}`;
    const body = {
      version: '1.0',
      timestamp: d,
      requestContext: { requestId: randomUUID(), functionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${this.mapping.functionName}`, condition, approximateInvokeCount: attempts },
      responseContext: { functionError: error ?? null },
      KinesisBatchInfo: {
        shardId,
        startSequenceNumber: records[0].SequenceNumber,
        endSequenceNumber: records[records.length - 1].SequenceNumber,
        batchSize: records.length,
        streamArn: this.streamArn,
      },
      payload: JSON.stringify(this.eventOf(shardId, records)),
    };
    await this.s3.send(new PutObjectCommand({ Bucket: this.mapping.onFailureBucket, Key: key, Body: JSON.stringify(body), ContentType: 'application/json' }));
    giveUp.storedAt = `s3://${this.mapping.onFailureBucket}/${key}`;
    said();
  }
}
