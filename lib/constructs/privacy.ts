/**
 * Privacy: the right of access and erasure (functions/domain/privacy/).
 *
 * - `GET /v1/privacy/{id}/export` (privacy-export, IAM): everything held about the person,
 *   read-only on every store.
 * - `POST /v1/privacy/{id}/erase` (privacy-erase, IAM): writes the erasure job and starts the
 *   Erasure state machine under a name derived from the job (a second request joins it).
 * - The privacy table keeps the jobs and their receipts. It is the one stateful resource
 *   here on purpose: it belongs to the erasure workflow (nothing else reads it), and a
 *   receipt holds counts and notes only, no id.
 *
 * The Erasure state machine (Standard, JSONPath: the local runner has no JSONata; the state
 * carries the job key only, never an id):
 *   1. Resolve (erase-job): who the job is about, kept on the job (so a resumed run, after
 *      the profile is gone, still knows).
 *   2. One Task per store, each recording what it found before removing anything and its
 *      receipt line after: Failed events, Archive (rewrites objects without their rows),
 *      Campaigns (send records anonymised, counters deleted), Suppression (a hashed tombstone).
 *   3. Personalize (AWS only; the local stage has no Personalize stack): start a data
 *      deletion job, then Wait 60 s / poll its status until it has ended.
 *   4. Profiles (last: the profile graph is what a re-request would resolve from).
 *   5. Finish (erase-job): the receipt, stored; the subject removed from the job.
 * Every Task has TimeoutSeconds, Retry (Lambda service errors, timeouts) and Catch to a Fail
 * state; every step is idempotent, so a failed execution is resumed by a new request.
 *
 * Least privilege: only the erase-* roles can delete, each from the one store it erases;
 * the export role reads; the request role writes jobs and starts executions.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { HttpMethod, HttpRoute, HttpRouteKey, type IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, type ITable, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Choice, Condition, DefinitionBody, Fail, JsonPath, LogLevel, StateMachine, StateMachineType, Succeed, TaskInput, Timeout, Wait, WaitTime, type IChainable, type INextable } from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { grantItems } from './grants.ts';
import { SightlineFunction } from './node-function.ts';
import type { FunctionName } from '../../schemas/env/functions.ts';

export interface PrivacyProps {
  readonly profilesTable: ITable;
  readonly campaignsTable: ITable;
  readonly failedEventsBucket: IBucket;
  readonly interactionsBucket: IBucket;
  /** The customer key of the buckets (Data stack). */
  readonly dataKey: IKey;
  /** The event API: the two IAM-authorised privacy routes are added to it. */
  readonly httpApi: IHttpApi;
  /** Retention of the event streams, for the receipt's note (lib/constructs/data.ts). @default 168 */
  readonly kinesisRetentionHours?: number;
  /** Clean's DEDUP_TTL_SECONDS in hours, for the receipt's note. @default 24 */
  readonly dedupTtlHours?: number;
  /** Amazon Personalize, where deployed: its data deletion joins the erasure. @default none (the local stage) */
  readonly personalize?: { readonly datasetGroupArn: string; readonly roleArn: string };
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

type EraseFunction = 'erase-job' | 'erase-profiles' | 'erase-campaigns' | 'erase-failed-events' | 'erase-archive' | 'erase-personalize';

export class Privacy extends Construct {
  public readonly table: Table;
  public readonly stateMachine: StateMachine;
  public readonly exportFunction: SightlineFunction<'privacy-export'>;
  public readonly eraseFunction: SightlineFunction<'privacy-erase'>;
  public readonly stepFunctions: SightlineFunction<EraseFunction>[] = [];

