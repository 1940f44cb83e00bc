/**
 * Ports two or more pieces share: the failed-events store (every piece keeps what it
 * refuses, with the reason) and a stream to put records on (raw, clean, profile changes).
 */
import type { FailedEvent } from '../../../schemas/failed-event.ts';

export interface FailedEventSink {
  put(records: FailedEvent[]): Promise<void>;
}

export interface StreamRecordOut {
  partitionKey: string;
  data: unknown;
}
export interface EventSink {
  /** Puts every record or throws: partial failures are retried inside the adapter. */
  put(records: StreamRecordOut[]): Promise<void>;
}
