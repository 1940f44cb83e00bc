/**
 * Collect: the Segment-compatible HTTP API.
 * 1. POST /v1/{identify,track,page,screen,group,alias,batch} → write-key Lambda authorizer
 *    (HTTP Basic, key as user name; simple responses cached 5 minutes per header)
 *    → collect-events → raw stream (refused payloads → failed-events bucket).
 * 2. POST /v1/{t,i,p,s,g,a,b}, analytics.js's short paths → collect-events, with NO authorizer:
 *    browsers may send the write key in the JSON body (Segment's spec allows it; sendBeacon and
 *    analytics.js classic cannot set headers), and an HTTP API Lambda authorizer only sees
 *    headers, query and context, never the body. collect-events checks the key itself (header,
 *    else body) with the authorizer's verifier and cache lifetime before anything is stored
 *    (functions/domain/collect/write-keys.ts), so these routes are no more open than 1.
 * 3. GET /v1/projects/{writeKey}/settings → collect-events: the settings document analytics.js
 *    loads from its CDN (a page sets `cdnURL` to this API); unknown key → 404. No authorizer:
 *    the key is the path, checked by the function.
 * 4. POST /v1/m (analytics.js SDK telemetry) → collect-events, refused with 404 and a reason.
 * 5. GET /sourceConfig → collect-events: the source configuration RudderStack's browser SDK
 *    loads from its control plane (a page sets `configUrl` to this API); key from HTTP Basic or
 *    `?writeKey=`, checked by the function so an unknown key gets a reason (401), not a bare 403.
 * 6. POST /beacon/v1/batch?writeKey=… → collect-events: RudderStack's sendBeacon batches; the
 *    key in the query (a beacon sets no header), checked by the function as in 2.
 * 7. GET /v1/profiles/{id} → IAM authorisation → get-profile (personal data: never public).
 * CORS for browser SDKs; access logs; stage throttling.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { CfnStage, CorsHttpMethod, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IManagedPolicy } from 'aws-cdk-lib/aws-iam';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { COLLECT_CORS_ALLOWED_HEADERS } from '../../schemas/api/collect-cors.ts';
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
/** analytics.js's short paths (functions/domain/collect/collect.ts SHORT_PATHS): key in header or body. */
export const BROWSER_ROUTES = ['t', 'i', 'p', 's', 'g', 'a', 'b'] as const;

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
      environment: { RAW_STREAM_NAME: props.rawStream.streamName, FAILED_EVENTS_BUCKET: props.failedEventsBucket.bucketName, SOURCES_TABLE_NAME: props.sourcesTable.tableName },
      timeout: Duration.seconds(10),
      description: 'Segment tracking API → raw stream',
      managedPolicies: [props.failedEventsWriterPolicy],
    });
    props.rawStream.grantWrite(this.collectFunction.fn);

    // POST /v1/consent (write key): a consent record onto the raw stream as an event, so it
    // reaches the profile through Clean and Tag like every other (functions/domain/privacy/consent-record.ts).
    const recordConsent = new SightlineFunction(this, 'RecordConsent', {
      functionName: 'record-consent',
      environment: { RAW_STREAM_NAME: props.rawStream.streamName, FAILED_EVENTS_BUCKET: props.failedEventsBucket.bucketName },
      timeout: Duration.seconds(10),
      description: 'POST /v1/consent → raw stream',
      managedPolicies: [props.failedEventsWriterPolicy],
    });
    props.rawStream.grantWrite(recordConsent.fn);
    props.sourcesTable.grantReadData(this.collectFunction.fn); // write keys of the browser paths and settings

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
        allowHeaders: [...COLLECT_CORS_ALLOWED_HEADERS],
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
    // Routes 2–6: the function checks the key (see the comment at the top).
    const keyChecked = [
      ...[...BROWSER_ROUTES, 'm'].flatMap((route) => this.api.addRoutes({ path: `/v1/${route}`, methods: [HttpMethod.POST], integration: collect })),
      ...this.api.addRoutes({ path: '/v1/projects/{writeKey}/settings', methods: [HttpMethod.GET], integration: collect }),
      ...this.api.addRoutes({ path: '/sourceConfig', methods: [HttpMethod.GET], integration: collect }),
      ...this.api.addRoutes({ path: '/beacon/v1/batch', methods: [HttpMethod.POST], integration: collect }),
    ];
    for (const route of keyChecked) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Write-key authentication in the function: browser SDKs may send the key in the JSON body (Segment spec; sendBeacon cannot set headers) or the query (RudderStack beacon, sourceConfig), which this authorizer (Authorization header only) does not read; collect-events verifies it with the authorizer\'s verifier before anything is stored, and /v1/m is refused unread.',
      });
    }
    this.api.addRoutes({ path: '/v1/consent', methods: [HttpMethod.POST], integration: new HttpLambdaIntegration('RecordConsent', recordConsent.fn), authorizer: writeKey });
    this.api.addRoutes({
      path: '/v1/profiles/{id}',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('GetProfile', getProfile.fn),
      authorizer: new HttpIamAuthorizer(),
    });
  }
}
