/**
 * EventSink on Kinesis PutRecords. `FailedRecordCount` is never ignored: the failed
 * entries (throttled, internal errors) are re-sent with backoff; after the last attempt the
 * call throws, so the caller's retry (HTTP 5xx to the SDK, or the stream's retry) takes over.
 * Records go in request order within a partition key: Kinesis keeps order per shard, and a
 * re-sent record can only be later than its successful predecessors.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { EventSink, StreamRecordOut } from '../domain/shared/ports.ts';
import { encodeRecord } from '../shared/record-codec.ts';

/** Kinesis limits: 500 records and 5 MiB per PutRecords call, 1 MiB per record. */
const MAX_RECORDS = 500;
const MAX_BYTES = 5 * 1024 * 1024 - 64 * 1024;

export class KinesisEventSink implements EventSink {
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly maxAttempts = 6,
    private readonly sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async put(records: StreamRecordOut[]): Promise<void> {
    const entries: PutRecordsRequestEntry[] = records.map((r) => ({
      PartitionKey: r.partitionKey.slice(0, 256),
      Data: encodeRecord(r.data),
    }));
    let chunk: PutRecordsRequestEntry[] = [];
    let bytes = 0;
    for (const e of entries) {
      const size = e.Data!.length + e.PartitionKey!.length;
      if (chunk.length === MAX_RECORDS || bytes + size > MAX_BYTES) {
        await this.putChunk(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(e);
      bytes += size;
    }
    if (chunk.length > 0) await this.putChunk(chunk);
  }

  private async putChunk(chunk: PutRecordsRequestEntry[]): Promise<void> {
    let pending = chunk;
    for (let attempt = 1; ; attempt++) {
      const out = await this.kinesis.send(new PutRecordsCommand({ StreamName: this.streamName, Records: pending }));
      if (!out.FailedRecordCount) return;
      const failed = pending.filter((_, i) => out.Records?.[i]?.ErrorCode);
      if (attempt >= this.maxAttempts) {
        const code = out.Records?.find((r) => r.ErrorCode)?.ErrorCode;
        throw new Error(`PutRecords: ${failed.length} of ${pending.length} records still failing after ${attempt} attempts (${code})`);
      }
      pending = failed;
      await this.sleep(Math.min(1000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
    }
  }
}
