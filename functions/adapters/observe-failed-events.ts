/**
 * FailedEventCounts on the failed-events bucket: its keys are
 * `failed/dt=<day>/reason=<reason>/…` (s3-failed-event-sink.ts), so counting by reason is a
 * listing, no object read. Bounded: at most 10 pages of 1,000 keys per day (`truncated` says so).
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { FailedEventCounts } from '../domain/observe/ports.ts';

const MAX_PAGES = 10;

export class S3FailedEventCounts implements FailedEventCounts {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async countByReason(days: string[]) {
    const counts: Record<string, number> = {};
    let truncated = false;
    for (const day of days) {
      let token: string | undefined;
      for (let page = 0; ; page++) {
        if (page === MAX_PAGES) {
          truncated = true;
          break;
        }
        const out = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `failed/dt=${day}/`, ContinuationToken: token }));
        for (const o of out.Contents ?? []) {
          const reason = /\/reason=([^/]+)\//.exec(o.Key ?? '')?.[1];
          if (reason) counts[reason] = (counts[reason] ?? 0) + 1;
        }
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
        if (!token) break;
      }
    }
    return { counts, truncated };
  }
}
