/**
 * Collect: the Segment-compatible HTTP API.
 * 1. POST /v1/{identify,track,page,screen,group,alias,batch} → write-key Lambda authorizer
 *    (HTTP Basic, key as user name; simple responses cached 5 minutes per header)
 *    → collect-events → raw stream (refused payloads → failed-events bucket).
 * 2. GET /v1/profiles/{id} → IAM authorisation → get-profile (personal data: never public).
 * CORS for browser SDKs; access logs; stage throttling.
 */
import { Duration } from 'aws-cdk-lib';
import { CfnStage, CorsHttpMethod, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { SightlineFunction } from './node-function.ts';

export interface CollectProps {
  readonly rawStream: IStream;
  readonly failedEventsBucket: IBucket;
  /** Put-only access to the failed-events bucket (data.ts). */
  readonly failedEventsWriterPolicy: IManagedPolicy;
  readonly sourcesTable: ITable;
  readonly profilesTable: ITable;
  /** Steady-state requests per second the stage accepts. @default 2000 */
  readonly rateLimit?: number;
}

export const EVENT_ROUTES = ['identify', 'track', 'page', 'screen', 'group', 'alias', 'batch'] as const;

export class Collect extends Construct {
  public readonly api: HttpApi;
  public readonly collectFunction: SightlineFunction<'collect-events'>;

  constructor(scope: Construct, id: string, props: CollectProps) {
    super(scope, id);
    const authorizerFn = new SightlineFunction(this, 'AuthorizeWriteKey', {
      functionName: 'authorize-write-key',
      environment: { SOURCES_TABLE_NAME: props.sourcesTable.tableName },
      memorySize: 256,
      timeout: Duration.seconds(5),
      description: 'Segment write-key authorizer',
    });
    props.sourcesTable.grantReadData(authorizerFn.fn);

    this.collectFunction = new SightlineFunction(this, 'CollectEvents', {
      functionName: 'collect-events',
      environment: { RAW_STREAM_NAME: props.rawStream.streamName, FAILED_EVENTS_BUCKET: props.failedEventsBucket.bucketName },
      timeout: Duration.seconds(10),
      description: 'Segment tracking API → raw stream',
      managedPolicies: [props.failedEventsWriterPolicy],
    });
    props.rawStream.grantWrite(this.collectFunction.fn);

    const getProfile = new SightlineFunction(this, 'GetProfile', {
      functionName: 'get-profile',
      environment: { PROFILES_TABLE_NAME: props.profilesTable.tableName },
      timeout: Duration.seconds(10),
      description: 'Read one profile (IAM only)',
    });
    props.profilesTable.grantReadData(getProfile.fn);

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.api = new HttpApi(this, 'Api', {
      description: 'Sightline event collection (Segment tracking API)',
      // CORS for the browser SDKs' POSTs. An HTTP API has one CORS configuration for all its
      // routes, so the IAM routes (profiles, recommendations) get it too; they stay closed to web
      // pages because API Gateway answers them only for a valid SigV4 signature, which a page
      // cannot make without AWS credentials. (Locally, where no signature is checked, those
      // routes get no CORS at all and refuse cross-origin callers: local/http-api.ts.)
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type', 'content-encoding'],
        maxAge: Duration.minutes(10),
      },
    });
    const stage = this.api.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      // No source IP in the log: it is personal data and not needed to operate the API.
      format: JSON.stringify({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status', latency: '$context.integrationLatency', error: '$context.error.message', authorizerError: '$context.authorizer.error' }),
    };
    stage.defaultRouteSettings = { throttlingRateLimit: props.rateLimit ?? 2000, throttlingBurstLimit: (props.rateLimit ?? 2000) * 2 };

    const writeKey = new HttpLambdaAuthorizer('WriteKey', authorizerFn.fn, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.minutes(5),
    });
    const collect = new HttpLambdaIntegration('Collect', this.collectFunction.fn);
    for (const route of EVENT_ROUTES) {
      this.api.addRoutes({ path: `/v1/${route}`, methods: [HttpMethod.POST], integration: collect, authorizer: writeKey });
    }
    this.api.addRoutes({
      path: '/v1/profiles/{id}',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('GetProfile', getProfile.fn),
      authorizer: new HttpIamAuthorizer(),
    });
  }
}
