/**
 * Operations (lib/constructs/operations.ts) in every stack that runs something: a CloudWatch
 * dashboard each, two encrypted TLS-only SNS topics by severity, and the alarms with their
 * meaningful thresholds (SES complaint 0.1 % warn / 0.3 % page, bounce 5 %, any failed
 * execution, click-through below its own baseline band).
 */
import { describe, expect, it } from 'vitest';
import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// Prepare: the whole app, as cdk synth builds it
const { stacks } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
const watched: Record<string, Stack> = { collect: stacks.collect, clean: stacks.clean, tag: stacks.tag, score: stacks.score, recommend: stacks.recommend, campaigns: stacks.campaigns, profiles: stacks.profiles, privacy: stacks.privacy, admin: stacks.admin };
const templates = Object.fromEntries(Object.entries(watched).map(([k, s]) => [k, Template.fromStack(s)]));
const topicOf = (t: Template, alarm: Json) => {
  const ref = JSON.stringify(alarm.Properties.AlarmActions);
  return Object.keys(t.findResources('AWS::SNS::Topic')).find((id) => ref.includes(id));
};

describe('Operations', () => {
  it('gives each stack a dashboard and two KMS-encrypted, TLS-only topics', () => {
    for (const [name, t] of Object.entries(templates)) {
      t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      const topics = Object.values<Json>(t.findResources('AWS::SNS::Topic'));
      expect(topics.length, name).toBeGreaterThanOrEqual(2);
      for (const topic of topics) expect(topic.Properties.KmsMasterKeyId, name).toBeDefined();
      t.hasResourceProperties('AWS::SNS::TopicPolicy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) } });
    }
  });

  it('alarms on SES complaints at 0.1 % (warn) and 0.3 % (page), bounces at 5 % (page), and any campaign whose click-through fell below 80 % of its own baseline (warn)', () => {
    // Prepare
    const t = templates.campaigns;
    const alarms = Object.values<Json>(t.findResources('AWS::CloudWatch::Alarm'));
    const byMetric = (name: string) => alarms.filter((a) => a.Properties.MetricName === name);
    const topics = t.findResources('AWS::SNS::Topic');
    const severity = (a: Json) => (String(topics[topicOf(t, a)!].Properties.DisplayName).endsWith('page') ? 'page' : 'warn');
    // Assess
    expect(byMetric('Reputation.ComplaintRate').map((a) => [a.Properties.Threshold, severity(a)]).sort()).toEqual([[0.001, 'warn'], [0.003, 'page']]);
    expect(byMetric('Reputation.BounceRate').map((a) => [a.Properties.Threshold, severity(a)])).toEqual([[0.05, 'page']]);
    // The 80 % is computed by the Summarize state (click-through.ts); the alarm watches its 0/1 verdict.
    expect(byMetric('CampaignClickThroughBelowBaseline').map((a) => [a.Properties.Namespace, a.Properties.Dimensions, a.Properties.Statistic, a.Properties.Threshold, a.Properties.ComparisonOperator, severity(a)])).toEqual([
      ['Sightline', [{ Name: 'service', Value: 'summarize-campaign' }], 'Maximum', 0, 'GreaterThanThreshold', 'warn'],
    ]);
  });

  it('pages on any failed execution of every state machine, and on the consumers\' own alarms', () => {
    for (const name of ['campaigns', 'score', 'privacy']) {
      const t = templates[name];
      const failed = Object.values<Json>(t.findResources('AWS::CloudWatch::Alarm')).filter((a) => a.Properties.MetricName === 'ExecutionsFailed');
      expect(failed.length, name).toBeGreaterThanOrEqual(1);
      for (const a of failed) expect([a.Properties.Threshold, a.Properties.ComparisonOperator]).toEqual([0, 'GreaterThanThreshold']);
    }
    const iteratorAge = Object.values<Json>(templates.clean.findResources('AWS::CloudWatch::Alarm')).find((a) => a.Properties.MetricName === 'IteratorAge');
    expect(iteratorAge.Properties.AlarmActions).toHaveLength(1);
  });
});
