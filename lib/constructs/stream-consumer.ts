/**
 * A Kinesis → Lambda pattern with the contract every Sightline consumer keeps:
 * partial batch responses, bisect on error, at most 5 retries, records older than a day
 * not retried, what is given up written to the failed-events bucket (S3 on-failure
 * destination), and alarms on iterator age, function errors and refused events.
 * (The shape of aws-solutions-constructs' aws-kinesisstreams-lambda, with S3 as the DLQ.)
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { DlqDestinationConfig, IEventSourceDlq, IEventSourceMapping, IFunction } from 'aws-cdk-lib/aws-lambda';

import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { type IManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * The S3 on-failure destination without CDK's grant (S3OnFailureDestination grants read,
 * write and delete on the whole bucket). Lambda writes with the function's role and needs
 * s3:PutObject and kms:GenerateDataKey (the failed-events writer policy, data.ts) and
 * s3:ListBucket on the bucket.
 */
export class PutOnlyS3FailureDestination implements IEventSourceDlq {
  constructor(
    private readonly bucket: IBucket,
    private readonly writerPolicy: IManagedPolicy,
  ) {}
  bind(_target: IEventSourceMapping, targetHandler: IFunction): DlqDestinationConfig {
    if (!targetHandler.role) throw new Error(`${targetHandler.node.path}: an S3 on-failure destination needs the function's role`);
    targetHandler.role.addManagedPolicy(this.writerPolicy); // no-op when the function already has it
    targetHandler.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    return { destination: this.bucket.bucketArn };
  }
}

export interface StreamConsumerProps {
  readonly fn: NodejsFunction;
  readonly stream: IStream;
  readonly failedEventsBucket: IBucket;
  /** Lets the on-failure destination write to the failed-events bucket (data.ts). */
  readonly failedEventsWriterPolicy: IManagedPolicy;
  /** The Powertools service name the function publishes its metrics under. */
  readonly serviceName: string;
  /** @default 100 */
  readonly batchSize?: number;
  /** @default 1 second */
  readonly maxBatchingWindow?: Duration;
  /** @default 5 */
  readonly retryAttempts?: number;
  /** Iterator age that raises the alarm. @default 60 seconds */
  readonly iteratorAgeThreshold?: Duration;
}

export class StreamConsumer extends Construct {
  public readonly iteratorAgeAlarm: Alarm;
  public readonly errorsAlarm: Alarm;
  public readonly failedEventsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: StreamConsumerProps) {
    super(scope, id);
    props.fn.addEventSource(
      new KinesisEventSource(props.stream, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: props.batchSize ?? 100,
        maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: props.retryAttempts ?? 5,
        maxRecordAge: Duration.days(1),
        reportBatchItemFailures: true,
        onFailure: new PutOnlyS3FailureDestination(props.failedEventsBucket, props.failedEventsWriterPolicy),
      }),
    );
    this.iteratorAgeAlarm = new Alarm(this, 'IteratorAge', {
      metric: props.fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: (props.iteratorAgeThreshold ?? Duration.seconds(60)).toMilliseconds(),
      evaluationPeriods: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: 'The consumer is falling behind its stream.',
    });
    this.errorsAlarm = new Alarm(this, 'Errors', {
      metric: props.fn.metricErrors({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: 'The consumer threw: batches are being retried or given up to the failed-events bucket.',
    });
    this.failedEventsAlarm = new Alarm(this, 'FailedEvents', {
      metric: new Metric({ namespace: 'Sightline', metricName: 'FailedEvents', dimensionsMap: { service: props.serviceName }, statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 100,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: 'Many events were refused in 5 minutes: look in the failed-events bucket.',
    });
  }
}
