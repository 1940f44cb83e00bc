/**
 * RecommenderTraining: the Personalize training workflow, a Step Functions state machine
 * (JSONPath: the local runner, aws-local-stepfunctions, supports nothing else).
 *
 *  1. Import interactions   full dataset import from s3://<interactions>/interactions/
 *  2. Wait / Describe import   every 60 s until ACTIVE; CREATE FAILED fails the execution
 *                               (ImportFailed) before any training is paid for
 *  3. Train                  a new solution version (FULL)
 *  4. Wait / Describe training every 5 min until ACTIVE; CREATE FAILED → TrainingFailed
 *  5. Read metrics           getSolutionMetrics (kept in the pointer, for the record)
 *  6. Find campaign          create the campaign the first time, update it after
 *  7. Wait / Describe campaign until ACTIVE
 *  8. Ensure filter          "exclude purchased" (already there is fine)
 *  9. Find tracker           the event tracker the archive consumer feeds (create once)
 * 10. Publish pointer        models/_personalize/current.json: campaign, filter, tracking id,
 *                            solution version, metrics — what serving reads
 *
 * Personalize's control plane throttles with LimitExceededException: every call retries it
 * with backoff. Scheduled weekly, and startable by hand (`aws stepfunctions start-execution`).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Choice, Condition, DefinitionBody, Fail, JsonPath, LogLevel, Pass, StateMachine, Succeed, Wait, WaitTime, type IChainable } from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export interface RecommenderTrainingProps {
  readonly datasetGroupArn: string;
  readonly interactionsDatasetArn: string;
  readonly solutionArn: string;
  /** The role Personalize's import jobs run as (passed to it: iam:PassRole). */
  readonly importRoleArn: string;
  readonly interactionsBucket: IBucket;
  readonly modelsBucket: IBucket;
  /** Lets the workflow write models/_personalize/ (data.ts). */
  readonly pointerWriterPolicy: IManagedPolicy;
  /** Lets the archive consumer read it (data.ts); not used by the workflow itself. */
  readonly pointerReaderPolicy: IManagedPolicy;
  /** @default weekly */
  readonly schedule?: Schedule;
  /** @default 'sightline' */
  readonly name?: string;
}

export const PERSONALIZE_POINTER_KEY = 'models/_personalize/current.json';
const THROTTLED = ['Personalize.LimitExceededException', 'Personalize.ThrottlingException'];

