/**
 * Dashboard: the marketer's static web app (web/dashboard/) on S3 behind CloudFront.
 * 1. A private bucket (no public access, TLS only, S3-managed encryption), read by CloudFront
 *    alone through origin access control (OAC; not the legacy origin access identity).
 * 2. One distribution, so the page and its API share an origin (no CORS): `/dashboard/*` from
 *    the bucket, `/admin/*` and `/openapi.json` forwarded to the admin API uncached, the
 *    viewer's Authorization header (the Cognito ID token) passed through.
 * 3. `/dashboard/config.json` is answered at the edge by a CloudFront Function with the user
 *    pool's sign-in domain and client id, so the same bundle deploys anywhere.
 * Upload: `npm run build:dashboard && aws s3 sync web/dashboard/dist s3://<DashboardBucket>/dashboard/`.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AllowedMethods, CachePolicy, Distribution, Function as CfFunction, FunctionCode, FunctionEventType, FunctionRuntime, OriginRequestPolicy, SecurityPolicyProtocol, ViewerProtocolPolicy, ResponseHeadersPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface DashboardProps {
  readonly adminApi: IHttpApi;
  /** The hosted sign-in base URL (https://<prefix>.auth.<region>.amazoncognito.com). */
  readonly signInUrl: string;
  readonly userPoolClientId: string;
}

export class Dashboard extends Construct {
  public readonly bucket: Bucket;
  public readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const logs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logs are delivered with ACLs: the log bucket must allow them.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket itself; logging it into itself would loop.' });
    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'site/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const config = JSON.stringify({ signInUrl: props.signInUrl, clientId: props.userPoolClientId });
    const configFunction = new CfFunction(this, 'Config', {
      runtime: FunctionRuntime.JS_2_0,
      comment: 'GET /dashboard/config.json: the sign-in settings of this deployment',
      code: FunctionCode.fromInline(`function handler(event) {
  if (event.request.uri === '/dashboard/config.json') {
    return { statusCode: 200, statusDescription: 'OK', headers: { 'content-type': { value: 'application/json' }, 'cache-control': { value: 'no-store' } }, body: ${JSON.stringify(config)} };
  }
  if (event.request.uri === '/dashboard' || event.request.uri === '/dashboard/') event.request.uri = '/dashboard/index.html';
  return event.request;
}`),
    });
    const apiDomain = `${props.adminApi.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`;
    const api = new HttpOrigin(apiDomain);
    const apiBehavior = {
      origin: api,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // With caching disabled, this policy forwards every viewer header but Host, Authorization included.
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Sightline dashboard',
      defaultRootObject: 'dashboard/index.html',
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [{ function: configFunction, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: { '/admin/*': apiBehavior, '/openapi.json': apiBehavior },
    });
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'Marketers sign in from wherever they work; access is controlled by Cognito sign-in with MFA, not by country.' },
      { id: 'AwsSolutions-CFR2', reason: 'A WAF web ACL costs a monthly fee per ACL and rule; the site is static and every API route behind it needs a Cognito JWT and is throttled at the API stage. Attach one with webAclId where policy requires.' },
      { id: 'AwsSolutions-CFR4', reason: 'With the default *.cloudfront.net certificate CloudFront negotiates TLSv1 as its minimum regardless of the policy set (TLS_V1_2_2021 applies once a custom domain and certificate are given).' },
    );
  }
}
