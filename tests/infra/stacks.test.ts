/**
 * Infrastructure rules, asserted on the synthesized templates of the whole app (bundling
 * skipped: the handlers' bundles are not what these tests are about). cdk-nag runs inside
 * every synth and throws on any unacknowledged finding, so `Template.fromStack` below is
 * itself the nag check; tests/infra/synth.test.ts proves that check is live.
 */
import { describe, expect, it } from 'vitest';
import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app.ts';

type Json = any; // CloudFormation template fragments.

// Prepare (shared: one synth of the app for every rule below)
const { stacks } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
const t = (s: Stack) => Template.fromStack(s);
const all = Object.values(stacks).map(t);
const policyStatements = (template: Template): Json[] =>
  Object.values<Json>(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
const actionsOf = (statements: Json[]): string[] => statements.flatMap((s) => [s.Action].flat());
/** The role (logical id) of the function whose `sightline:function` metadata is `name`. */
const roleOf = (template: Template, name: string): string => {
  const fn = Object.values<Json>(template.findResources('AWS::Lambda::Function')).find((f) => f.Metadata?.['sightline:function'] === name);
  return fn.Properties.Role['Fn::GetAtt'][0];
};

describe('profiles stack', () => {
  const template = t(stacks.profiles);
  it('encrypts every table with a rotating customer-managed key and keeps point-in-time recovery', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::Table', 4);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
  it('lays the profiles table out as pk/sk, the idempotency table as Powertools expects, the sources table by pk', () => {
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }] });
    template.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true } });
    template.hasResourceProperties('AWS::DynamoDB::Table', { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] });
  });
});

describe('data stack', () => {
  const template = t(stacks.data);
  it('has three on-demand streams (raw, clean, profile changes) encrypted with the Kinesis key', () => {
    // Assess
    template.resourceCountIs('AWS::Kinesis::Stream', 3);
    template.hasResourceProperties('AWS::Kinesis::Stream', { RetentionPeriodHours: 24 }); // ids only: the daily re-scoring catches up
    template.allResourcesProperties('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' }, StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' } });
    template.allResources('AWS::Kinesis::Stream', { DeletionPolicy: 'Retain' });
  });
  it('keeps failed events private, TLS-only, KMS-encrypted, versioned, access-logged, and 30 days at most', () => {
    // Assess
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'failed-events/' }),
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' })] },
    });
    template.allResourcesProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    for (const policy of Object.values<Json>(template.findResources('AWS::S3::BucketPolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
    template.resourceCountIs('AWS::S3::BucketPolicy', 4);
  });
  it('keeps models and interactions KMS-encrypted, versioned and access-logged; interactions two years at most', () => {
    // Assess
    for (const [prefix, days] of [['models/', undefined], ['interactions/', 730]] as const) {
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: prefix }),
        LifecycleConfiguration: { Rules: [days ? Match.objectLike({ ExpirationInDays: days }) : Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })] },
      });
    }
  });
  it('gives writers of failed events one policy: put objects and encrypt them, nothing else', () => {
    // Assess
    const writers = Object.entries<Json>(template.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => id.includes('FailedEventsWriter')).map(([, p]) => p);
    expect(writers).toHaveLength(1);
    expect(writers[0].Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^DataFailedEvents/), 'Arn'] }, '/*']] } },
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] } },
    ]);
  });
  it('lets the archive put interactions and serving read models, each under its prefix only', () => {
    // Assess
    const policy = (name: string) => Object.entries<Json>(template.findResources('AWS::IAM::ManagedPolicy')).find(([id]) => id.includes(name))![1].Properties.PolicyDocument.Statement;
    const objects = (bucket: RegExp, prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(bucket), 'Arn'] }, `/${prefix}*`]] });
    const key = { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] };
    expect(policy('InteractionsWriter')).toEqual([
      { Effect: 'Allow', Action: 's3:PutObject', Resource: objects(/^DataInteractions/, 'interactions/') },
      { Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: key },
    ]);
    expect(policy('ModelsReader')).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects(/^DataModels/, 'models/') },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DataModels/), 'Arn'] }, Condition: { StringLike: { 's3:prefix': ['models/*'] } } },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: key },
    ]);
  });
});

