/**
 * The Privacy stack alone: the Erasure state machine's shape (Standard, JSONPath, one Task
 * per store, each with a timeout, a retry and a catch; Personalize's deletion and its poll
 * loop only where Personalize is deployed), IAM on both routes, least privilege (only the
 * erase-* roles delete, each from its own store), and zero unacknowledged cdk-nag findings.
 */
import { describe, expect, it } from 'vitest';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PrivacyStack } from '../../lib/stacks/privacy-stack.ts';
import { ProfilesStack } from '../../lib/stacks/profiles-stack.ts';
import { CollectStack } from '../../lib/stacks/collect-stack.ts';
import { DataStack } from '../../lib/stacks/data-stack.ts';
import { stateMachinesOf } from '../../local/asl.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function build(withPersonalize: boolean) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const data = new DataStack(app, 'Sightline-Data').data;
  const profiles = new ProfilesStack(app, 'Sightline-Profiles').profiles;
  const collect = new CollectStack(app, 'Sightline-Collect', { rawStream: data.rawStream, failedEventsBucket: data.failedEventsBucket, failedEventsWriterPolicy: data.failedEventsWriterPolicy, sourcesTable: profiles.sourcesTable, profilesTable: profiles.profilesTable }).collect;
  const stack = new PrivacyStack(app, 'Sightline-Privacy', {
    profilesTable: profiles.profilesTable,
    campaignsTable: profiles.campaignsTable,
    failedEventsBucket: data.failedEventsBucket,
    interactionsBucket: data.interactionsBucket,
    dataKey: data.key,
    httpApi: collect.api,
    ...(withPersonalize ? { personalize: { datasetGroupArn: 'arn:aws:personalize:eu-west-1:111111111111:dataset-group/sightline', roleArn: 'arn:aws:iam::111111111111:role/personalize-import' } } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const template = Template.fromStack(stack); // throws on any unacknowledged cdk-nag finding
  const [asl] = [...stateMachinesOf(template.toJSON()).values()];
  return { template, asl };
}

// Prepare: the AWS shape (with Personalize) and the local one (without)
const aws = build(true);
const local = build(false);

const tasks = (asl: Json): [string, Json][] => Object.entries<Json>(asl.States).filter(([, st]) => st.Type === 'Task');

/** Role logical id → the handler names of the functions that use it. */
function roleOwners(template: Template): Map<string, string> {
  const out = new Map<string, string>();
  for (const fn of Object.values<Json>(template.findResources('AWS::Lambda::Function'))) {
    const name = fn.Metadata?.['sightline:function'];
    const role = fn.Properties.Role?.['Fn::GetAtt']?.[0];
    if (name && role) out.set(role, name);
  }
  return out;
}

describe('Privacy stack', () => {
  it('is a Standard JSONPath state machine with one Task per store, each with a timeout, a retry and a catch', () => {
    for (const { asl } of [aws, local]) {
      expect(asl.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
      expect(asl.StartAt).toBe('Resolve');
      for (const [name, st] of tasks(asl)) {
        expect(st.TimeoutSeconds, name).toBeGreaterThan(0);
        expect(st.Retry?.length, name).toBeGreaterThan(0);
        expect(st.Catch?.length, name).toBeGreaterThan(0);
      }
      expect(JSON.stringify(asl)).not.toMatch(/"Assign"|ItemReader|ItemBatcher|JSONata/);
    }
    expect(tasks(local.asl).map(([n]) => n).sort()).toEqual(['Archive', 'Campaigns', 'Failed events', 'Finish', 'Profiles', 'Resolve', 'Suppression']);
    expect(tasks(aws.asl).map(([n]) => n)).toEqual(expect.arrayContaining(['Personalize start', 'Personalize status']));
    expect(aws.asl.States['Wait for Personalize'].Type).toBe('Wait');
    expect(local.asl.States['Wait for Personalize']).toBeUndefined();
  });

  it('answers export and erase on IAM-authorised routes only', () => {
    const routes = Object.values<Json>(aws.template.findResources('AWS::ApiGatewayV2::Route')).map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType]);
    expect(routes.sort()).toEqual([
      ['GET /v1/privacy/{id}/export', 'AWS_IAM'],
      ['POST /v1/privacy/{id}/erase', 'AWS_IAM'],
    ]);
  });

  it('lets only the erase-* roles delete, each from the store it erases', () => {
    const owners = roleOwners(aws.template);
    const deletes: Record<string, string[]> = {};
    for (const p of Object.values<Json>(aws.template.findResources('AWS::IAM::Policy'))) {
      const roles: string[] = (p.Properties.Roles ?? []).map((r: Json) => r.Ref);
      for (const st of p.Properties.PolicyDocument.Statement) {
        const actions: string[] = [st.Action].flat();
        // The data stores' deletes (the state machine role's logs:DeleteLogDelivery manages its own log delivery).
        const del = actions.filter((a) => /^(dynamodb|s3):.*Delete/.test(a));
        if (del.length === 0) continue;
        for (const role of roles) (deletes[owners.get(role) ?? role] ??= []).push(...del);
      }
    }
    expect(Object.keys(deletes).sort()).toEqual(['erase-archive', 'erase-campaigns', 'erase-failed-events', 'erase-personalize', 'erase-profiles']);
    expect(new Set(deletes['erase-profiles'])).toEqual(new Set(['dynamodb:DeleteItem']));
    expect(new Set(deletes['erase-campaigns'])).toEqual(new Set(['dynamodb:DeleteItem']));
    expect(new Set(deletes['erase-archive'])).toEqual(new Set(['s3:DeleteObject', 's3:DeleteObjectVersion']));
    expect(new Set(deletes['erase-failed-events'])).toEqual(new Set(['s3:DeleteObject', 's3:DeleteObjectVersion']));
  });

  it('keeps the receipts in its own encrypted table with point-in-time recovery', () => {
    aws.template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true }, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
  });
});
