/**
 * The Campaigns stack: the state machine's shape (JSONPath, every Task with a timeout, retry
 * and catch), least privilege (the send role sends only from the configured identity through
 * its configuration set; only the state machine invokes the functions), public unsubscribe
 * routes, and the stack synthesized alone with zero unacknowledged cdk-nag findings.
 */
import { describe, expect, it } from 'vitest';
import { App, Validations } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CampaignsStack } from '../../lib/stacks/campaigns-stack.ts';
import { ProfilesStack } from '../../lib/stacks/profiles-stack.ts';
import { CollectStack } from '../../lib/stacks/collect-stack.ts';
import { DataStack } from '../../lib/stacks/data-stack.ts';
import { stateMachinesOf } from '../../local/asl.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// Prepare: the stack with only the stacks it needs, cdk-nag on
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const data = new DataStack(app, 'Sightline-Data').data;
const profiles = new ProfilesStack(app, 'Sightline-Profiles').profiles;
const collect = new CollectStack(app, 'Sightline-Collect', { rawStream: data.rawStream, failedEventsBucket: data.failedEventsBucket, failedEventsWriterPolicy: data.failedEventsWriterPolicy, sourcesTable: profiles.sourcesTable, profilesTable: profiles.profilesTable }).collect;
const stack = new CampaignsStack(app, 'Sightline-Campaigns', {
  campaignsTable: profiles.campaignsTable,
  profilesTable: profiles.profilesTable,
  httpApi: collect.api as HttpApi,
  sesIdentityArn: 'arn:aws:ses:eu-west-1:111111111111:identity/shop.example.com',
  attribution: { cleanStream: data.cleanStream, failedEventsBucket: data.failedEventsBucket, failedEventsWriterPolicy: data.failedEventsWriterPolicy },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const template = Template.fromStack(stack); // throws on any unacknowledged cdk-nag finding
const [asl] = [...stateMachinesOf(template.toJSON()).values()];

function tasks(states: Record<string, Json>, out: [string, Json][] = []): [string, Json][] {
  for (const [name, st] of Object.entries<Json>(states)) {
    if (st.Type === 'Task') out.push([name, st]);
    if (st.ItemProcessor) tasks(st.ItemProcessor.States, out);
  }
  return out;
}

describe('Campaigns stack', () => {
  it('is a Standard JSONPath state machine whose every Task has a timeout, a retry and a catch', () => {
    // Assess
    expect(template.findResources('AWS::StepFunctions::StateMachine')).not.toEqual({});
    expect(asl.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    expect(asl.StartAt).toBe('Start');
    const all = tasks(asl.States);
    expect(all.map(([n]) => n).sort()).toEqual(['Decide winner', 'Send page', 'Start', 'Summarise']);
    for (const [name, st] of all) {
      expect(st.TimeoutSeconds, name).toBeGreaterThan(0);
      expect(st.Retry?.length, name).toBeGreaterThan(0);
      expect(st.Catch?.length, name).toBeGreaterThan(0);
    }
    expect(JSON.stringify(asl)).not.toMatch(/"Assign"|ItemReader|ItemBatcher|JSONata/);
  });

  it('sends only from the configured identity through its configuration set', () => {
    const statements = Object.values<Json>(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const send = statements.filter((s) => [s.Action].flat().includes('ses:SendEmail'));
    expect(send).toHaveLength(1);
    const resources = JSON.stringify(send[0].Resource);
    expect(resources).toContain('identity/shop.example.com');
    expect(resources).toContain('configuration-set');
    expect([send[0].Action].flat()).toEqual(['ses:SendEmail']);
    expect(statements.some((s) => [s.Action].flat().some((a: string) => a === 'ses:*' || a === '*'))).toBe(false);
  });

  it('serves GET and POST /v1/unsubscribe without authorization (the signed token authenticates)', () => {
    const routes = Object.values<Json>(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(['GET /v1/unsubscribe', 'POST /v1/unsubscribe']);
    for (const r of routes) expect(r.AuthorizationType ?? 'NONE').toBe('NONE');
  });

  it('keeps the signing keys (unsubscribe tokens, webhook requests) in Secrets Manager and sends SES events to EventBridge', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp('webhook campaign requests') });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', { EventDestination: { Enabled: true, EventBridgeDestination: {} } });
  });

  it('attributes conversions from the clean stream with the consumer contract, writing only send-record updates', () => {
    // Assess: the mapping keeps the contract (partial batch responses, bisect, bounded retries, S3 on failure)
    const fn = Object.entries<Json>(template.findResources('AWS::Lambda::Function')).find(([, f]) => f.Properties.Description?.startsWith('Credit campaign goal events'));
    expect(fn).toBeDefined();
    const [logicalId] = fn!;
    const [mapping] = Object.values<Json>(template.findResources('AWS::Lambda::EventSourceMapping')).filter((m) => JSON.stringify(m.Properties.FunctionName).includes(logicalId));
    expect(mapping.Properties).toMatchObject({ BisectBatchOnFunctionError: true, FunctionResponseTypes: ['ReportBatchItemFailures'], MaximumRetryAttempts: 5 });
    expect(mapping.Properties.DestinationConfig.OnFailure.Destination).toBeDefined();
    const role = fn![1].Properties.Role['Fn::GetAtt'][0];
    const actions = Object.values<Json>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .flatMap((st: Json) => [st.Action].flat())
      .filter((a: string) => a.startsWith('dynamodb:'));
    expect(new Set(actions)).toEqual(new Set(['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem']));
  });
});
