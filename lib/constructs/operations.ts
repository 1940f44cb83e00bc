/**
 * Operations: one CloudWatch dashboard per stack, from the resources the stack passes in, and
 * the alarms with thresholds that mean something, on two SNS topics by severity (`Warn`:
 * look today; `Page`: act now). One construct, instantiated by each stack with its own parts:
 * 1. API: requests, 4xx, 5xx per HTTP API (AWS/ApiGateway, ApiId); 5xx above 1 % pages.
 * 2. Stream consumers: iterator age (max) and errors per consumer, failed events per consumer
 *    (Sightline FailedEvents by service; the breakdown by reason is the failed-events bucket's
 *    keys, shown by the admin API's /health); the consumers' own alarms get the Page topic.
 * 3. DynamoDB: throttled requests per table (read and write throttle events).
 * 4. State machines: failed executions; any failed execution pages.
 * 5. SES (account reputation metrics): complaint rate above 0.1 % warns, above 0.3 % pages
 *    (the Gmail / Yahoo bulk-sender ceiling); bounce rate above 5 % pages (SES reviews an
 *    account at 5 % and may pause it at 10 %).
 * 6. Campaign click-through below 80 % of the campaign's own baseline: computed exactly from
 *    the send records by the Summarize state (functions/domain/campaigns/click-through.ts: the
 *    latest day of sends that has had 24 h to be clicked against the campaign's earlier sends)
 *    and published as a 0/1 metric; any 1 warns.
 * Topics are encrypted with a customer-managed key that CloudWatch may use (the AWS-managed SNS
 * key cannot grant it), and accept TLS only.
 */
import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, type IAlarm, TreatMissingData, TextWidget, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OperationsProps {
  /** Dashboard title (and the stack it watches). */
  readonly title: string;
  /** @default none */
  readonly httpApis?: IHttpApi[];
  /** Stream consumers: Powertools service name → function. @default none */
  readonly consumers?: Record<string, IFunction>;
  /** Alarms the stack already has (iterator age, errors, drift): they get the Page topic. @default none */
  readonly alarms?: IAlarm[];
  /** @default none */
  readonly tables?: ITable[];
  /** @default none */
  readonly stateMachines?: IStateMachine[];
  /** Watch SES reputation and campaign click-through (the Campaigns stack). @default false */
  readonly email?: boolean;
}

const FIVE_MIN = Duration.minutes(5);

export class Operations extends Construct {
  public readonly dashboard: Dashboard;
  /** Look today. */
  public readonly warnTopic: Topic;
  /** Act now. */
  public readonly pageTopic: Topic;
  public readonly alarms: IAlarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const key = new Key(this, 'TopicsKey', { enableKeyRotation: true, description: `Sightline alarm topics (${props.title})` });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.warnTopic = new Topic(this, 'Warn', { displayName: `Sightline ${props.title}: warning`, masterKey: key, enforceSSL: true });
    this.pageTopic = new Topic(this, 'Page', { displayName: `Sightline ${props.title}: page`, masterKey: key, enforceSSL: true });
    const warn = new SnsAction(this.warnTopic);
    const page = new SnsAction(this.pageTopic);
    const alarm = (aid: string, a: { metric: Metric | MathExpression; threshold: number; description: string; severity: 'warn' | 'page'; comparison?: ComparisonOperator }) => {
      const x = new Alarm(this, aid, {
        metric: a.metric,
        threshold: a.threshold,
        evaluationPeriods: 1,
        comparisonOperator: a.comparison ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: a.description,
      });
      x.addAlarmAction(a.severity === 'page' ? page : warn);
      this.alarms.push(x);
      return x;
    };
    for (const a of props.alarms ?? []) a instanceof Alarm && a.addAlarmAction(page);

