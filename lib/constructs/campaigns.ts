/**
 * Campaigns (stateless; its table lives in the Profiles stack): the Campaign state machine,
 * its three functions, the one-click unsubscribe routes, the unsubscribe signing secret and
 * the SES configuration set whose events go to EventBridge.
 *
 * The Campaign state machine (Standard, JSONPath: the local runner has no JSONata; the
 * execution name is the campaign id, so starting it twice sends nothing twice):
 *   1. Start (start-campaign): validate — a bad definition fails the execution here, every
 *      wrong field named — store the definition, plan the sweep over scan segments.
 *   2. Wait for start: until the schedule's instant (`at`), at once for `now`.
 *   3. Sweep: an inline Map over the scan segments (≤ 8 at once); in each, Send page
 *      (send-campaign-page) loops until its segment ends: paused → wait a minute and ask
 *      again; throttled → wait and send the same page again; cancelled → end.
 *   4. Summarise (summarize-campaign): totals; if people were deferred (quiet hours, a local
 *      send time not reached), wait until the first is due and sweep again (bounded).
 *   5. Winner-then-remainder (a definition with `test`): the sweeps above send the test phase
 *      only; then wait for the test's minimum runtime, Decide (summarize-campaign, the
 *      sequential test of winner.ts, decided once) and sweep again for the remainder with the
 *      chosen variant — the same exactly-once send loop (records, claims).
 * Every Task has TimeoutSeconds, Retry on Lambda service errors and Catch to a Fail state.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { HttpMethod, HttpRoute, HttpRouteKey, type IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ConfigurationSet, ConfigurationSetTlsPolicy, EmailSendingEvent, EventDestination, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Choice, Condition, DefinitionBody, Fail, LogLevel, Map as MapState, StateMachine, StateMachineType, Succeed, TaskInput, Timeout, Wait, WaitTime } from 'aws-cdk-lib/aws-stepfunctions';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SightlineFunction } from './node-function.ts';
import { grantItems } from './grants.ts';
import { StreamConsumer } from './stream-consumer.ts';
import type { IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { IBucket } from 'aws-cdk-lib/aws-s3';

export interface CampaignsProps {
  readonly campaignsTable: ITable;
  readonly profilesTable: ITable;
  /**
   * The model registry, read by the send page for templates' `recommendations` slots (the
   * current recommender and catalog), through its read-only policy.
   * @default no recommendations: templates see an empty list
   */
  readonly models?: { readonly bucket: IBucket; readonly readerPolicy: IManagedPolicy };
  /** The event API: the public unsubscribe routes are added to it. */
  readonly httpApi: IHttpApi;
  /** ARN of the verified SES identity (domain) campaigns send from; sends are granted on it only. */
  readonly sesIdentityArn: string;
  /** The public one-click URL. @default `<httpApi endpoint>/v1/unsubscribe` */
  readonly unsubscribeUrl?: string;
  /** Messages per second per campaign. @default 0: the SES account's MaxSendRate */
  readonly sendRatePerSecond?: number;
  /**
   * The clean stream, read by the conversion attribution consumer (goal events → arms), with
   * the failed-events bucket and its put-only policy for what it cannot read.
   * @default no attribution consumer (reports then show no conversions)
   */
  readonly attribution?: { readonly cleanStream: IStream; readonly failedEventsBucket: IBucket; readonly failedEventsWriterPolicy: IManagedPolicy };
}

export class Campaigns extends Construct {
  public readonly startFunction: SightlineFunction<'start-campaign'>;
  public readonly sendFunction: SightlineFunction<'send-campaign-page'>;
  public readonly summarizeFunction: SightlineFunction<'summarize-campaign'>;
  public readonly unsubscribeFunction: SightlineFunction<'unsubscribe'>;
  public readonly feedbackFunction: SightlineFunction<'record-feedback'>;
  public readonly attributeFunction?: SightlineFunction<'attribute-conversions'>;
  public readonly attributeConsumer?: StreamConsumer;
  public readonly stateMachine: StateMachine;
  public readonly configurationSet: ConfigurationSet;
  public readonly signingSecret: Secret;
  public readonly webhookSecret: Secret;

