/**
 * Reads a Kinesis batch, shared by the stream consumers (tag and archive on the clean
 * stream, score on the changes stream): records that do not match the stream's schema
 * (corrupt gzip, not JSON, wrong shape) become failed events with their reason and
 * payload; the rest are returned in stream order (a bundle's items in their order).
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { ZodError, type ZodType } from 'zod';
import { cleanEventSchema, type CleanEvent } from '../../schemas/clean-event.ts';
import type { FailedEvent } from '../../schemas/failed-event.ts';
import { decodeRecord, itemsOf } from './record-codec.ts';

export function readCleanRecords(event: KinesisStreamEvent, context: Context, stage: FailedEvent['stage'], at: string) {
  return readStreamRecords<CleanEvent>(event, context, stage, at, cleanEventSchema);
}

export async function readStreamRecords<T>(
  event: KinesisStreamEvent,
  context: Context,
  stage: FailedEvent['stage'],
  at: string,
  schema: ZodType<T>,
): Promise<{ events: T[]; failed: FailedEvent[]; response: KinesisStreamBatchResponse }> {
  const events: T[] = [];
  const failed: FailedEvent[] = [];
  const readRecord = async (record: KinesisStreamRecord) => {
    let payload: unknown = record.kinesis.data;
    try {
      payload = JSON.parse(decodeRecord(record.kinesis.data));
    } catch {
      failed.push({ v: 1, stage, reason: 'invalid_json', detail: 'record is neither JSON nor gzipped JSON', at, payload });
      return;
    }
    // A bundle's items one by one (record-codec.ts): one bad item does not refuse its neighbours.
    for (const item of itemsOf(payload)) {
      try {
        events.push(schema.parse(item));
      } catch (err) {
        const detail = err instanceof ZodError ? err.message.slice(0, 500) : String(err).slice(0, 500);
        failed.push({ v: 1, stage, reason: 'schema_violation', detail, at, payload: item });
      }
    }
  };
  const response = await processPartialResponse(event, readRecord, new BatchProcessor(EventType.KinesisDataStreams), { context, processInParallel: false });
  return { events, failed, response };
}
