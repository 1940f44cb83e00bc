/**
 * Tag: clean stream → tag-profiles → profiles table (→ ids of touched profiles on the
 * profile-changes stream, for Score). Larger batches and a longer batching
 * window than Clean: the more of one person's events share a batch, the fewer profile
 * writes (one per person per batch).
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

export interface TagProps {
  readonly cleanStream: IStream;
  readonly profilesTable: ITable;
  readonly failedEventsBucket: IBucket;
  /** Put-only access to the failed-events bucket (data.ts). */
  readonly failedEventsWriterPolicy: IManagedPolicy;
  /** @default 'wall' */
  readonly clock?: 'event' | 'wall';
  /** Where touched profile ids are announced for the score consumer (data.ts). @default none */
  readonly changesStream?: IStream;
}

export class Tag extends Construct {
  public readonly fn: SightlineFunction<'tag-profiles'>;
  public readonly consumer: StreamConsumer;

  constructor(scope: Construct, id: string, props: TagProps) {
    super(scope, id);
    this.fn = new SightlineFunction(this, 'TagProfiles', {
      functionName: 'tag-profiles',
      environment: { PROFILES_TABLE_NAME: props.profilesTable.tableName, FAILED_EVENTS_BUCKET: props.failedEventsBucket.bucketName, TAG_CLOCK: props.clock ?? 'wall', CHANGES_STREAM_NAME: props.changesStream?.streamName ?? '' },
      memorySize: 1024,
      timeout: Duration.seconds(120),
      description: 'Resolve identities, update aggregates and tags',
      managedPolicies: [props.failedEventsWriterPolicy],
    });
    grantItems(this.fn.fn, props.profilesTable, ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem']);
    props.changesStream?.grantWrite(this.fn.fn);
    this.consumer = new StreamConsumer(this, 'Consumer', {
      fn: this.fn.fn,
      stream: props.cleanStream,
      failedEventsBucket: props.failedEventsBucket,
      failedEventsWriterPolicy: props.failedEventsWriterPolicy,
      serviceName: 'tag-profiles',
      // Up to 1,000 events or 5 s: more of one person's events share a batch, so fewer
      // profile writes; profiles are at most a few seconds behind, fine for marketing.
      batchSize: 1000,
      maxBatchingWindow: Duration.seconds(5),
    });
  }
}
