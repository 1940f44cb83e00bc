/**
 * Reads a Kinesis batch of the clean stream, shared by its consumers (tag, archive):
 * records that are not a clean event (corrupt gzip, not JSON, wrong schema) become failed
 * events with their reason and payload; the rest are returned in stream order.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { ZodError } from 'zod';
import { cleanEventSchema, type CleanEvent } from '../../schemas/clean-event.ts';
import type { FailedEvent } from '../../schemas/failed-event.ts';
import { decodeRecord } from './record-codec.ts';

export async function readCleanRecords(
  event: KinesisStreamEvent,
  context: Context,
  stage: FailedEvent['stage'],
  at: string,
): Promise<{ events: CleanEvent[]; failed: FailedEvent[]; response: KinesisStreamBatchResponse }> {
  const events: CleanEvent[] = [];
  const failed: FailedEvent[] = [];
  const readRecord = async (record: KinesisStreamRecord) => {
    let payload: unknown = record.kinesis.data;
    try {
      payload = decodeRecord(record.kinesis.data);
      payload = JSON.parse(payload as string);
      events.push(cleanEventSchema.parse(payload));
    } catch (err) {
      const schema = err instanceof ZodError;
      const detail = schema ? (err as Error).message.slice(0, 500) : 'record is neither JSON nor gzipped JSON';
      failed.push({ v: 1, stage, reason: schema ? 'schema_violation' : 'invalid_json', detail, at, payload });
    }
  };
  const response = await processPartialResponse(event, readRecord, new BatchProcessor(EventType.KinesisDataStreams), { context, processInParallel: false });
  return { events, failed, response };
}
