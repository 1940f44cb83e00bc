/**
 * Score: keeps every profile's propensity, churn and lifetime-value scores current, with
 * their explanations, and retrains and watches the models.
 *
 * 1. score-profiles consumes the profile-changes stream (Tag announces each profile a batch
 *    touched) and re-scores those profiles with the registry's current models: one
 *    conditional write per profile whose scores moved, none otherwise.
 * 2. Rescore, a state machine run daily: a Map over `totalSegments` scan segments, each
 *    looping rescore-profiles (a page at a time, until its time budget) until the segment
 *    ends. Recency grows without events, so tags (lifecycle, RFM recency) are re-evaluated
 *    and churn and value re-scored as time passes.
 * 3. train-scores, weekly: retrains the models from the profiles and publishes them: churn
 *    is promoted only if it beats recency-only on held-out profiles; propensity (from people
 *    whose latest campaign contact has an outcome) is logistic or GBM, whichever is better on
 *    the latest fifth of contacts; a model without enough profiles is skipped.
 * 4. measure-drift, daily: population stability index of every feature and of each score,
 *    recent profiles against the training distribution stored in the artifact, published as
 *    metrics (namespace Sightline); alarms per model when its score's PSI or its most
 *    shifted feature's PSI passes 0.25.
 *
 * Grants: the profiles table (named item actions; Scan only for the jobs that scan), the
 * model registry read-only for scoring, and writes on the three scoring models' prefixes
 * only for training (data.ts ScoreModelsWriter).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Choice, Condition, DefinitionBody, LogLevel, Map as MapState, StateMachine, Succeed } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SightlineFunction } from './node-function.ts';
import { StreamConsumer } from './stream-consumer.ts';
import { grantItems } from './grants.ts';
import { SCORE_MODEL_NAMES } from '../../schemas/profile.ts';

export interface ScoreProps {
  readonly changesStream: IStream;
  readonly profilesTable: ITable;
  readonly modelsBucket: IBucket;
  readonly failedEventsBucket: IBucket;
  readonly failedEventsWriterPolicy: IManagedPolicy;
  /** Read the registry (data.ts ModelsReader). */
  readonly modelsReaderPolicy: IManagedPolicy;
  /** Publish the scoring models (data.ts ScoreModelsWriter). */
  readonly scoreModelsWriterPolicy: IManagedPolicy;
  /** `profile` for historical replays (the local stage). @default 'wall' */
  readonly clock?: 'wall' | 'profile';
  /** Parallel scan segments of the daily re-scoring. @default 8 */
  readonly totalSegments?: number;
  /** @default daily */
  readonly rescoreSchedule?: Schedule;
  /** @default weekly */
  readonly trainSchedule?: Schedule;
  /** PSI of a score above which its alarm fires. @default 0.25 (the usual "shifted" line) */
  readonly driftThreshold?: number;
}

export class Score extends Construct {
  public readonly scoreFunction: SightlineFunction<'score-profiles'>;
  public readonly rescoreFunction: SightlineFunction<'rescore-profiles'>;
  public readonly trainFunction: SightlineFunction<'train-scores'>;
  public readonly driftFunction: SightlineFunction<'measure-drift'>;
  public readonly consumer: StreamConsumer;
  public readonly rescore: StateMachine;
  public readonly driftAlarms: Alarm[];

