/**
 * The admin API: what the dashboard and operators read and do (schemas/api/admin-routes.ts
 * lists every route once; this construct creates exactly those).
 * 1. An HTTP API of its own (not the event API's: no CORS, its own throttling and logs).
 * 2. Every admin route → a JWT authoriser trusting the Cognito user pool (lib/constructs/auth.ts):
 *    only a signed-in user of the pool gets an answer. Locally the same JWT routes are served
 *    to loopback callers with the admin token only (local/http-api.ts).
 * 3. Five functions, one per area (people, segments, campaigns, models, health), each granted
 *    the named actions it needs on the resources it reads; GET /openapi.json is public.
 */
import { Aws, Duration, Validations } from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ADMIN_ROUTES, type AdminFunction } from '../../schemas/api/admin-routes.ts';
import { grantItems } from './grants.ts';
import { SightlineFunction } from './node-function.ts';

export interface AdminApiProps {
  readonly profilesTable: ITable;
  readonly campaignsTable: ITable;
  readonly modelsBucket: IBucket;
  readonly modelsReaderPolicy: IManagedPolicy;
  /** Promote / rollback of the scoring models rewrites their pointers (data.ts). */
  readonly scoreModelsWriterPolicy: IManagedPolicy;
  readonly failedEventsBucket: IBucket;
  readonly rawStream: IStream;
  readonly campaignStateMachine: StateMachine;
  /** Stream consumers whose iterator age the health route reads: name → function. */
  readonly consumers: Record<string, IFunction>;
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  /** `profile` locally (historical demo data), `wall` in AWS, as the Score stack. @default 'wall' */
  readonly scoreClock?: 'wall' | 'profile';
  /** `streams` where there is no CloudWatch (the local stage). @default 'cloudwatch' */
  readonly healthSource?: 'cloudwatch' | 'streams';
}

const PROFILE_READ = ['GetItem', 'BatchGetItem', 'Query', 'Scan'];

