/**
 * Data (stateful): the raw and clean event streams and the failed-events bucket.
 * Streams are on-demand (no shard planning; they scale with traffic) and encrypted with the
 * AWS-managed Kinesis key; the bucket is KMS-encrypted, versioned, TLS-only, private, and
 * logs its access to a separate bucket. Failed events expire after 400 days: long enough
 * for a yearly audit, short enough not to keep refused personal data forever.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Validations } from 'aws-cdk-lib';
import { AccountRootPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FAILED_EVENTS_WRITER_TAG } from './node-function.ts';
import { Construct } from 'constructs';

export interface DataProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class Data extends Construct {
  public readonly rawStream: Stream;
  public readonly cleanStream: Stream;
  public readonly failedEventsBucket: Bucket;
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: DataProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = new Key(this, 'Key', { enableKeyRotation: true, description: 'Sightline failed-events bucket', removalPolicy });
    const streamProps = { streamMode: StreamMode.ON_DEMAND, encryption: StreamEncryption.MANAGED, retentionPeriod: Duration.hours(168), removalPolicy };
    this.rawStream = new Stream(this, 'RawStream', streamProps);
    this.cleanStream = new Stream(this, 'CleanStream', streamProps);

    const accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server-access-log bucket itself; logging it into itself would loop.',
    });
    this.failedEventsBucket = new Bucket(this, 'FailedEvents', {
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'failed-events/',
      lifecycleRules: [{ expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy,
    });
    // Writers are found by a principal tag, not named: the consumers live in stacks deployed
    // after this one, and naming their roles here would make the stacks depend on each other.
    // Only s3:PutObject (and the listing Lambda's S3 destination needs) — no read, no delete.
    const writers = { StringEquals: { [`aws:PrincipalTag/${FAILED_EVENTS_WRITER_TAG}`]: 'true' } };
    this.failedEventsBucket.addToResourcePolicy(
      new PolicyStatement({ principals: [new AccountRootPrincipal()], actions: ['s3:PutObject'], resources: [this.failedEventsBucket.arnForObjects('*')], conditions: writers }),
    );
    this.failedEventsBucket.addToResourcePolicy(
      new PolicyStatement({ principals: [new AccountRootPrincipal()], actions: ['s3:ListBucket'], resources: [this.failedEventsBucket.bucketArn], conditions: writers }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({ principals: [new AccountRootPrincipal()], actions: ['kms:GenerateDataKey', 'kms:Encrypt'], resources: ['*'], conditions: writers }),
    );
  }
}
