/**
 * EventSink on Kinesis PutRecords. `FailedRecordCount` is never ignored: the failed
 * entries (throttled, internal errors) are re-sent with backoff; after the last attempt the
 * call throws, so the caller's retry (HTTP 5xx to the SDK, or the stream's retry) takes over.
 *
 * Bundles (functions/shared/record-codec.ts): the records of one put that share a partition
 * key go as one Kinesis record, their data as a JSON array (gzipped once past COMPRESS_FROM),
 * in put order. Kinesis on-demand bills every record rounded up to 1 KB, so ten 600-byte
 * events of one request cost ten units one by one and one unit bundled; a lone record keeps
 * the plain format. Order per partition key holds: within a bundle by position, across puts
 * because Kinesis keeps order per shard and a re-sent bundle can only be later than its
 * successful predecessors. A bundle is capped at BUNDLE_BYTES of JSON, far inside the 1 MiB
 * record limit and the readers' 1 MiB decoded limit.
 * `oneRecordPerPut(sink)` (the profile-changes stream, whose reader needs no order per key:
 * Score re-reads each profile) puts all records of a put as one bundle, under the first
 * record's key: one record per Tag batch instead of one per touched profile.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { EventSink, StreamRecordOut } from '../domain/shared/ports.ts';
import { encodeJson } from '../shared/record-codec.ts';

/** Kinesis limits: 500 records and 5 MiB per PutRecords call, 1 MiB per record. */
const MAX_RECORDS = 500;
const MAX_BYTES = 5 * 1024 * 1024 - 64 * 1024;
/** JSON bytes of one bundle at most (a request of the API is at most 512 KB). */
export const BUNDLE_BYTES = 256 * 1024;

/** Records of small items (profile changes, ~80 bytes) per bundle of oneRecordPerPut: far inside BUNDLE_BYTES. */
const ONE_RECORD_ITEMS = 1000;

/** A sink that puts each put's records as bundles under the put's first key (see the module comment). */
export function oneRecordPerPut(sink: EventSink): EventSink {
  return {
    put: (records) => {
      const bundles: StreamRecordOut[] = [];
      for (let i = 0; i < records.length; i += ONE_RECORD_ITEMS) bundles.push({ partitionKey: records[i].partitionKey, data: records.slice(i, i + ONE_RECORD_ITEMS).map((r) => r.data) });
      return sink.put(bundles);
    },
  };
}

/** Groups records by partition key, in order, into bundles of at most BUNDLE_BYTES of JSON. */
export function bundleRecords(records: StreamRecordOut[]): PutRecordsRequestEntry[] {
  const groups = new Map<string, { items: string[]; bytes: number }[]>();
  for (const r of records) {
    const key = r.partitionKey.slice(0, 256);
    const json = JSON.stringify(r.data);
    const bundles = groups.get(key) ?? [];
    if (bundles.length === 0) groups.set(key, bundles);
    const last = bundles.at(-1);
    if (last && last.bytes + json.length + 1 <= BUNDLE_BYTES) {
      last.items.push(json);
      last.bytes += json.length + 1;
    } else bundles.push({ items: [json], bytes: json.length + 2 });
  }
  const entries: PutRecordsRequestEntry[] = [];
  for (const [key, bundles] of groups) {
    for (const b of bundles) entries.push({ PartitionKey: key, Data: encodeJson(b.items.length === 1 ? b.items[0] : `[${b.items.join(',')}]`) });
  }
  return entries;
}

export class KinesisEventSink implements EventSink {
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly maxAttempts = 6,
    private readonly sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async put(records: StreamRecordOut[]): Promise<void> {
    let chunk: PutRecordsRequestEntry[] = [];
    let bytes = 0;
    for (const e of bundleRecords(records)) {
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
