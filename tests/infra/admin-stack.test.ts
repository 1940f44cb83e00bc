/**
 * The Observe stacks in the whole app (bundling skipped): the admin API's routes are exactly
 * schemas/api/admin-routes.ts, each behind the JWT authoriser that trusts the Cognito pool
 * (only /openapi.json is public); the user pool admits no self sign-up and requires MFA; the
 * dashboard bucket is private and read by CloudFront through origin access control; every
 * route of every stack is documented in the OpenAPI document; zero unacknowledged cdk-nag
 * findings (Template.fromStack throws on one).
 */
import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app.ts';
import { ADMIN_ROUTES, routeKeyOf } from '../../schemas/api/admin-routes.ts';
import { buildOpenApi } from '../../schemas/openapi.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// Prepare: the whole app, as cdk synth builds it
const { stacks } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
const admin = Template.fromStack(stacks.admin);
const auth = Template.fromStack(stacks.auth);
const dashboard = Template.fromStack(stacks.dashboard);
const allRoutes = Object.values(stacks).flatMap((s) => Object.values<Json>(Template.fromStack(s).findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties));

describe('Admin stack', () => {
  it('has exactly the listed admin routes, each with the Cognito JWT authoriser; /openapi.json is public', () => {
    // Assess
    const routes = Object.values<Json>(admin.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([...ADMIN_ROUTES.map(routeKeyOf), 'GET /openapi.json'].sort());
    for (const r of routes) expect(r.AuthorizationType, r.RouteKey).toBe(r.RouteKey === 'GET /openapi.json' ? 'NONE' : 'JWT');
    admin.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'JWT', JwtConfiguration: { Issuer: Match.anyValue(), Audience: Match.anyValue() } });
    const issuer = JSON.stringify(Object.values<Json>(admin.findResources('AWS::ApiGatewayV2::Authorizer'))[0].Properties.JwtConfiguration.Issuer);
    expect(issuer).toContain('cognito-idp');
  });

  it('grants the campaigns function StartExecution on the Campaign state machine only, and no DynamoDB wildcard actions', () => {
    // Assess
    const policies = Object.values<Json>(admin.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const start = policies.filter((s) => [s.Action].flat().includes('states:StartExecution'));
    expect(start).toHaveLength(1);
    expect(JSON.stringify(start[0].Resource)).toContain('stateMachine:');
    for (const s of policies) for (const a of [s.Action].flat()) expect(a).not.toMatch(/^dynamodb:\*|^s3:\*|^states:\*/);
  });
});

describe('Auth stack', () => {
  it('is a user pool without self sign-up, with MFA required and a strong password policy; the client has no secret and uses the code flow', () => {
    // Assess
    auth.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 14, RequireSymbols: true }) },
    });
    auth.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false, AllowedOAuthFlows: ['code'] });
  });
});

describe('Dashboard stack', () => {
  it('serves a private bucket through CloudFront origin access control, and forwards /admin/* to the admin API uncached', () => {
    // Assess
    dashboard.hasResourceProperties('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }) });
    dashboard.hasResourceProperties('AWS::S3::Bucket', { PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true } });
    const dist = Object.values<Json>(dashboard.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;
    expect(dist.Origins.find((o: Json) => o.S3OriginConfig)?.OriginAccessControlId).toBeDefined();
    expect(dist.Origins.find((o: Json) => o.S3OriginConfig)?.S3OriginConfig.OriginAccessIdentity ?? '').toBe('');
    const api = dist.CacheBehaviors.find((b: Json) => b.PathPattern === '/admin/*');
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
    const policy = JSON.stringify(Object.values<Json>(dashboard.findResources('AWS::S3::BucketPolicy')).map((p) => p.Properties.PolicyDocument));
    expect(policy).toContain('cloudfront.amazonaws.com');
  });
});

describe('OpenAPI document', () => {
  it('documents every route of every stack of the synthesized app', () => {
    // Prepare
    const doc = buildOpenApi() as { paths: Record<string, Record<string, unknown>> };
    // Assess
    expect(allRoutes.length).toBeGreaterThan(ADMIN_ROUTES.length);
    for (const r of allRoutes) {
      const [method, path] = String(r.RouteKey).split(' ');
      expect(doc.paths[path]?.[method.toLowerCase()], `${r.RouteKey} is not in schemas/openapi.ts`).toBeDefined();
    }
  });
});
