/**
 * After each sweep of the Campaign state machine: add up the segments, store the summary,
 * and say whether (and when) to sweep again for deferred people, or to decide the test's
 * winner (functions/domain/campaigns/run-campaign.ts). The Decide state calls it too
 * (`action: 'decide'`): the winner of the test phase, decided once, and the remainder's sweep
 * (functions/domain/campaigns/winner.ts).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { summariseSweep, type StepResult, type SweepSummary } from '../domain/campaigns/run-campaign.ts';
import { decideAndPlanRemainder, type DecideInput, type DecideResult, type RecordReader, type WinnerStore } from '../domain/campaigns/winner.ts';
import type { CampaignStore } from '../domain/campaigns/campaign-store.ts';
import { buildReport } from '../domain/campaigns/report.ts';
import type { CampaignReport } from '../../schemas/campaign-report.ts';

/** One metric per arm and figure, dimensions campaign and arm (suppressed arms publish only recipients). */
function publishReport(r: CampaignReport): void {
  for (const a of [...r.arms, ...(r.overall ? [r.overall] : [])]) {
    const m = metrics.singleMetric();
    m.addDimensions({ campaign: r.campaignId, arm: a.kind === 'treated' ? 'campaign' : a.arm });
    m.addMetric('CampaignRecipients', MetricUnit.Count, a.recipients);
    for (const [name, v] of [['CampaignDelivered', a.delivered], ['CampaignBounced', a.bounced], ['CampaignComplained', a.complained], ['CampaignClicked', a.clicked], ['CampaignConverted', a.converted]] as const) {
      if (v !== null) m.addMetric(name, MetricUnit.Count, v);
    }
    if (a.conversionRate) m.addMetric('CampaignConversionRate', MetricUnit.Percent, a.conversionRate.estimate * 100);
    if (a.liftVsHoldout) m.addMetric('CampaignLiftPoints', MetricUnit.Count, a.liftVsHoldout.absolute.estimate * 100);
  }
  // The campaign alert (click-through.ts): a decided check publishes 1 (below 80 % of the
  // campaign's own baseline) or 0, with no campaign dimension, so one alarm watches them all
  // (lib/constructs/operations.ts); the ratio goes per campaign to the dashboard.
  const ct = r.clickThrough;
  if (ct && ct.ratio !== null) {
    const m = metrics.singleMetric();
    m.addMetric('CampaignClickThroughBelowBaseline', MetricUnit.Count, ct.below ? 1 : 0);
    const perCampaign = metrics.singleMetric();
    perCampaign.addDimensions({ campaign: r.campaignId });
    perCampaign.addMetric('CampaignClickThroughVsBaseline', MetricUnit.Percent, ct.ratio * 100);
    if (ct.below) logger.warn('campaign click-through below its baseline', { campaignId: r.campaignId, ratio: ct.ratio, recentRate: ct.recent.rate, baselineRate: ct.baseline.rate });
  }
}

/** No click-through check can be decided before the first sends have had their click window (click-through.ts: 24 h + a day of sends). */
const CHECK_AFTER_MS = 48 * 3_600_000;

type SummarizeInput = { campaignId: string; sweep: number; results: StepResult[]; startAt?: string };

export function makeSummarizeCampaign(deps: { store: CampaignStore; records: RecordReader; winners: WinnerStore & { saveReport(r: CampaignReport): Promise<void> }; now: () => Date }) {
  /** The campaign's report as of its last sweep: stored, and published as metrics per arm. */
  const report = async (campaignId: string, startAt: string | undefined) => {
    const campaign = await deps.store.getDefinition(campaignId);
    if (!campaign) return;
    const storedWinner = await deps.winners.getWinner(campaignId);
    const r = buildReport(campaign, await deps.records.allRecords(campaignId), { now: deps.now(), ...(startAt ? { startedAt: startAt } : {}), ...(storedWinner ? { storedWinner } : {}) });
    await deps.winners.saveReport(r);
    publishReport(r);
  };
  async function summarize(input: SummarizeInput): Promise<SweepSummary>;
  async function summarize(input: DecideInput & { action: 'decide' }): Promise<DecideResult>;
  async function summarize(input: SummarizeInput | (DecideInput & { action: 'decide' })): Promise<SweepSummary | DecideResult> {
    if ('action' in input && input.action === 'decide') {
      const d = await decideAndPlanRemainder(input, deps);
      logger.info('campaign test decided', { campaignId: d.campaignId, outcome: d.winner.outcome, chosen: d.winner.chosen, reason: d.winner.reason });
      return d;
    }
    const s = await summariseSweep(input as SummarizeInput, deps);
    metrics.addDimension('campaign', s.campaignId);
    metrics.addMetric('CampaignSent', MetricUnit.Count, s.totals.sent);
    metrics.addMetric('CampaignFailed', MetricUnit.Count, s.totals.failed);
    // The report (and the click-through check in it) at the end, and at each later sweep of a campaign that sends for days.
    const sendingLong = input.startAt !== undefined && deps.now().getTime() - Date.parse(input.startAt) >= CHECK_AFTER_MS;
    if (s.state === 'done' || sendingLong) await report(s.campaignId, input.startAt);
    logger.info('campaign sweep', { campaignId: s.campaignId, state: s.state, sweeps: s.sweeps, sent: s.totals.sent, deferred: s.totals.deferred, decide: s.decide });
    return s;
  }
  return summarize;
}

const env = loadEnv('summarize-campaign');
const services = createServices();
export const summarize = makeSummarizeCampaign({
  store: services.campaignStore(env.CAMPAIGNS_TABLE_NAME),
  records: services.sendRecords(env.CAMPAIGNS_TABLE_NAME),
  winners: services.campaignReports(env.CAMPAIGNS_TABLE_NAME),
  now: () => new Date(),
});
export const handler = withPowertools(summarize);
