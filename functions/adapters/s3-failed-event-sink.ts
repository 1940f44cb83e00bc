/**
 * FailedEventSink on S3: one object per refused record, keyed by date and reason so an
 * operator (or Athena) can list "what was refused on a day, and why" without scanning.
 *   failed/dt=YYYY-MM-DD/reason=<reason>/<stage>-<messageId or random>.json
 * A deterministic key per message makes a retried write overwrite, not duplicate.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import type { FailedEvent } from '../../schemas/failed-event.ts';
import type { FailedEventSink } from '../domain/shared/ports.ts';

export function failedEventKey(r: FailedEvent): string {
  const id = (r.messageId ?? randomUUID()).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
  return `failed/dt=${r.at.slice(0, 10)}/reason=${r.reason}/${r.stage}-${id}.json`;
}

export class S3FailedEventSink implements FailedEventSink {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(records: FailedEvent[]): Promise<void> {
    // Sequential on purpose: a handful per batch in normal operation, and S3 errors must surface.
    for (const r of records) {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: failedEventKey(r),
          Body: JSON.stringify(r),
          ContentType: 'application/json',
        }),
      );
    }
  }
}
