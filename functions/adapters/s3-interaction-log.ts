/**
 * The interaction log on S3 (functions/domain/recommend/interaction-log.ts): one CSV object
 * per batch under interactions/dt=…/, read back whole by the trainer.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { INTERACTION_LOG_PREFIX } from '../domain/recommend/interaction-log.ts';
import type { InteractionLog } from '../domain/recommend/ports.ts';

export class S3InteractionLog implements InteractionLog {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, csv: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: csv, ContentType: 'text/csv' }));
  }

  /** Every log object's text, oldest day first; `onObject` reports progress. */
  async *readAll(onObject?: (done: number, bytes: number) => void): AsyncGenerator<string> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: INTERACTION_LOG_PREFIX, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key?.endsWith('.csv')) keys.push(o.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    keys.sort();
    let bytes = 0;
    for (let i = 0; i < keys.length; i++) {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: keys[i] }));
      const text = await out.Body!.transformToString('utf8');
      bytes += text.length;
      onObject?.(i + 1, bytes);
      yield text;
    }
  }
}
