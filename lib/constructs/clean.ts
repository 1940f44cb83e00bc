/**
 * Clean: raw stream → clean-events → clean stream; refused and filtered events → the
 * failed-events bucket. De-duplication mode and PII policy are configuration.
 */
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { SightlineFunction } from './node-function.ts';
import { StreamConsumer } from './stream-consumer.ts';
import { grantItems } from './grants.ts';

export interface CleanProps {
  readonly rawStream: IStream;
  readonly cleanStream: IStream;
  readonly failedEventsBucket: IBucket;
  /** Put-only access to the failed-events bucket (data.ts). */
  readonly failedEventsWriterPolicy: IManagedPolicy;
  readonly idempotencyTable: ITable;
  /** JSON PII policy (schemas/pii-policy.ts). @default the built-in default policy */
  readonly piiPolicy?: string;
  /** @default 'profile' */
  readonly dedupMode?: 'profile' | 'table';
}

export class Clean extends Construct {
  public readonly fn: SightlineFunction<'clean-events'>;
  public readonly consumer: StreamConsumer;

  constructor(scope: Construct, id: string, props: CleanProps) {
    super(scope, id);
    this.fn = new SightlineFunction(this, 'CleanEvents', {
      functionName: 'clean-events',
      environment: {
        CLEAN_STREAM_NAME: props.cleanStream.streamName,
        FAILED_EVENTS_BUCKET: props.failedEventsBucket.bucketName,
        IDEMPOTENCY_TABLE_NAME: props.idempotencyTable.tableName,
        PII_POLICY: props.piiPolicy ?? '',
        DEDUP_MODE: props.dedupMode ?? 'profile',
      },
      timeout: Duration.seconds(60),
      description: 'Validate, normalise, de-duplicate, filter and minimise events',
      managedPolicies: [props.failedEventsWriterPolicy],
    });
    props.cleanStream.grantWrite(this.fn.fn);
    if ((props.dedupMode ?? 'profile') === 'table') grantItems(this.fn.fn, props.idempotencyTable, ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem']);
    this.consumer = new StreamConsumer(this, 'Consumer', {
      fn: this.fn.fn,
      stream: props.rawStream,
      failedEventsBucket: props.failedEventsBucket,
      failedEventsWriterPolicy: props.failedEventsWriterPolicy,
      serviceName: 'clean-events',
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
    });
  }
}
