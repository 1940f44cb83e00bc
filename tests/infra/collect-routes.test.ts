/**
 * The Collect API's browser routes (issue 15): analytics.js's short paths, its settings
 * document, RudderStack's sourceConfig and beacon path, and /v1/m go to collect-events
 * without an API Gateway authorizer (the function checks the write key, header, query or
 * body), while the long paths keep the authorizer; CORS allows what both browser SDKs send.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../bin/app.ts';

type Json = any; // CloudFormation fragments
const { stacks } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
const template = Template.fromStack(stacks.collect);
const routes = Object.values<Json>(template.findResources('AWS::ApiGatewayV2::Route'));
const byKey = (key: string) => routes.find((r) => r.Properties.RouteKey === key);
const integrationOf = (key: string) => byKey(key)?.Properties.Target;

describe('collect routes for browser SDKs', () => {
  it('routes the short paths, the settings documents, the beacon path and /v1/m to collect-events without an authorizer', () => {
    // Assess
    const collect = integrationOf('POST /v1/track');
    expect(collect).toBeDefined();
    for (const key of ['t', 'i', 'p', 's', 'g', 'a', 'b', 'm'].map((r) => `POST /v1/${r}`).concat('GET /v1/projects/{writeKey}/settings', 'GET /sourceConfig', 'POST /beacon/v1/batch')) {
      expect(byKey(key), key).toBeDefined();
      expect(byKey(key).Properties.AuthorizationType ?? 'NONE', key).toBe('NONE');
      expect(byKey(key).Properties.AuthorizerId, key).toBeUndefined();
      expect(integrationOf(key), key).toEqual(collect);
    }
  });

  it('keeps the long paths behind the write-key authorizer', () => {
    // Assess
    for (const r of ['identify', 'track', 'page', 'screen', 'group', 'alias', 'batch']) expect(byKey(`POST /v1/${r}`).Properties.AuthorizationType).toBe('CUSTOM');
  });

  it('gives collect-events read access to the sources table and its name', () => {
    // Assess
    const fn = Object.values<Json>(template.findResources('AWS::Lambda::Function')).find((f) => f.Metadata?.['sightline:function'] === 'collect-events');
    expect(Object.keys(fn.Properties.Environment.Variables)).toContain('SOURCES_TABLE_NAME');
    const role = fn.Properties.Role['Fn::GetAtt'][0];
    const actions = Object.values<Json>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: Json) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: Json) => [s.Action].flat()));
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions.filter((a: string) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
  });

  it('lets a preflight pass what analytics-next sends (Authorization, a text/plain body, X-Retry-Count on re-sends)', () => {
    // Assess
    const api = Object.values<Json>(template.findResources('AWS::ApiGatewayV2::Api'))[0];
    expect(api.Properties.CorsConfiguration.AllowHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-retry-count']));
  });

  it('lets a preflight pass the headers RudderStack\'s browser SDK adds (AnonymousId, SentAt, Rsa-* on re-sends)', () => {
    // Assess
    const api = Object.values<Json>(template.findResources('AWS::ApiGatewayV2::Api'))[0];
    expect(api.Properties.CorsConfiguration.AllowHeaders).toEqual(expect.arrayContaining(['anonymousid', 'sentat', 'rsa-recovered', 'rsa-retry-attempt', 'rsa-retry-reason', 'rsa-since-first-attempt', 'rsa-since-last-attempt']));
  });
});