  constructor(scope: Construct, id: string, props: ScoreProps) {
    super(scope, id);
    const scoring = {
      PROFILES_TABLE_NAME: props.profilesTable.tableName,
      MODELS_BUCKET: props.modelsBucket.bucketName,
      SCORE_MODELS: SCORE_MODEL_NAMES.join(','),
      SCORE_CLOCK: props.clock ?? 'wall',
    };

    this.scoreFunction = new SightlineFunction(this, 'ScoreProfiles', {
      functionName: 'score-profiles',
      environment: { ...scoring, FAILED_EVENTS_BUCKET: props.failedEventsBucket.bucketName },
      memorySize: 1024,
      timeout: Duration.seconds(60),
      description: 'Re-score profiles that changed',
      managedPolicies: [props.failedEventsWriterPolicy, props.modelsReaderPolicy],
    });
    grantItems(this.scoreFunction.fn, props.profilesTable, ['GetItem', 'BatchGetItem', 'PutItem']);
    this.consumer = new StreamConsumer(this, 'Consumer', {
      fn: this.scoreFunction.fn,
      stream: props.changesStream,
      failedEventsBucket: props.failedEventsBucket,
      failedEventsWriterPolicy: props.failedEventsWriterPolicy,
      serviceName: 'score-profiles',
      // An active person's id arrives once per Tag batch; the longer the window, the more of
      // those repeats share a batch and are scored (and written) once. Measured on the replay:
      // one scores write per touched profile per score batch (bench/RESULTS.md). Scores are
      // at most ~30 s behind the profile, fine for campaigns that run on minutes to days.
      batchSize: 2000,
      maxBatchingWindow: Duration.seconds(30),
    });

    this.rescoreFunction = new SightlineFunction(this, 'RescoreProfiles', {
      functionName: 'rescore-profiles',
      environment: scoring,
      memorySize: 1024,
      timeout: Duration.minutes(5),
      description: 'Re-score one scan segment of the profiles (daily)',
      managedPolicies: [props.modelsReaderPolicy],
    });
    grantItems(this.rescoreFunction.fn, props.profilesTable, ['Scan', 'BatchGetItem', 'PutItem']);

    const step = new LambdaInvoke(this, 'Rescore segment', { lambdaFunction: this.rescoreFunction.fn, payloadResponseOnly: true, retryOnServiceExceptions: true });
    const segments = new MapState(this, 'Segments', {
      itemsPath: '$.segments',
      maxConcurrency: 4,
      itemSelector: { 'segment.$': '$$.Map.Item.Value', 'totalSegments.$': '$.totalSegments' },
    }).itemProcessor(step.next(new Choice(this, 'Segment done?').when(Condition.booleanEquals('$.done', true), new Succeed(this, 'Segment rescored')).otherwise(step)));
    const logs = new LogGroup(this, 'RescoreLogs', { retention: RetentionDays.ONE_MONTH });
    this.rescore = new StateMachine(this, 'Rescore', {
      definitionBody: DefinitionBody.fromChainable(segments),
      timeout: Duration.hours(6),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      comment: 'Sightline: re-score every profile as of now, one scan segment per branch',
    });
    const fnLogicalId = Stack.of(this).getLogicalId(this.rescoreFunction.fn.node.defaultChild as CfnFunction);
    Validations.of(this.rescore.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
      reason: 'LambdaInvoke grants invoking the rescore function\'s versions and aliases (<arn>:*) beside the function itself; it is this one function.',
    });
    Validations.of(this.rescore.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing (PutTraceSegments, PutTelemetryRecords) and CloudWatch Logs delivery for state machines support no resource-level permissions.',
    });
    const totalSegments = props.totalSegments ?? 8;
    new Rule(this, 'RescoreSchedule', {
      schedule: props.rescoreSchedule ?? Schedule.cron({ hour: '3', minute: '0' }),
      targets: [new SfnStateMachine(this.rescore, { input: RuleTargetInput.fromObject({ segments: [...Array(totalSegments).keys()], totalSegments }) })],
      description: 'Re-score every profile daily (recency grows without events)',
    });

    this.trainFunction = new SightlineFunction(this, 'TrainScores', {
      functionName: 'train-scores',
      environment: { PROFILES_TABLE_NAME: props.profilesTable.tableName, MODELS_BUCKET: props.modelsBucket.bucketName, TRAIN_MODELS: SCORE_MODEL_NAMES.join(',') },
      memorySize: 3008,
      timeout: Duration.minutes(15),
      description: 'Retrain the scoring models from profiles (weekly)',
      managedPolicies: [props.scoreModelsWriterPolicy],
    });
    grantItems(this.trainFunction.fn, props.profilesTable, ['Scan']);
    new Rule(this, 'TrainSchedule', {
      schedule: props.trainSchedule ?? Schedule.cron({ weekDay: 'SUN', hour: '2', minute: '0' }),
      targets: [new LambdaFunction(this.trainFunction.fn, { retryAttempts: 2 })],
      description: 'Retrain the scoring models from profiles weekly',
    });

    this.driftFunction = new SightlineFunction(this, 'MeasureDrift', {
      functionName: 'measure-drift',
      environment: scoring,
      memorySize: 1024,
      timeout: Duration.minutes(15),
      description: 'Population stability of features and scores (daily)',
      managedPolicies: [props.modelsReaderPolicy],
    });
    grantItems(this.driftFunction.fn, props.profilesTable, ['Scan']);
    new Rule(this, 'DriftSchedule', {
      schedule: Schedule.cron({ hour: '5', minute: '0' }),
      targets: [new LambdaFunction(this.driftFunction.fn, { retryAttempts: 2 })],
      description: 'Measure drift of the scoring models daily',
    });
    const threshold = props.driftThreshold ?? 0.25;
    // Two alarms per model: the score's PSI, and the largest feature PSI, because inputs can
    // shift far before the score does (Bank Marketing's last fifth: economic inputs > 8, the
    // score 0.16; bench/results/scores.md "Drift").
    this.driftAlarms = SCORE_MODEL_NAMES.flatMap((model) =>
      (['ScorePsi', 'MaxFeaturePsi'] as const).map(
        (metricName) =>
          new Alarm(this, `Drift-${model}-${metricName}`, {
            metric: new Metric({ namespace: 'Sightline', metricName, dimensionsMap: { service: 'measure-drift', model }, statistic: 'Maximum', period: Duration.days(1) }),
            threshold,
            evaluationPeriods: 1,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            treatMissingData: TreatMissingData.NOT_BREACHING,
            alarmDescription: `The ${model} model's ${metricName === 'ScorePsi' ? 'score' : 'most shifted input'} has moved from its training distribution (PSI > ${threshold}): check \`sightline drift\` and retrain.`,
          }),
      ),
    );
  }
}