export class RecommenderTraining extends Construct {
  public readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: RecommenderTrainingProps) {
    super(scope, id);
    const name = props.name ?? 'sightline';
    const { region, account, partition } = Stack.of(this);
    const arn = (type: string, rest: string) => `arn:${partition}:personalize:${region}:${account}:${type}/${rest}`;
    const filterArn = arn('filter', `${name}-exclude-purchased`);
    // Solution versions are solution/<solution name>/<id>: spelled from the name (an ARN
    // token from the stateful stack would make the nag acknowledgement unspellable).
    const solutionVersions = arn('solution', `${name}-user-personalization/*`);

    const call = (stateId: string, action: string, parameters: Record<string, unknown>, resources: string[], extra: { resultPath?: string; resultSelector?: Record<string, unknown> } = {}) => {
      const task = new CallAwsService(this, stateId, {
        service: 'personalize',
        action,
        parameters,
        iamResources: resources,
        resultPath: extra.resultPath ?? JsonPath.DISCARD,
        resultSelector: extra.resultSelector,
      });
      task.addRetry({ errors: THROTTLED, interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 6 });
      return task;
    };
    /** Wait → describe → ACTIVE goes on, CREATE FAILED fails, anything else waits again. */
    const poll = (label: string, every: Duration, describe: CallAwsService, statusPath: string, failure: Fail, next: IChainable) => {
      const wait = new Wait(this, `Wait for ${label}`, { time: WaitTime.duration(every) });
      const done = new Choice(this, `${label} done?`)
        .when(Condition.stringEquals(statusPath, 'ACTIVE'), next)
        .when(Condition.stringEquals(statusPath, 'CREATE FAILED'), failure)
        .otherwise(wait);
      return wait.next(describe).next(done);
    };

    const importJob = call(
      'Import interactions',
      'createDatasetImportJob',
      {
        'JobName.$': "States.Format('sightline-{}', $$.Execution.Name)",
        DatasetArn: props.interactionsDatasetArn,
        DataSource: { DataLocation: `s3://${props.interactionsBucket.bucketName}/interactions/` },
        RoleArn: props.importRoleArn,
        ImportMode: 'FULL',
      },
      [arn('dataset-import-job', '*')],
      { resultPath: '$.import' },
    );
    const describeImport = call('Describe import', 'describeDatasetImportJob', { 'DatasetImportJobArn.$': '$.import.DatasetImportJobArn' }, [arn('dataset-import-job', '*')], {
      resultPath: '$.importStatus',
      resultSelector: { 'Status.$': '$.DatasetImportJob.Status' },
    });
    const train = call('Train', 'createSolutionVersion', { SolutionArn: props.solutionArn, TrainingMode: 'FULL' }, [props.solutionArn], { resultPath: '$.train' });
    const describeTraining = call('Describe training', 'describeSolutionVersion', { 'SolutionVersionArn.$': '$.train.SolutionVersionArn' }, [solutionVersions], {
      resultPath: '$.trainStatus',
      resultSelector: { 'Status.$': '$.SolutionVersion.Status' },
    });
    const metrics = call('Read metrics', 'getSolutionMetrics', { 'SolutionVersionArn.$': '$.train.SolutionVersionArn' }, [solutionVersions], {
      resultPath: '$.metrics',
      resultSelector: { 'values.$': '$.Metrics' },
    });
    const findCampaign = call('Find campaign', 'listCampaigns', { SolutionArn: props.solutionArn }, ['*'], { resultPath: '$.campaigns' });
    const createCampaign = call('Create campaign', 'createCampaign', { Name: `${name}-recommendations`, 'SolutionVersionArn.$': '$.train.SolutionVersionArn', MinProvisionedTPS: 1 }, [arn('campaign', '*'), solutionVersions], {
      resultPath: '$.campaign',
    });
    const updateCampaign = call('Update campaign', 'updateCampaign', { 'CampaignArn.$': '$.campaigns.Campaigns[0].CampaignArn', 'SolutionVersionArn.$': '$.train.SolutionVersionArn' }, [arn('campaign', '*'), solutionVersions], {
      resultPath: '$.campaign',
    });
    const describeCampaign = call('Describe campaign', 'describeCampaign', { 'CampaignArn.$': '$.campaign.CampaignArn' }, [arn('campaign', '*')], {
      resultPath: '$.campaignStatus',
      resultSelector: { 'Status.$': '$.Campaign.Status' },
    });
    const ensureFilter = call(
      'Ensure filter',
      'createFilter',
      { Name: `${name}-exclude-purchased`, DatasetGroupArn: props.datasetGroupArn, FilterExpression: 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")' },
      [arn('filter', '*'), props.datasetGroupArn],
    );
    const filterExists = new Pass(this, 'Filter exists');
    ensureFilter.addCatch(filterExists, { errors: ['Personalize.ResourceAlreadyExistsException'], resultPath: JsonPath.DISCARD });
    const findTracker = call('Find tracker', 'listEventTrackers', { DatasetGroupArn: props.datasetGroupArn }, ['*'], { resultPath: '$.trackers' });
    const createTracker = call('Create tracker', 'createEventTracker', { Name: `${name}-events`, DatasetGroupArn: props.datasetGroupArn }, [arn('event-tracker', '*'), props.datasetGroupArn], {
      resultPath: '$.tracker',
      resultSelector: { 'TrackingId.$': '$.TrackingId' },
    });
    const describeTracker = call('Describe tracker', 'describeEventTracker', { 'EventTrackerArn.$': '$.trackers.EventTrackers[0].EventTrackerArn' }, [arn('event-tracker', '*')], {
      resultPath: '$.tracker',
      resultSelector: { 'TrackingId.$': '$.EventTracker.TrackingId' },
    });
    const pointer = new Pass(this, 'Pointer', {
      parameters: {
        'campaignArn.$': '$.campaign.CampaignArn',
        filterArn,
        'trackingId.$': '$.tracker.TrackingId',
        'solutionVersionArn.$': '$.train.SolutionVersionArn',
        'metrics.$': '$.metrics.values',
        'trainingStartedAt.$': '$$.Execution.StartTime',
      },
      resultPath: '$.pointer',
    });
    const publish = new CallAwsService(this, 'Publish pointer', {
      service: 's3',
      action: 'putObject',
      parameters: { Bucket: props.modelsBucket.bucketName, Key: PERSONALIZE_POINTER_KEY, 'Body.$': 'States.JsonToString($.pointer)', ContentType: 'application/json' },
      iamResources: [props.modelsBucket.arnForObjects(PERSONALIZE_POINTER_KEY)],
      resultPath: JsonPath.DISCARD,
    });
    publish.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(2), maxAttempts: 3 });

    const publishChain = pointer.next(publish).next(new Succeed(this, 'Published'));
    const trackerChain = findTracker.next(
      new Choice(this, 'Tracker exists?').when(Condition.isPresent('$.trackers.EventTrackers[0]'), describeTracker.next(publishChain)).otherwise(createTracker.next(publishChain)),
    );
    const afterCampaign = ensureFilter.next(trackerChain);
    filterExists.next(trackerChain);
    const campaignActive = poll('campaign', Duration.minutes(1), describeCampaign, '$.campaignStatus.Status', new Fail(this, 'Campaign failed', { error: 'CampaignFailed', cause: 'The campaign did not become ACTIVE; see it in the Personalize console.' }), afterCampaign);
    const campaignChain = findCampaign.next(
      new Choice(this, 'Campaign exists?').when(Condition.isPresent('$.campaigns.Campaigns[0]'), updateCampaign.next(campaignActive)).otherwise(createCampaign.next(campaignActive)),
    );
    const trained = poll('training', Duration.minutes(5), describeTraining, '$.trainStatus.Status', new Fail(this, 'Training failed', { error: 'TrainingFailed', cause: 'The solution version did not become ACTIVE; see it in the Personalize console.' }), metrics.next(campaignChain));
    const imported = poll('import', Duration.minutes(1), describeImport, '$.importStatus.Status', new Fail(this, 'Import failed', { error: 'ImportFailed', cause: 'The interactions import job failed; no solution version was created. See the dataset import job for its reason.' }), train.next(trained));

    const logs = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(importJob.next(imported)),
      timeout: Duration.hours(24),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      comment: 'Sightline: import interactions, train, deploy the Personalize campaign, publish its pointer',
    });
    this.stateMachine.role.addManagedPolicy(props.pointerWriterPolicy);
    this.stateMachine.addToRolePolicy(new PolicyStatement({ actions: ['iam:PassRole'], resources: [props.importRoleArn], conditions: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } } }));
    new Rule(this, 'Schedule', { schedule: props.schedule ?? Schedule.rate(Duration.days(7)), targets: [new SfnStateMachine(this.stateMachine)], description: 'Retrain the Personalize recommender weekly' });
    const generated: [string, string][] = [
      [arn('dataset-import-job', '*'), 'import jobs are named per execution'],
      [solutionVersions, 'solution versions get generated ids under this solution'],
      [arn('campaign', '*'), 'the campaign is created by this workflow, its ARN unknown at deploy time'],
      [arn('filter', '*'), 'the filter is created by this workflow'],
      [arn('event-tracker', '*'), 'the event tracker gets a generated id'],
      ['*', 'listCampaigns and listEventTrackers support no resource-level permissions; X-Ray and CloudWatch Logs delivery need Resource::*'],
    ];
    for (const [resource, why] of generated) {
      const evidence = resource.replace(/\$\{Token\[AWS\.(Partition|Region|AccountId)\.\d+\]\}/g, '<AWS::$1>');
      Validations.of(this.stateMachine.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${evidence}]`, reason: `Personalize training workflow: ${why}; each grant names its actions.` });
    }
  }
}