describe('collect stack', () => {
  const template = t(stacks.collect);
  it('routes every Segment endpoint to collect-events through the write-key authorizer', () => {
    // Assess
    for (const r of ['identify', 'track', 'page', 'screen', 'group', 'alias', 'batch']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `POST /v1/${r}`, AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: Match.anyValue() } });
    }
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 300,
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 3); // one per function: collect-events, record-consent, get-profile
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /v1/consent', AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: Match.anyValue() } });
    template.allResourcesProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });
  it('serves profiles with IAM authorisation only, and no route is open but those whose function checks the write key', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /v1/profiles/{id}', AuthorizationType: 'AWS_IAM' });
    const routes = Object.values<Json>(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes).toHaveLength(20);
    // The browser paths, the settings documents, RudderStack's beacon path and /v1/m: collect-events checks the key (tests/infra/collect-routes.test.ts).
    const keyChecked = ['a', 'b', 'g', 'i', 'm', 'p', 's', 't'].map((r) => `POST /v1/${r}`).concat('GET /v1/projects/{writeKey}/settings', 'GET /sourceConfig', 'POST /beacon/v1/batch');
    expect(routes.filter((r) => !['CUSTOM', 'AWS_IAM'].includes(r.Properties.AuthorizationType)).map((r) => r.Properties.RouteKey).sort()).toEqual(keyChecked.sort());
  });
  it('logs access without the caller IP, and throttles the stage', () => {
    // Assess
    const stage = Object.values<Json>(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    expect(stage.Properties.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/AccessLogs/), 'Arn'] });
    expect(stage.Properties.AccessLogSettings.Format).not.toContain('sourceIp');
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 2000, ThrottlingBurstLimit: 4000 });
  });
  it('allows CORS for browser SDKs', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['*'], AllowMethods: Match.arrayWith(['GET', 'POST', 'OPTIONS']), AllowHeaders: Match.arrayWith(['authorization', 'content-type']) }),
    });
  });
  it('grants each function only what it needs', () => {
    // Prepare
    const statementsOf = (name: string) => {
      const role = roleOf(template, name);
      return policyStatements(
        Template.fromJSON({ Resources: Object.fromEntries(Object.entries<Json>(template.findResources('AWS::IAM::Policy')).filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === role))) }),
      );
    };
    // Act
    const authorizer = actionsOf(statementsOf('authorize-write-key'));
    const collect = actionsOf(statementsOf('collect-events'));
    const profile = actionsOf(statementsOf('get-profile'));
    // Assess
    expect(authorizer.filter((a) => /^(dynamodb|kinesis|s3):/.test(a) && !/^dynamodb:(BatchGetItem|Get|Query|Scan|ConditionCheckItem|DescribeTable)/.test(a))).toEqual([]);
    expect(authorizer).toContain('dynamodb:GetItem');
    expect(collect).toEqual(expect.arrayContaining(['kinesis:PutRecord', 'kinesis:PutRecords']));
    // Reads only: the write keys of the browser paths (sources table); it never writes a table.
    expect(collect.filter((a) => a.startsWith('dynamodb:') && !/^dynamodb:(BatchGetItem|Get|Query|Scan|ConditionCheckItem|DescribeTable)/.test(a))).toEqual([]);
    expect(profile).toContain('dynamodb:GetItem');
    expect(profile.filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a) || a.startsWith('kinesis:'))).toEqual([]);
  });
});