  constructor(scope: Construct, id: string, props: CampaignsProps) {
    super(scope, id);
    const table = props.campaignsTable.tableName;
    const unsubscribeUrl = props.unsubscribeUrl ?? `${props.httpApi.apiEndpoint}/v1/unsubscribe`;
    this.signingSecret = new Secret(this, 'UnsubscribeSigningKey', {
      description: 'Sightline: HMAC key of the one-click unsubscribe tokens',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'An HMAC key for unsubscribe links: rotating it would break the links in mail already delivered (mailbox providers honour them for months); rotation is manual, with the verifier accepting the previous key.',
    });
    this.webhookSecret = new Secret(this, 'WebhookSigningKey', {
      description: 'Sightline: HMAC key of webhook campaign requests (X-Sightline-Signature); receivers verify with it',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Shared with the webhook receivers, which verify signatures with it: a rotation must be coordinated with them (verifiers accept the old and new key for a while), so it is manual.',
    });
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', { tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE, suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS });
    this.configurationSet.addEventDestination('ToEventBridge', {
      // The default bus: SES v2 delivers configuration-set events only there.
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [EmailSendingEvent.SEND, EmailSendingEvent.DELIVERY, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.REJECT, EmailSendingEvent.OPEN, EmailSendingEvent.CLICK, EmailSendingEvent.RENDERING_FAILURE, EmailSendingEvent.DELIVERY_DELAY, EmailSendingEvent.SUBSCRIPTION],
    });

    // SES feedback: delivery, bounces, complaints, opens, clicks onto the send records; hard
    // bounces and complaints onto the suppression list.
    this.feedbackFunction = new SightlineFunction(this, 'RecordFeedback', { functionName: 'record-feedback', environment: { CAMPAIGNS_TABLE_NAME: table }, description: 'SES events onto send records and the suppression list' });
    grantItems(this.feedbackFunction.fn, props.campaignsTable, ['GetItem', 'PutItem', 'UpdateItem']);
    new Rule(this, 'SesFeedback', {
      eventPattern: { source: ['aws.ses'], detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } } },
      targets: [new LambdaFunction(this.feedbackFunction.fn, { retryAttempts: 8, maxEventAge: Duration.hours(24) })],
    });

    // Start ranks a top N / top p % audience in one parallel scan of the profiles: minutes for
    // a million profiles, hence the long timeout (a plain segment starts in milliseconds).
    // Conversion attribution: goal events of the clean stream credited to the person's arm
    // (functions/domain/campaigns/attribution.ts). It reads goals, send records and profiles,
    // and writes only the conversion attributes of send records (UpdateItem).
    if (props.attribution) {
      const a = props.attribution;
      this.attributeFunction = new SightlineFunction(this, 'AttributeConversions', {
        functionName: 'attribute-conversions',
        environment: { CAMPAIGNS_TABLE_NAME: table, PROFILES_TABLE_NAME: props.profilesTable.tableName, FAILED_EVENTS_BUCKET: a.failedEventsBucket.bucketName },
        memorySize: 512,
        timeout: Duration.seconds(60),
        description: 'Credit campaign goal events to the arm of the person who did them',
        managedPolicies: [a.failedEventsWriterPolicy],
      });
      grantItems(this.attributeFunction.fn, props.campaignsTable, ['Query', 'GetItem', 'BatchGetItem', 'UpdateItem']);
      grantItems(this.attributeFunction.fn, props.profilesTable, ['GetItem', 'BatchGetItem']);
      this.attributeConsumer = new StreamConsumer(this, 'AttributionConsumer', {
        fn: this.attributeFunction.fn,
        stream: a.cleanStream,
        failedEventsBucket: a.failedEventsBucket,
        failedEventsWriterPolicy: a.failedEventsWriterPolicy,
        serviceName: 'attribute-conversions',
        batchSize: 500,
        maxBatchingWindow: Duration.seconds(5),
      });
    }

    this.startFunction = new SightlineFunction(this, 'StartCampaign', {
      functionName: 'start-campaign',
      environment: { CAMPAIGNS_TABLE_NAME: table, PROFILES_TABLE_NAME: props.profilesTable.tableName },
      memorySize: 1024,
      timeout: Duration.minutes(15),
      description: 'Validate, store, rank and plan a campaign',
    });
    grantItems(this.startFunction.fn, props.campaignsTable, ['GetItem', 'PutItem']);
    grantItems(this.startFunction.fn, props.profilesTable, ['Scan', 'BatchGetItem']);
    this.summarizeFunction = new SightlineFunction(this, 'SummarizeCampaign', { functionName: 'summarize-campaign', environment: { CAMPAIGNS_TABLE_NAME: table }, timeout: Duration.minutes(5), description: 'Totals of a campaign sweep; the test phase\'s winner' });
    // Query: Decide reads the campaign's send records (winner.ts).
    grantItems(this.summarizeFunction.fn, props.campaignsTable, ['GetItem', 'PutItem', 'Query']);
    const secretEnv = { UNSUBSCRIBE_URL: unsubscribeUrl, UNSUBSCRIBE_SECRET_ARN: this.signingSecret.secretArn };
    this.sendFunction = new SightlineFunction(this, 'SendCampaignPage', {
      functionName: 'send-campaign-page',
      environment: { ...secretEnv, CAMPAIGNS_TABLE_NAME: table, PROFILES_TABLE_NAME: props.profilesTable.tableName, SEND_RATE_PER_SECOND: String(props.sendRatePerSecond ?? 0), MODELS_BUCKET: props.models?.bucket.bucketName ?? '', WEBHOOK_SECRET_ARN: this.webhookSecret.secretArn, SES_CONFIGURATION_SET: this.configurationSet.configurationSetName },
      memorySize: 1024,
      timeout: Duration.minutes(5),
      description: 'Send one page of a campaign segment',
      ...(props.models ? { managedPolicies: [props.models.readerPolicy] } : {}),
    });
    grantItems(this.sendFunction.fn, props.profilesTable, ['Scan', 'BatchGetItem']);
    grantItems(this.sendFunction.fn, props.campaignsTable, ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem']);
    this.signingSecret.grantRead(this.sendFunction.fn);
    this.webhookSecret.grantRead(this.sendFunction.fn);
    const cs = Stack.of(this).formatArn({ service: 'ses', resource: 'configuration-set', resourceName: this.configurationSet.configurationSetName });
    // The send role can send only from the configured identity, through this configuration set.
    this.sendFunction.fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: [props.sesIdentityArn, cs] }));
    this.sendFunction.fn.addToRolePolicy(new PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));
    Validations.of(this.sendFunction.fn.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ses:GetAccount (the send quota) and X-Ray support no resource-level permissions; sending is granted on the one identity and configuration set.',
    });
    this.unsubscribeFunction = new SightlineFunction(this, 'Unsubscribe', {
      functionName: 'unsubscribe',
      environment: { ...secretEnv, CAMPAIGNS_TABLE_NAME: table, PROFILES_TABLE_NAME: props.profilesTable.tableName },
      description: 'One-click unsubscribe (RFC 8058)',
    });
    grantItems(this.unsubscribeFunction.fn, props.profilesTable, ['GetItem', 'PutItem']);
    grantItems(this.unsubscribeFunction.fn, props.campaignsTable, ['PutItem']);
    this.signingSecret.grantRead(this.unsubscribeFunction.fn);
    const integration = new HttpLambdaIntegration('Unsubscribe', this.unsubscribeFunction.fn);
    for (const method of [HttpMethod.GET, HttpMethod.POST]) {
      // Public on purpose (RFC 8058: the mail client's POST carries no credentials); the signed token authenticates.
      const route = new HttpRoute(this, `Unsubscribe${method}`, { httpApi: props.httpApi, routeKey: HttpRouteKey.with('/v1/unsubscribe', method), integration });
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'RFC 8058 one-click unsubscribe: the mail client POSTs with no cookies or credentials, so the route is public and the HMAC-signed token in its URL is the authentication (verified before anything is read or written).',
      });
    }

    const task = (name: string, fn: SightlineFunction<'start-campaign' | 'send-campaign-page' | 'summarize-campaign'>, timeout: Duration, payload?: TaskInput) =>
      new LambdaInvoke(this, name, { lambdaFunction: fn.fn, payloadResponseOnly: true, retryOnServiceExceptions: true, taskTimeout: Timeout.duration(timeout), ...(payload ? { payload } : {}) });
    const failed = new Fail(this, 'Campaign failed', { causePath: '$.error.Cause', errorPath: '$.error.Error' });
    const start = task('Start', this.startFunction, Duration.minutes(15)).addCatch(failed, { resultPath: '$.error' });
    const waitForStart = new Wait(this, 'Wait for start', { time: WaitTime.timestampPath('$.startAt') });
    const sendPage = task('Send page', this.sendFunction, Duration.minutes(5));
    const pageFailed = new Fail(this, 'Page failed', { causePath: '$.error.Cause', errorPath: '$.error.Error' });
    sendPage.addCatch(pageFailed, { resultPath: '$.error' });
    const paused = new Wait(this, 'Paused', { time: WaitTime.duration(Duration.seconds(60)) }).next(sendPage);
    const throttled = new Wait(this, 'Throttled', { time: WaitTime.duration(Duration.seconds(5)) }).next(sendPage);
    const pageLoop = sendPage.next(
      new Choice(this, 'Segment done?')
        .when(Condition.booleanEquals('$.done', true), new Succeed(this, 'Segment sent'))
        .when(Condition.booleanEquals('$.paused', true), paused)
        .when(Condition.booleanEquals('$.throttled', true), throttled)
        .otherwise(sendPage),
    );
    const sweep = new MapState(this, 'Sweep', { itemsPath: '$.segments', maxConcurrency: 8, resultPath: '$.results' }).itemProcessor(pageLoop);
    const summarize = task('Summarise', this.summarizeFunction, Duration.seconds(30), TaskInput.fromObject({ 'campaignId.$': '$.campaignId', 'sweep.$': '$.sweep', 'results.$': '$.results', 'startAt.$': '$.startAt' })).addCatch(failed, { resultPath: '$.error' });
    const decide = task('Decide winner', this.summarizeFunction, Duration.minutes(5), TaskInput.fromObject({ action: 'decide', 'campaignId.$': '$.campaignId', 'startAt.$': '$.startAt', 'sweep.$': '$.sweep' })).addCatch(failed, { resultPath: '$.error' });
    const testDuration = new Wait(this, 'Test duration', { time: WaitTime.timestampPath('$.decideAt') }).next(decide);
    decide.next(sweep);
    const waitForDue = new Wait(this, 'Wait for deferred', { time: WaitTime.timestampPath('$.waitUntil') }).next(sweep);
    const definition = start
      .next(waitForStart)
      .next(sweep)
      .next(summarize)
      .next(new Choice(this, 'Sweep again?').when(Condition.booleanEquals('$.again', true), waitForDue).when(Condition.booleanEquals('$.decide', true), testDuration).otherwise(new Succeed(this, 'Campaign sent')));
    const logs = new LogGroup(this, 'CampaignLogs', { retention: RetentionDays.ONE_MONTH });
    this.stateMachine = new StateMachine(this, 'Campaign', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: Duration.days(7),
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      comment: 'Sightline: one campaign, start to summary; the execution name is the campaign id',
    });
    for (const fn of [this.startFunction, this.sendFunction, this.summarizeFunction]) {
      const logicalId = Stack.of(this).getLogicalId(fn.fn.node.defaultChild as CfnFunction);
      Validations.of(this.stateMachine.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`, reason: 'LambdaInvoke grants invoking the function\'s versions and aliases (<arn>:*) beside the function itself; it is one of this campaign\'s three functions.' });
    }
    Validations.of(this.stateMachine.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray tracing and CloudWatch Logs delivery for state machines support no resource-level permissions.' });
  }
}
