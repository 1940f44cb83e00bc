/**
 * Infrastructure rules, asserted on the synthesized templates (bundling skipped: the
 * handlers' bundles are not what these tests are about). cdk-nag runs on every synth and
 * throws on any unacknowledged finding, so synthesizing is itself the nag check.
 */
import { describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app.ts';
import { DataStack } from '../../lib/stacks/data-stack.ts';
import { ProfilesStack } from '../../lib/stacks/profiles-stack.ts';
import { CollectStack } from '../../lib/stacks/collect-stack.ts';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const app = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const { stacks } = buildApp(app());
const t = (s: Stack) => Template.fromStack(s);

describe('profiles stack', () => {
  const template = t(stacks.profiles);
  it('encrypts every table with a rotating customer-managed key and keeps point-in-time recovery', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });
  it('lays the profiles table out as pk/sk and the idempotency table as Powertools expects', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] });
    template.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true } });
  });
});

describe('data stack', () => {
  const template = t(stacks.data);
  it('has two on-demand encrypted streams', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 2);
    template.allResourcesProperties('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' }, StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' } });
  });
  it('keeps failed events private, TLS-only, KMS-encrypted, versioned and access-logged', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'failed-events/' }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });
  it('lets only writer-tagged roles put failed events, and nothing more', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Action: 's3:PutObject', Condition: { StringEquals: { 'aws:PrincipalTag/sightline-writes-failed-events': 'true' } } }),
        ]),
      },
    });
  });
});

describe('consumers (clean, tag)', () => {
  for (const [name, stack, batch] of [['clean', stacks.clean, 100], ['tag', stacks.tag, 1000]] as const) {
    const template = t(stack);
    it(`${name}: keeps the stream contract (partial failures, bisect, bounded retries, age, S3 on-failure)`, () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: batch,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 86400,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        StartingPosition: 'TRIM_HORIZON',
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      });
    });
    it(`${name}: alarms on iterator age, errors and refused events`, () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Threshold: 60000 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors' });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FailedEvents', Namespace: 'Sightline' });
    });
    it(`${name}: runs Node 24 on arm64 with tracing, and names its handler for the local platform`, () => {
      template.hasResource('AWS::Lambda::Function', {
        Properties: Match.objectLike({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } }),
        Metadata: Match.objectLike({ 'sightline:function': name === 'clean' ? 'clean-events' : 'tag-profiles' }),
      });
    });
  }
  it('tag: may read and write profile items, and nothing else on the table', () => {
    const policies = t(stacks.tag).findResources('AWS::IAM::Policy');
    const actions = Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }).Properties.PolicyDocument.Statement.flatMap((s) => s.Action));
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(actions.some((a) => a.includes('*') && !a.startsWith('xray:'))).toBe(false);
  });
  it('uses no AWS managed policy on any function role', () => {
    for (const s of Object.values(stacks)) {
      for (const role of Object.values(t(s).findResources('AWS::IAM::Role'))) {
        expect((role as { Properties: { ManagedPolicyArns?: unknown } }).Properties.ManagedPolicyArns).toBeUndefined();
      }
    }
  });
});

describe('collect stack', () => {
  const template = t(stacks.collect);
  it('routes every Segment endpoint through the write-key authorizer', () => {
    for (const r of ['identify', 'track', 'page', 'screen', 'group', 'alias', 'batch']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `POST /v1/${r}`, AuthorizationType: 'CUSTOM', AuthorizerId: Match.anyValue() });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'REQUEST', EnableSimpleResponses: true, IdentitySource: ['$request.header.Authorization'], AuthorizerResultTtlInSeconds: 300 });
  });
  it('serves profiles with IAM authorisation only', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /v1/profiles/{id}', AuthorizationType: 'AWS_IAM' });
  });
  it('logs access without the caller IP, and throttles the stage', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as { Properties: { AccessLogSettings: { Format: string }; DefaultRouteSettings: object } };
    expect(stage.Properties.AccessLogSettings.Format).not.toContain('sourceIp');
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 2000 });
  });
  it('allows CORS for browser SDKs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.objectLike({ AllowOrigins: ['*'], AllowHeaders: Match.arrayWith(['authorization', 'content-type']) }) });
  });
});

describe('synthesis', () => {
  it('synthesizes every stack on its own (the stateful ones with no dependency)', () => {
    const a = app();
    const data = new DataStack(a, 'D');
    new ProfilesStack(a, 'P');
    for (const Only of [DataStack, ProfilesStack]) {
      const alone = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      new Only(alone, 'Only');
      expect(alone.synth().stacks.map((x) => x.stackName)).toEqual(['Only']);
    }
    expect(data.dependencies).toEqual([]);
  });
  it('fails the synth on an unacknowledged cdk-nag finding (the check is live)', async () => {
    const a = app();
    const { stacks: s } = buildApp(a);
    // An unencrypted, unlogged bucket breaks several AwsSolutions rules.
    new Bucket(s.collect, 'Careless');
    expect(() => a.synth()).toThrow(/AwsSolutions-S1|server access logs/);
  });
  it('synthesizes the whole app with zero cdk-nag findings', () => {
    const a = app();
    buildApp(a);
    const assembly = a.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['Sightline-Clean', 'Sightline-Collect', 'Sightline-Data', 'Sightline-Profiles', 'Sightline-Tag']);
  });
  it('wires the collect stack to the stateful stacks through typed props', () => {
    expect(stacks.collect).toBeInstanceOf(CollectStack);
    expect(stacks.collect.dependencies.map((d) => d.stackName).sort()).toEqual(['Sightline-Data', 'Sightline-Profiles']);
  });
});

describe('bundling', () => {
  it('bundles the handlers with esbuild offline, without Docker', () => {
    const a = new App({ context: { 'aws:cdk:bundling-stacks': ['Sightline-Tag'] } });
    buildApp(a);
    const assembly = a.synth();
    const assets = readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'));
    expect(assets).toHaveLength(1); // only the tag stack's one function was bundled
    const bundle = readFileSync(join(assembly.directory, assets[0], 'index.mjs'), 'utf8');
    expect(bundle).toContain('createRequire');
    expect(bundle.length).toBeGreaterThan(100_000); // the SDK and Powertools are inside, not external
  });
});