describe('recommend stack', () => {
  const template = t(stacks.recommend);
  it('adds the two read routes to the collect API, IAM-authorised', () => {
    // Assess
    for (const key of ['GET /v1/recommendations/{userId}', 'GET /v1/items/{itemId}/similar']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key, AuthorizationType: 'AWS_IAM', ApiId: { 'Fn::ImportValue': Match.stringLikeRegexp('Collect') } });
    }
  });
  it('lets serving read models and profiles only, and the archive put interactions only', () => {
    // Prepare
    const managed = (name: string) => JSON.stringify(template.findResources('AWS::IAM::Role')[roleOf(template, name)].Properties.ManagedPolicyArns);
    const inline = (name: string) =>
      actionsOf(policyStatements(Template.fromJSON({ Resources: Object.fromEntries(Object.entries<Json>(template.findResources('AWS::IAM::Policy')).filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleOf(template, name)))) })));
    // Assess
    expect(managed('get-recommendations')).toMatch(/ModelsReader/);
    expect(managed('get-recommendations')).not.toMatch(/Writer/);
    expect(inline('get-recommendations').filter((a) => /^(dynamodb|s3|kinesis):/.test(a))).toEqual(['dynamodb:GetItem']);
    expect(managed('archive-interactions')).toMatch(/InteractionsWriter/);
    expect(managed('archive-interactions')).not.toMatch(/ModelsReader/);
  });
});

describe('consumers (clean, tag, archive, score)', () => {
  for (const [name, stack, fn, batch, window] of [
    ['clean', stacks.clean, 'clean-events', 100, 1],
    ['tag', stacks.tag, 'tag-profiles', 1000, 5],
    ['archive', stacks.recommend, 'archive-interactions', 2000, 10],
    ['score', stacks.score, 'score-profiles', 2000, 30],
  ] as const) {
    const template = t(stack);
    it(`${name}: keeps the stream contract (partial failures, bisect, bounded retries, age, S3 on-failure)`, () => {
      // Assess
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: batch,
        MaximumBatchingWindowInSeconds: window,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 86400,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        StartingPosition: 'TRIM_HORIZON',
        DestinationConfig: { OnFailure: { Destination: { 'Fn::ImportValue': Match.stringLikeRegexp('DataFailedEvents.*Arn') } } },
      });
    });
    it(`${name}: alarms on iterator age, errors and refused events`, () => {
      // Assess
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Statistic: 'Maximum', Threshold: 60000, Period: 60, EvaluationPeriods: 5 });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: 'Errors' });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'FailedEvents', Namespace: 'Sightline', Dimensions: [{ Name: 'service', Value: fn }] });
    });
    it(`${name}: the on-failure destination may list the bucket and, through the writer policy, put into it`, () => {
      // Prepare
      const role = template.findResources('AWS::IAM::Role')[roleOf(template, fn)];
      // Act
      const ownPolicies = Object.fromEntries(Object.entries<Json>(template.findResources('AWS::IAM::Policy')).filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleOf(template, fn))));
      const s3 = policyStatements(Template.fromJSON({ Resources: ownPolicies })).filter((s) => actionsOf([s]).some((a) => a.startsWith('s3:')));
      // Assess
      expect(role.Properties.ManagedPolicyArns).toContainEqual({ 'Fn::ImportValue': expect.stringMatching(/DataFailedEventsWriter/) });
      expect(s3).toEqual([expect.objectContaining({ Action: 's3:ListBucket', Resource: { 'Fn::ImportValue': expect.stringMatching(/DataFailedEvents.*Arn/) } })]);
    });
  }
  it('tag: may read and write profile items, and nothing else on the table', () => {
    // Act
    const actions = actionsOf(policyStatements(t(stacks.tag)));
    // Assess
    expect(actions.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(actions.some((a) => a.includes('*') && !a.startsWith('xray:'))).toBe(false);
  });
  it('tag: announces touched profiles on the profile-changes stream (write only)', () => {
    // Act
    const template = t(stacks.tag);
    const env = Object.values<Json>(template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables;
    const kinesis = policyStatements(template).filter((s) => actionsOf([s]).some((a) => a.startsWith('kinesis:')));
    // Assess
    expect(env.CHANGES_STREAM_NAME).toEqual({ 'Fn::ImportValue': expect.stringMatching(/ProfileChangesStream/) });
    const written = kinesis.filter((s) => actionsOf([s]).includes('kinesis:PutRecords'));
    expect(written).toHaveLength(1);
    expect(JSON.stringify(written[0].Resource)).toMatch(/ProfileChangesStream/);
  });
  it('clean: may write the clean stream; the idempotency table only in table de-duplication mode', () => {
    // Act
    const actions = actionsOf(policyStatements(t(stacks.clean)));
    // Assess
    expect(actions).toEqual(expect.arrayContaining(['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:GetRecords']));
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).toEqual([]); // default DEDUP_MODE=profile
  });
});