  constructor(scope: Construct, id: string, props: PrivacyProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const key = new Key(this, 'Key', { enableKeyRotation: true, description: 'Sightline privacy jobs and receipts', removalPolicy });
    this.table = new Table(this, 'PrivacyTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy,
    });
    const notes = {
      KINESIS_RETENTION_HOURS: String(props.kinesisRetentionHours ?? 168),
      DEDUP_TTL_HOURS: String(props.dedupTtlHours ?? 24),
      PERSONALIZE_ENABLED: props.personalize ? 'true' : 'false',
    };
    const privacyTable = this.table.tableName;
    // The buckets live in the Data stack: their ARNs come through explicitly named exports, so
    // each cdk-nag acknowledgement below names its one resource (an implicit export's name is
    // a hash CDK generates).
    const arnOf = (bucket: IBucket, name: string) => (Stack.of(bucket) === Stack.of(this) ? bucket.bucketArn : Stack.of(bucket).exportValue(bucket.bucketArn, { name: `${Stack.of(bucket).stackName}-${name}Arn` }));
    const bucketArn = new Map<IBucket, string>([
      [props.failedEventsBucket, arnOf(props.failedEventsBucket, 'FailedEvents')],
      [props.interactionsBucket, arnOf(props.interactionsBucket, 'Interactions')],
    ]);
    const exportName = (bucket: IBucket) => `${Stack.of(bucket).stackName}-${bucket === props.failedEventsBucket ? 'FailedEvents' : 'Interactions'}Arn`;
    const objects = (bucket: IBucket, prefix: string) => `${bucketArn.get(bucket)}/${prefix}*`;
    const list = (bucket: IBucket, prefix: string, actions = ['s3:ListBucket']) =>
      new PolicyStatement({ actions, resources: [bucketArn.get(bucket)!], conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } });
    const dataKey = (...actions: string[]) => new PolicyStatement({ actions, resources: [props.dataKey.keyArn] });
    const ackObjects = (fn: SightlineFunction<FunctionName>, bucket: IBucket, prefix: string, reason: string) => {
      Validations.of(fn.fn.role!).acknowledge({ id: `AwsSolutions-IAM5[Resource::${exportName(bucket)}/${prefix}*]`, reason });
    };

    // ---- export: reads every store ---------------------------------------------------------
    this.exportFunction = new SightlineFunction(this, 'PrivacyExport', {
      functionName: 'privacy-export',
      environment: {
        ...notes,
        PROFILES_TABLE_NAME: props.profilesTable.tableName,
        CAMPAIGNS_TABLE_NAME: props.campaignsTable.tableName,
        FAILED_EVENTS_BUCKET: props.failedEventsBucket.bucketName,
        INTERACTIONS_BUCKET: props.interactionsBucket.bucketName,
      },
      memorySize: 1024,
      timeout: Duration.minutes(5),
      description: 'Right of access: everything held about one person',
    });
    grantItems(this.exportFunction.fn, props.profilesTable, ['GetItem', 'BatchGetItem']);
    grantItems(this.exportFunction.fn, props.campaignsTable, ['Scan', 'Query', 'BatchGetItem']);
    for (const [bucket, prefix] of [[props.failedEventsBucket, 'failed/'], [props.interactionsBucket, 'interactions/']] as const) {
      this.exportFunction.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [objects(bucket, prefix)] }));
      this.exportFunction.fn.addToRolePolicy(list(bucket, prefix));
      ackObjects(this.exportFunction, bucket, prefix, `An export reads every object under ${prefix} (nothing indexes them by person); GetObject on that prefix only, read-only.`);
    }
    this.exportFunction.fn.addToRolePolicy(dataKey('kms:Decrypt'));

    // ---- the steps: each deletes from its own store only ------------------------------------
    const step = <F extends EraseFunction>(cid: string, functionName: F, environment: Record<string, string>, description: string, timeout = Duration.minutes(5)) => {
      const fn = new SightlineFunction(this, cid, { functionName, environment: { ...notes, PRIVACY_TABLE_NAME: privacyTable, ...environment } as never, memorySize: 1024, timeout, description });
      grantItems(fn.fn, this.table, ['GetItem', 'UpdateItem']);
      this.stepFunctions.push(fn as never);
      return fn;
    };
    const jobFn = step('EraseJob', 'erase-job', { PROFILES_TABLE_NAME: props.profilesTable.tableName }, 'Erasure: resolve the person, write the receipt', Duration.seconds(60));
    grantItems(jobFn.fn, props.profilesTable, ['GetItem', 'BatchGetItem']);
    const profilesFn = step('EraseProfiles', 'erase-profiles', { PROFILES_TABLE_NAME: props.profilesTable.tableName }, 'Erasure: profiles, scores, identity links');
    grantItems(profilesFn.fn, props.profilesTable, ['BatchGetItem', 'DeleteItem']);
    const campaignsFn = step('EraseCampaigns', 'erase-campaigns', { CAMPAIGNS_TABLE_NAME: props.campaignsTable.tableName }, 'Erasure: send records, caps, suppression tombstone', Duration.minutes(15));
    grantItems(campaignsFn.fn, props.campaignsTable, ['Scan', 'Query', 'BatchGetItem', 'PutItem', 'DeleteItem']);
    const failedFn = step('EraseFailedEvents', 'erase-failed-events', { FAILED_EVENTS_BUCKET: props.failedEventsBucket.bucketName }, 'Erasure: refused events carrying their ids', Duration.minutes(15));
    failedFn.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:DeleteObject', 's3:DeleteObjectVersion'], resources: [objects(props.failedEventsBucket, 'failed/')] }));
    failedFn.fn.addToRolePolicy(list(props.failedEventsBucket, 'failed/', ['s3:ListBucket', 's3:ListBucketVersions']));
    failedFn.fn.addToRolePolicy(dataKey('kms:Decrypt'));
    ackObjects(failedFn, props.failedEventsBucket, 'failed/', 'Refused events are one object each under failed/dt=…/reason=…/: the step reads each to find the person\'s and deletes those (and their older versions); that prefix only.');
    const archiveFn = step('EraseArchive', 'erase-archive', { INTERACTIONS_BUCKET: props.interactionsBucket.bucketName }, 'Erasure: rewrite archive objects without their rows', Duration.minutes(15));
    archiveFn.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'], resources: [objects(props.interactionsBucket, 'interactions/')] }));
    archiveFn.fn.addToRolePolicy(list(props.interactionsBucket, 'interactions/', ['s3:ListBucket', 's3:ListBucketVersions']));
    archiveFn.fn.addToRolePolicy(dataKey('kms:Decrypt', 'kms:GenerateDataKey'));
    ackObjects(archiveFn, props.interactionsBucket, 'interactions/', 'Archive objects are one per consumer batch under interactions/dt=…/: the step reads each to find the person\'s rows and rewrites (or deletes) those objects and their older versions; that prefix only.');

    let personalizeFn: SightlineFunction<'erase-personalize'> | undefined;
    if (props.personalize) {
      personalizeFn = step('ErasePersonalize', 'erase-personalize', {
        INTERACTIONS_BUCKET: props.interactionsBucket.bucketName,
        PERSONALIZE_DATASET_GROUP_ARN: props.personalize.datasetGroupArn,
        PERSONALIZE_ROLE_ARN: props.personalize.roleArn,
      }, 'Erasure: Personalize data deletion job', Duration.seconds(60));
      personalizeFn.fn.addToRolePolicy(new PolicyStatement({ actions: ['personalize:CreateDataDeletionJob', 'personalize:ListDataDeletionJobs'], resources: [props.personalize.datasetGroupArn] }));
      personalizeFn.fn.addToRolePolicy(new PolicyStatement({ actions: ['personalize:DescribeDataDeletionJob', 'personalize:ListDataDeletionJobs'], resources: [Stack.of(this).formatArn({ service: 'personalize', resource: 'data-deletion-job', resourceName: 'sightline-erase-*' })] }));
      personalizeFn.fn.addToRolePolicy(new PolicyStatement({ actions: ['iam:PassRole'], resources: [props.personalize.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } } }));
      personalizeFn.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: [objects(props.interactionsBucket, 'privacy/erasure/')] }));
      personalizeFn.fn.addToRolePolicy(dataKey('kms:GenerateDataKey'));
      ackObjects(personalizeFn, props.interactionsBucket, 'privacy/erasure/', 'The data deletion job reads its user ids from privacy/erasure/<job>.csv, which the step writes and deletes; that prefix only.');
      Validations.of(personalizeFn.fn.role!).acknowledge({ id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:personalize:<AWS::Region>:<AWS::AccountId>:data-deletion-job/sightline-erase-*]', reason: 'Data deletion jobs are named per erasure (sightline-erase-<job>): the grant covers only those names, to describe them.' });
    }

    // ---- the state machine ------------------------------------------------------------------
    const failed = new Fail(this, 'Erasure failed', { causePath: '$.error.Cause', errorPath: '$.error.Error' });
    const task = (name: string, fn: SightlineFunction<EraseFunction>, extra: Record<string, string>, timeout: Duration, resultPath: string | null = JsonPath.DISCARD) =>
      new LambdaInvoke(this, name, {
        lambdaFunction: fn.fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: true,
        taskTimeout: Timeout.duration(timeout),
        payload: TaskInput.fromObject({ 'job.$': '$.job', ...extra }),
        // null: the result becomes the state (Finish: the execution's output is the receipt).
        ...(resultPath === null ? {} : { resultPath }),
      })
        .addRetry({ errors: ['States.Timeout'], maxAttempts: 2, interval: Duration.seconds(5), backoffRate: 2 })
        .addCatch(failed, { resultPath: '$.error' });
    const resolve = task('Resolve', jobFn, { action: 'resolve' }, Duration.seconds(60));
    const steps: (IChainable & INextable)[] = [
      task('Failed events', failedFn, {}, Duration.minutes(15)),
      task('Archive', archiveFn, {}, Duration.minutes(15)),
      task('Campaigns', campaignsFn, { store: 'campaigns' }, Duration.minutes(15)),
      task('Suppression', campaignsFn, { store: 'suppression' }, Duration.minutes(5)),
    ];
    const profiles = task('Profiles', profilesFn, {}, Duration.minutes(5));
    const finish = task('Finish', jobFn, { action: 'finish' }, Duration.seconds(60), null).next(new Succeed(this, 'Erased'));
    let chain = resolve.next(steps[0]);
    for (let i = 1; i < steps.length; i++) chain = chain.next(steps[i]);
    if (personalizeFn) {
      const start = task('Personalize start', personalizeFn, { action: 'start' }, Duration.seconds(60), '$.personalize');
      const poll = task('Personalize status', personalizeFn, { action: 'poll' }, Duration.seconds(60), '$.personalize');
      const wait = new Wait(this, 'Wait for Personalize', { time: WaitTime.duration(Duration.seconds(60)) });
      chain.next(start).next(new Choice(this, 'Personalize started?').when(Condition.booleanEquals('$.personalize.done', true), profiles).otherwise(wait));
      wait.next(poll).next(new Choice(this, 'Personalize done?').when(Condition.booleanEquals('$.personalize.done', true), profiles).otherwise(wait));
    } else {
      chain.next(profiles);
    }
    profiles.next(finish);
    const logs = new LogGroup(this, 'ErasureLogs', { retention: RetentionDays.ONE_MONTH });
    this.stateMachine = new StateMachine(this, 'Erasure', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(resolve),
      timeout: Duration.days(2),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      comment: 'Sightline: erase one person from every store; the execution name is derived from the erasure job',
    });
    for (const fn of this.stepFunctions) {
      const logicalId = Stack.of(this).getLogicalId(fn.fn.node.defaultChild as CfnFunction);
      Validations.of(this.stateMachine.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`, reason: 'LambdaInvoke grants invoking the function\'s versions and aliases (<arn>:*) beside the function itself; it is one of this erasure\'s step functions.' });
    }
    Validations.of(this.stateMachine.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray tracing and CloudWatch Logs delivery for state machines support no resource-level permissions.' });

    // ---- request: write the job, start (or join) the execution -------------------------------
    this.eraseFunction = new SightlineFunction(this, 'PrivacyErase', {
      functionName: 'privacy-erase',
      environment: { PRIVACY_TABLE_NAME: privacyTable, ERASURE_STATE_MACHINE_ARN: this.stateMachine.stateMachineArn },
      description: 'Erasure request: start or join the person\'s Erasure execution',
    });
    grantItems(this.eraseFunction.fn, this.table, ['GetItem', 'PutItem']);
    this.stateMachine.grantStartExecution(this.eraseFunction.fn);
    this.eraseFunction.fn.addToRolePolicy(new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [Stack.of(this).formatArn({ service: 'states', resource: 'execution', resourceName: `${this.stateMachine.stateMachineName}:erase-*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })] }));
    const smLogicalId = Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as never);
    Validations.of(this.eraseFunction.fn.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${smLogicalId}.Name>:erase-*]`,
      reason: 'Erasure executions are named erase-<job>[-<attempt>]: the request describes the one it started or joined; the grant covers only this state machine\'s erase-* executions.',
    });

    const routes: [string, HttpMethod, SightlineFunction<'privacy-export' | 'privacy-erase'>][] = [
      ['/v1/privacy/{id}/export', HttpMethod.GET, this.exportFunction],
      ['/v1/privacy/{id}/erase', HttpMethod.POST, this.eraseFunction],
    ];
    for (const [path, method, fn] of routes) {
      new HttpRoute(this, `${method}${path.split('/').pop()}`, { httpApi: props.httpApi, routeKey: HttpRouteKey.with(path, method), integration: new HttpLambdaIntegration(`${fn.node.id}Integration`, fn.fn), authorizer: new HttpIamAuthorizer() });
    }
  }
}
