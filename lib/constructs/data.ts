/**
 * Data (stateful): the event streams (raw, clean, profile changes) and the buckets (failed
 * events, interactions, models). Streams are on-demand (no shard planning; they scale with
 * traffic) and encrypted with the AWS-managed Kinesis key; the buckets are KMS-encrypted with
 * one customer key, versioned, TLS-only, private, and log their access to a separate bucket.
 * Access is by customer-managed policies owned here, one prefix each (objectPolicy below),
 * which the other stacks attach to their roles: this stack depends on none of them.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { ManagedPolicy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { SCORE_MODEL_NAMES } from '../../schemas/profile.ts';

export interface DataProps {
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class Data extends Construct {
  public readonly rawStream: Stream;
  public readonly cleanStream: Stream;
  public readonly failedEventsBucket: Bucket;
  public readonly key: Key;
  /** Attach to the role of anything that writes failed events (functions, on-failure destinations). */
  public readonly failedEventsWriterPolicy: ManagedPolicy;
  /**
   * Trained model artifacts and the pointer to each model's current version (the model
   * registry: functions/adapters/s3-model-registry.ts). Versioned, so a pointer or an
   * artifact overwritten by mistake can be restored.
   */
  public readonly modelsBucket: Bucket;
  /**
   * Purchase and view interactions archived from the clean stream, as training data for the
   * embedded recommender and for Personalize dataset imports (interactions/dt=…/…).
   */
  public readonly interactionsBucket: Bucket;
  /** Put objects under interactions/ (the archive consumer). */
  public readonly interactionsWriterPolicy: ManagedPolicy;
  /** Get and list objects under models/ (serving functions). */
  public readonly modelsReaderPolicy: ManagedPolicy;
  /** Read the whole interactions bucket: interactions/ and catalog/ (Personalize's import role). */
  public readonly interactionsReaderPolicy: ManagedPolicy;
  /** Write the Personalize pointer, models/_personalize/ (the training workflow). */
  public readonly personalizePointerWriterPolicy: ManagedPolicy;
  /** Read the Personalize pointer only (the archive consumer, for the event tracker id). */
  public readonly personalizePointerReaderPolicy: ManagedPolicy;
  /**
   * Profile ids Tag touched, announced for the score consumer (schemas/profile-change.ts).
   * Ids only, so 24 h retention: a consumer that falls further behind is caught up by the
   * daily full re-scoring anyway.
   */
  public readonly changesStream: Stream;
  /** Publish and promote the scoring models (models/{propensity,churn,clv}/): the training job. */
  public readonly scoreModelsWriterPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: DataProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = new Key(this, 'Key', { enableKeyRotation: true, description: 'Sightline data at rest: failed events, interactions, models', removalPolicy });
    const streamProps = { streamMode: StreamMode.ON_DEMAND, encryption: StreamEncryption.MANAGED, retentionPeriod: Duration.hours(168), removalPolicy };
    this.rawStream = new Stream(this, 'RawStream', streamProps);
    this.cleanStream = new Stream(this, 'CleanStream', streamProps);
    this.changesStream = new Stream(this, 'ProfileChangesStream', { ...streamProps, retentionPeriod: Duration.hours(24) });

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
    // Failed events, models and interactions hold personal data (ids, histories): one key, one set of rules.
    const privateBucket = (id: string, prefix: string, expirationDays?: number) =>
      new Bucket(this, id, {
        encryption: BucketEncryption.KMS,
        encryptionKey: this.key,
        bucketKeyEnabled: true,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: prefix,
        lifecycleRules: [
          { noncurrentVersionExpiration: Duration.days(30), ...(expirationDays ? { expiration: Duration.days(expirationDays) } : {}) },
        ],
        removalPolicy,
      });
    // Failed events expire after 30 days: they are kept to be fixed and replayed (the
    // failed-events alarm fires within minutes), not archived; a refused event is still
    // someone's data (minimised by the PII policy, never more than the clean stream keeps).
    this.failedEventsBucket = privateBucket('FailedEvents', 'failed-events/', 30);
    this.modelsBucket = privateBucket('Models', 'models/');
    // Two years of interactions: what the recommenders train on (Personalize reads at most that far back usefully).
    this.interactionsBucket = privateBucket('Interactions', 'interactions/', 730);

    // What a writer of failed events may do, in the stack that owns the bucket: put objects
    // and have S3 encrypt them with the bucket's key, nothing more (no read, no delete).
    // Writers attach this policy to their own roles (an import in their stacks), so this
    // stack never names them and depends on none of them. An identity policy is needed: a
    // bucket or key policy naming the account only delegates to IAM, it grants no role.
    this.failedEventsWriterPolicy = this.objectPolicy('FailedEventsWriter', 'write refused events to the failed-events bucket', this.failedEventsBucket, '', { write: true },
      'Object keys are generated per refused event (failed/dt=…/reason=…/<messageId>.json) and by Lambda\'s on-failure destination, so s3:PutObject must cover the bucket\'s objects; the action is PutObject alone, on this one bucket.');
    this.interactionsWriterPolicy = this.objectPolicy('InteractionsWriter', 'archive interactions', this.interactionsBucket, 'interactions/', { write: true },
      'One object per consumer batch, keyed by day and a hash of the batch (interactions/dt=…/<hash>.csv): PutObject must cover that prefix; nothing else is granted.');
    this.modelsReaderPolicy = this.objectPolicy('ModelsReader', 'read trained models', this.modelsBucket, 'models/', { read: true, list: true },
      'Serving reads whichever version the registry pointer names (models/<name>/versions/<version>.json.gz), so GetObject covers the models/ prefix; read-only.');
    this.interactionsReaderPolicy = this.objectPolicy('InteractionsReader', 'read interactions and the catalog for Personalize imports', this.interactionsBucket, '', { read: true, list: true },
      'Personalize dataset import jobs read every object under the prefix they are given (interactions/, catalog/), which are the bucket\'s only contents; read-only.');
    this.personalizePointerWriterPolicy = this.objectPolicy('PersonalizePointerWriter', 'publish the Personalize campaign pointer', this.modelsBucket, 'models/_personalize/', { write: true },
      'The training workflow writes models/_personalize/current.json; the grant is PutObject under that prefix only ("_" cannot start a model name, so no model is reachable).');
    this.personalizePointerReaderPolicy = this.objectPolicy('PersonalizePointerReader', 'read the Personalize campaign pointer', this.modelsBucket, 'models/_personalize/', { read: true, list: true },
      'The archive consumer reads models/_personalize/current.json for the event tracker id; read-only, that prefix only.');
    this.scoreModelsWriterPolicy = this.objectPolicy('ScoreModelsWriter', 'publish and promote the scoring models', this.modelsBucket, SCORE_MODEL_NAMES.map((m) => `models/${m}/`), { read: true, write: true, list: true },
      'The training job writes a new version (models/<name>/versions/<version>.json.gz and .info.json) and rewrites models/<name>/current.json, reading it first to remember the previous version; the grant covers the three scoring models\' prefixes only, not the recommender\'s.');
    // Personalize reads S3 data sources as the service principal as well as through the
    // import role: the bucket must name it (AWS documents both). Scoped to this account.
    this.interactionsBucket.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('personalize.amazonaws.com')],
        actions: ['s3:GetObject', 's3:ListBucket'],
        resources: [this.interactionsBucket.bucketArn, this.interactionsBucket.arnForObjects('*')],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('personalize.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:DescribeKey'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }

  /**
   * A customer-managed policy for one prefix of one bucket, with the one KMS action it needs
   * (GenerateDataKey to write, Decrypt to read; SSE-KMS with a bucket key needs no more).
   * `list` adds s3:ListBucket on the prefix: without it S3 answers AccessDenied, not
   * NoSuchKey, for a missing object. Identity policies, owned by the bucket's stack and
   * attached by the users' stacks (an import there), so this stack depends on none of them:
   * a bucket or key policy naming the account only delegates to IAM, it grants no role.
   */
  private objectPolicy(id: string, purpose: string, bucket: Bucket, prefixes: string | string[], access: { read?: boolean; write?: boolean; list?: boolean }, reason: string): ManagedPolicy {
    const list = typeof prefixes === 'string' ? [prefixes] : prefixes;
    const actions = [...(access.read ? ['s3:GetObject'] : []), ...(access.write ? ['s3:PutObject'] : [])];
    const kms = [...(access.read ? ['kms:Decrypt'] : []), ...(access.write ? ['kms:GenerateDataKey'] : [])];
    const policy = new ManagedPolicy(this, id, {
      description: `Sightline: ${purpose}`,
      statements: [
        new PolicyStatement({ actions, resources: list.map((prefix) => bucket.arnForObjects(`${prefix}*`)) }),
        ...(access.list ? [new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': list.map((prefix) => `${prefix}*`) } } })] : []),
        new PolicyStatement({ actions: kms, resources: [this.key.keyArn] }),
      ],
    });
    const bucketLogicalId = Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnBucket);
    for (const prefix of list) Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${prefix}*]`, reason });
    return policy;
  }
}