describe('every function', () => {
  const functions = all.flatMap((template) => Object.values<Json>(template.findResources('AWS::Lambda::Function')));
  it('is a SightlineFunction: Node 24 on arm64, traced, its own log group, and named for the local platform', () => {
    // Assess
    expect(functions.map((f) => f.Metadata?.['sightline:function']).sort()).toEqual(['admin-campaigns', 'admin-health', 'admin-models', 'admin-profiles', 'admin-segments', 'archive-interactions', 'attribute-conversions', 'authorize-write-key', 'clean-events', 'collect-events', 'erase-archive', 'erase-campaigns', 'erase-failed-events', 'erase-job', 'erase-personalize', 'erase-profiles', 'get-openapi', 'get-profile', 'get-recommendations', 'measure-drift', 'privacy-erase', 'privacy-export', 'record-consent', 'record-feedback', 'rescore-profiles', 'score-profiles', 'send-campaign-page', 'start-campaign', 'summarize-campaign', 'tag-profiles', 'train-scores', 'unsubscribe']);
    for (const f of functions) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        Environment: { Variables: expect.objectContaining({ POWERTOOLS_SERVICE_NAME: f.Metadata['sightline:function'], POWERTOOLS_METRICS_NAMESPACE: 'Sightline' }) },
      });
    }
    for (const template of all.filter((x) => Object.keys(x.findResources('AWS::Logs::LogGroup')).length > 0)) {
      template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    }
  });
  it('runs with no AWS managed policy on its role', () => {
    // Assess
    for (const template of all) {
      for (const role of Object.values<Json>(template.findResources('AWS::IAM::Role'))) {
        expect(JSON.stringify(role.Properties.ManagedPolicyArns ?? [])).not.toContain(':iam::aws:policy');
      }
    }
  });
  it('writes failed events only when it is a writer (collect, consent, clean, tag, archive, score, attribution)', () => {
    // Act
    const writers = all.flatMap((template) =>
      Object.values<Json>(template.findResources('AWS::Lambda::Function'))
        .filter((f) => JSON.stringify(template.findResources('AWS::IAM::Role')[f.Properties.Role['Fn::GetAtt'][0]].Properties.ManagedPolicyArns ?? []).includes('FailedEventsWriter'))
        .map((f) => f.Metadata['sightline:function']),
    );
    // Assess
    expect(writers.sort()).toEqual(['archive-interactions', 'attribute-conversions', 'clean-events', 'collect-events', 'record-consent', 'score-profiles', 'tag-profiles']);
  });
});