    const widgets: IWidget[] = [new TextWidget({ markdown: `# Sightline: ${props.title}\nAlarms: *Warn* and *Page* SNS topics of this stack.`, width: 24, height: 2 })];
    for (const [i, api] of (props.httpApis ?? []).entries()) {
      const m = (name: string) => new Metric({ namespace: 'AWS/ApiGateway', metricName: name, dimensionsMap: { ApiId: api.apiId }, statistic: 'Sum', period: FIVE_MIN });
      widgets.push(new GraphWidget({ title: `API ${i + 1}: requests, 4xx, 5xx`, left: [m('Count')], right: [m('4xx'), m('5xx')], width: 12 }));
      alarm(`Api${i}5xx`, { metric: new MathExpression({ expression: 'IF(requests > 20, 100 * errors / requests, 0)', usingMetrics: { errors: m('5xx'), requests: m('Count') }, period: FIVE_MIN, label: '5xx %' }), threshold: 1, severity: 'page', description: 'More than 1 % of API requests answered 5xx over 5 minutes (ignored below 20 requests).' });
    }
    for (const [name, fn] of Object.entries(props.consumers ?? {})) {
      widgets.push(
        new GraphWidget({
          title: `${name}: iterator age, errors, failed events`,
          left: [fn.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) })],
          right: [fn.metricErrors({ period: FIVE_MIN }), new Metric({ namespace: 'Sightline', metricName: 'FailedEvents', dimensionsMap: { service: name }, statistic: 'Sum', period: FIVE_MIN })],
          width: 12,
        }),
      );
    }
    for (const [i, table] of (props.tables ?? []).entries()) {
      const t = (name: string) => new Metric({ namespace: 'AWS/DynamoDB', metricName: name, dimensionsMap: { TableName: table.tableName }, statistic: 'Sum', period: FIVE_MIN });
      widgets.push(new GraphWidget({ title: `Table ${i + 1}: throttles`, left: [t('ReadThrottleEvents'), t('WriteThrottleEvents')], width: 12 }));
      alarm(`Table${i}Throttles`, { metric: new MathExpression({ expression: 'r + w', usingMetrics: { r: t('ReadThrottleEvents'), w: t('WriteThrottleEvents') }, period: FIVE_MIN, label: 'throttles' }), threshold: 0, severity: 'warn', description: 'DynamoDB throttled requests: on-demand tables throttle only at sudden multiples of their peak or hot keys.' });
    }
    for (const [i, sm] of (props.stateMachines ?? []).entries()) {
      const failed = sm.metricFailed({ period: FIVE_MIN, statistic: 'Sum' });
      widgets.push(new GraphWidget({ title: `State machine ${i + 1}: started, succeeded, failed`, left: [sm.metricStarted({ period: FIVE_MIN }), sm.metricSucceeded({ period: FIVE_MIN }), failed], width: 12 }));
      alarm(`StateMachine${i}Failed`, { metric: failed, threshold: 0, severity: 'page', description: 'An execution failed: its history says which state and why.' });
    }
    if (props.email) {
      const ses = (name: string) => new Metric({ namespace: 'AWS/SES', metricName: name, statistic: 'Maximum', period: Duration.hours(1) });
      const complaint = ses('Reputation.ComplaintRate');
      const bounce = ses('Reputation.BounceRate');
      widgets.push(new GraphWidget({ title: 'SES reputation: complaint and bounce rates', left: [complaint, bounce], width: 12 }));
      alarm('ComplaintWarn', { metric: complaint, threshold: 0.001, severity: 'warn', description: 'Complaint rate above 0.1 %: look at the latest campaigns and their audiences.' });
      alarm('ComplaintPage', { metric: complaint, threshold: 0.003, severity: 'page', description: 'Complaint rate above 0.3 %: the Gmail and Yahoo bulk-sender ceiling; pause campaigns.' });
      alarm('BounceRate', { metric: bounce, threshold: 0.05, severity: 'page', description: 'Bounce rate above 5 %: SES reviews the account at 5 % and may pause sending at 10 %.' });
      const feedback = (name: string) => new Metric({ namespace: 'Sightline', metricName: name, dimensionsMap: { service: 'record-feedback' }, statistic: 'Sum', period: Duration.hours(1) });
      widgets.push(new GraphWidget({ title: 'Campaign deliveries and clicks (hourly)', left: [feedback('SesDelivery')], right: [feedback('SesClick')], width: 12 }));
      // The campaign alert, computed exactly by the Summarize state (functions/domain/campaigns/click-through.ts):
      // 1 when a campaign's latest judged day of sends clicks below 80 % of its own earlier sends.
      const belowBaseline = new Metric({ namespace: 'Sightline', metricName: 'CampaignClickThroughBelowBaseline', dimensionsMap: { service: 'summarize-campaign' }, statistic: 'Maximum', period: Duration.hours(1) });
      widgets.push(new GraphWidget({ title: 'Campaigns below their click-through baseline (1 = at least one)', left: [belowBaseline], width: 12 }));
      alarm('ClickThroughBelowBaseline', { metric: belowBaseline, threshold: 0, severity: 'warn', description: 'A campaign\'s click-through (mails of its latest judged day, clicks within 24 h) is below 80 % of its own baseline (its earlier mails): the summarize-campaign log says which; look at the content and the audience of that day.' });
    }
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `Sightline-${props.title}`.replace(/[^A-Za-z0-9_-]/g, '-'), widgets: [widgets], defaultInterval: Duration.hours(3) });
  }
}
