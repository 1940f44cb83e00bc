/**
 * Clean, one stream batch at a time: each raw record is decoded and cleaned in stream order;
 * records that can never be processed (not JSON, schema violations, unknown versions) and
 * filtered traffic (bots, tests) are kept in the failed-events store with their reason and
 * acknowledged, so one bad record never blocks its shard. What is kept of a refused record
 * has the PII policy applied (minimise-payload.ts), as a clean event has. A record may be a
 * bundle, a JSON array of envelopes (functions/shared/record-codec.ts): each is cleaned, kept
 * or refused on its own. A messageId seen twice in one batch is put once. The clean events go
 * out through the sink, which bundles them per partition key (the person). Storage errors are thrown: the stream retries the batch (bisecting) and
 * at the end its on-failure destination keeps it.
 */
import type { CleanEvent } from '../../../schemas/clean-event.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';
import type { EventSink, FailedEventSink, StreamRecordOut } from '../shared/ports.ts';
import { cleanEnvelope, type CleanOptions } from './clean.ts';
import { minimisedPayload } from './minimise-payload.ts';

export interface CleanBatchDeps {
  sink: EventSink;
  failed: FailedEventSink;
  options: CleanOptions;
  /** Table de-duplication: puts one event unless its messageId was already put (idempotency store). */
  putOnce?: (event: CleanEvent) => Promise<unknown>;
  /** Stream record data → JSON text (base64, maybe gzipped); throws when it cannot. */
  decode: (data: string) => string;
}

/**
 * The browser first, then the person: a session's anonymous events and those after its login
 * (which also carry the anonymousId) land on one shard, so one Tag batch sees the whole
 * session and writes its profile once, instead of two shards each writing their half (and the
 * anonymous half then merged). Events with a userId only (servers, imports) go by the userId.
 */
export const partitionKeyOfClean = (e: CleanEvent) => e.anonymousId ?? e.userId ?? e.messageId;

export interface CleanBatchReport {
  clean: number;
  failed: number;
  duplicates: number;
}

export class CleanBatch {
  private readonly out: StreamRecordOut[] = [];
  private readonly refused: FailedEvent[] = [];
  private readonly seen = new Set<string>();
  private duplicates = 0;

  constructor(
    private readonly deps: CleanBatchDeps,
    private readonly at: string,
  ) {}

  /** One record; resolves when it is cleaned (and, with putOnce, put). */
  async add(record: { sequenceNumber: string; data: string }): Promise<void> {
    let text = record.data;
    let payload: unknown;
    try {
      text = this.deps.decode(record.data);
      payload = JSON.parse(text);
    } catch {
      this.refused.push({ v: 1, stage: 'clean', reason: 'invalid_json', detail: `record ${record.sequenceNumber} is neither JSON nor gzipped JSON`, at: this.at, payload: minimisedPayload(text, 'envelope') });
      return;
    }
    // A bundle (the records of one request that share a partition key): each envelope on its own.
    for (const envelope of Array.isArray(payload) ? payload : [payload]) await this.addEnvelope(envelope);
  }

  private async addEnvelope(payload: unknown): Promise<void> {
    const result = cleanEnvelope(payload, this.deps.options);
    const sourceId = (payload as { sourceId?: string })?.sourceId;
    if (result.kind !== 'clean') {
      this.refused.push({ v: 1, stage: 'clean', reason: result.reason, detail: result.detail, at: this.at, messageId: result.messageId, sourceId: typeof sourceId === 'string' ? sourceId : undefined, payload: minimisedPayload(payload, 'envelope', this.deps.options) });
      return;
    }
    if (this.seen.has(result.event.messageId)) {
      this.duplicates += 1;
      return;
    }
    this.seen.add(result.event.messageId);
    if (this.deps.putOnce) await this.deps.putOnce(result.event);
    else this.out.push({ partitionKey: partitionKeyOfClean(result.event), data: result.event });
  }

  /** Stores what was refused, then puts the clean events on the clean stream. */
  async flush(): Promise<CleanBatchReport> {
    await this.deps.failed.put(this.refused);
    await this.deps.sink.put(this.out);
    return { clean: this.out.length, failed: this.refused.length, duplicates: this.duplicates };
  }
}