describe('score stack', () => {
  const template = t(stacks.score);
  const dynamoActions = (fn: string) =>
    policyStatements(Template.fromJSON({ Resources: Object.fromEntries(Object.entries<Json>(template.findResources('AWS::IAM::Policy')).filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleOf(template, fn)))) }))
      .flatMap((s) => [s.Action].flat())
      .filter((a: string) => a.startsWith('dynamodb:'))
      .sort();
  const managed = (fn: string) => JSON.stringify(template.findResources('AWS::IAM::Role')[roleOf(template, fn)].Properties.ManagedPolicyArns ?? []);
  it('grants each scoring function only its own table actions: no Scan for the stream consumer, no writes for training and drift', () => {
    // Assess
    expect(dynamoActions('score-profiles')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(dynamoActions('rescore-profiles')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:Scan']);
    expect(dynamoActions('train-scores')).toEqual(['dynamodb:Scan']);
    expect(dynamoActions('measure-drift')).toEqual(['dynamodb:Scan']);
  });
  it('lets only training publish models, and only under the scoring models\' prefixes', () => {
    // Assess
    expect(managed('train-scores')).toMatch(/ScoreModelsWriter/);
    for (const fn of ['score-profiles', 'rescore-profiles', 'measure-drift']) {
      expect(managed(fn)).toMatch(/ModelsReader/);
      expect(managed(fn)).not.toMatch(/Writer"|ScoreModelsWriter/);
    }
    const writer = Object.values<Json>(t(stacks.data).findResources('AWS::IAM::ManagedPolicy')).find((p) => p.Properties.Description === 'Sightline: publish and promote the scoring models');
    const resources = JSON.stringify(writer.Properties.PolicyDocument.Statement[0].Resource);
    for (const m of ['propensity', 'churn', 'clv']) expect(resources).toContain(`/models/${m}/*`);
    expect(resources).not.toContain('/models/*');
  });
  it('re-scores every profile daily: a Map over scan segments, each looping until its segment is done', () => {
    // Prepare
    const [sm] = Object.values<Json>(template.findResources('AWS::StepFunctions::StateMachine'));
    const body = JSON.stringify(sm.Properties.DefinitionString);
    // Assess
    expect(body).toContain('\\"Type\\":\\"Map\\"');
    expect(body).toContain('Segment done?');
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 3 * * ? *)', Targets: [Match.objectLike({ Input: JSON.stringify({ segments: [0, 1, 2, 3, 4, 5, 6, 7], totalSegments: 8 }) })] });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true }, LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }) });
  });
  it('retrains weekly and measures drift daily, with alarms per model on the score\'s and the most shifted feature\'s PSI', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 ? * SUN *)' });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 5 * * ? *)' });
    for (const model of ['propensity', 'churn', 'clv']) {
      for (const metric of ['ScorePsi', 'MaxFeaturePsi']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'Sightline', MetricName: metric, Threshold: 0.25, ComparisonOperator: 'GreaterThanThreshold', Dimensions: Match.arrayWith([{ Name: 'model', Value: model }]) });
      }
    }
  });
});

describe('personalize stack and training workflow', () => {
  const { personalize } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
  const template = t(personalize!);
  const recommend = t(stacks.recommend);
  it('holds one dataset group with interactions, items and users datasets whose schemas match what Sightline writes', () => {
    // Assess
    template.resourceCountIs('AWS::Personalize::DatasetGroup', 1);
    for (const type of ['Interactions', 'Items', 'Users']) template.hasResourceProperties('AWS::Personalize::Dataset', { DatasetType: type });
    const fields = (name: string) => JSON.parse(Object.values<Json>(template.findResources('AWS::Personalize::Schema')).find((s) => s.Properties.Name.endsWith(name))!.Properties.Schema).fields.map((f: Json) => f.name);
    expect(fields('interactions')).toEqual(['USER_ID', 'ITEM_ID', 'TIMESTAMP', 'EVENT_TYPE', 'QUANTITY', 'COUNTRY']);
    expect(fields('items')).toEqual(['ITEM_ID', 'CATEGORY', 'PRICE', 'DESCRIPTION']);
    template.hasResourceProperties('AWS::Personalize::Solution', { RecipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization-v2' });
    template.allResources('AWS::Personalize::Dataset', { DeletionPolicy: 'Retain' });
  });
  it('lets Personalize import as a role that can only read the interactions bucket', () => {
    // Assess
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'personalize.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::ImportValue': Match.stringLikeRegexp('InteractionsReader') }],
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });
  it('trains on a weekly schedule with full logging and tracing, passing only the import role', () => {
    // Assess
    recommend.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true }, LoggingConfiguration: Match.objectLike({ Level: 'ALL' }) });
    recommend.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(7 days)' });
    const passRole = policyStatements(recommend).filter((s) => actionsOf([s]).includes('iam:PassRole'));
    expect(passRole).toEqual([expect.objectContaining({ Condition: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } } })]);
  });
});