export class AdminApi extends Construct {
  public readonly api: HttpApi;
  public readonly functions: Record<AdminFunction | 'get-openapi', SightlineFunction<AdminFunction | 'get-openapi'>>;

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);
    const tables = { PROFILES_TABLE_NAME: props.profilesTable.tableName, CAMPAIGNS_TABLE_NAME: props.campaignsTable.tableName };
    // The state machine's ARN built from its name: the same string in AWS and locally (local/cdk-model.ts resolves names).
    const stateMachineArn = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:stateMachine:${props.campaignStateMachine.stateMachineName}`;

    const profiles = new SightlineFunction(this, 'AdminProfiles', { functionName: 'admin-profiles', environment: tables, timeout: Duration.seconds(29), memorySize: 1024, description: 'Admin API: overview, profile search, one profile' });
    grantItems(profiles.fn, props.profilesTable, PROFILE_READ);
    grantItems(profiles.fn, props.campaignsTable, ['GetItem', 'Scan']);

    const segments = new SightlineFunction(this, 'AdminSegments', { functionName: 'admin-segments', environment: tables, timeout: Duration.seconds(29), memorySize: 1024, description: 'Admin API: segments and previews' });
    grantItems(segments.fn, props.profilesTable, PROFILE_READ);
    grantItems(segments.fn, props.campaignsTable, ['GetItem', 'Query']);

    const campaigns = new SightlineFunction(this, 'AdminCampaigns', {
      functionName: 'admin-campaigns',
      environment: { CAMPAIGNS_TABLE_NAME: props.campaignsTable.tableName, CAMPAIGN_STATE_MACHINE_ARN: stateMachineArn },
      timeout: Duration.seconds(29),
      description: 'Admin API: campaigns, progress, results, controls, start',
    });
    grantItems(campaigns.fn, props.campaignsTable, ['GetItem', 'PutItem', 'Query', 'Scan']);
    campaigns.fn.addToRolePolicy(new PolicyStatement({ actions: ['states:StartExecution', 'states:ListExecutions'], resources: [stateMachineArn] }));
    campaigns.fn.addToRolePolicy(new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [`arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${props.campaignStateMachine.stateMachineName}:*`] }));
    Validations.of(campaigns.fn.role!).acknowledge({
      // The state machine's name reaches this stack as an import, and cdk-nag names the finding
      // by that import (stable while the Campaigns construct ids are; tests/infra/admin-stack.test.ts fails otherwise).
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:Sightline-Campaigns:ExportsOutputFnGetAttCampaignsCampaign522A4913Name7626D0C5:*]',
      reason: 'DescribeExecution is on the Campaign state machine\'s executions only; their names are campaign ids, unknown at deploy time.',
    });

    const models = new SightlineFunction(this, 'AdminModels', {
      functionName: 'admin-models',
      environment: { PROFILES_TABLE_NAME: props.profilesTable.tableName, MODELS_BUCKET: props.modelsBucket.bucketName, SCORE_CLOCK: props.scoreClock ?? 'wall' },
      timeout: Duration.seconds(29),
      memorySize: 1024,
      description: 'Admin API: model versions, metrics, drift, promote and rollback',
      managedPolicies: [props.modelsReaderPolicy, props.scoreModelsWriterPolicy],
    });
    grantItems(models.fn, props.profilesTable, ['Scan']);

    const consumerEnv = Object.entries(props.consumers).map(([name, fn]) => `${name}=${fn.functionName}`).join(',');
    const health = new SightlineFunction(this, 'AdminHealth', {
      functionName: 'admin-health',
      environment: { FAILED_EVENTS_BUCKET: props.failedEventsBucket.bucketName, RAW_STREAM_NAME: props.rawStream.streamName, HEALTH_SOURCE: props.healthSource ?? 'cloudwatch', CONSUMER_FUNCTIONS: consumerEnv },
      timeout: Duration.seconds(29),
      description: 'Admin API: pipeline health',
    });
    // Listing only (keys carry the reason); no object is read.
    health.fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.failedEventsBucket.bucketArn], conditions: { StringLike: { 's3:prefix': ['failed/*'] } } }));
    health.fn.addToRolePolicy(new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
    Validations.of(health.fn.role!).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'cloudwatch:GetMetricData supports no resource-level permissions (AWS service authorization reference); it only reads metrics.' });

    const openapi = new SightlineFunction(this, 'GetOpenApi', { functionName: 'get-openapi', environment: {}, memorySize: 256, timeout: Duration.seconds(10), description: 'GET /openapi.json' });

    this.functions = { 'admin-profiles': profiles, 'admin-segments': segments, 'admin-campaigns': campaigns, 'admin-models': models, 'admin-health': health, 'get-openapi': openapi } as AdminApi['functions'];

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.api = new HttpApi(this, 'Api', { description: 'Sightline admin API (dashboard, operators)' });
    const stage = this.api.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      // No source IP and no user: neither is needed to operate the API.
      format: JSON.stringify({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status', latency: '$context.integrationLatency', error: '$context.error.message', authorizerError: '$context.authorizer.error' }),
    };
    stage.defaultRouteSettings = { throttlingRateLimit: 50, throttlingBurstLimit: 100 };

    const authorizer = new HttpUserPoolAuthorizer('Cognito', props.userPool, { userPoolClients: [props.userPoolClient] });
    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const r of ADMIN_ROUTES) {
      const fn = this.functions[r.fn].fn;
      const integration = integrations.get(r.fn) ?? new HttpLambdaIntegration(`${r.fn}-integration`, fn);
      integrations.set(r.fn, integration);
      this.api.addRoutes({ path: r.path, methods: [r.method === 'GET' ? HttpMethod.GET : HttpMethod.POST], integration, authorizer });
    }
    this.api.addRoutes({ path: '/openapi.json', methods: [HttpMethod.GET], integration: new HttpLambdaIntegration('OpenApi', openapi.fn) });
    Validations.of(this.api).acknowledge({ id: 'AwsSolutions-APIG4', reason: 'GET /openapi.json is public on purpose: it is the API\'s documentation and holds no data; every other route has the Cognito JWT authoriser.' });
  }
}
