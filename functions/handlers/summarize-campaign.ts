/**
 * After each sweep of the Campaign state machine: add up the segments, store the summary,
 * and say whether (and when) to sweep again for deferred people
 * (functions/domain/campaigns/run-campaign.ts).
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { summariseSweep, type StepResult, type SweepSummary } from '../domain/campaigns/run-campaign.ts';
import type { CampaignStore } from '../domain/campaigns/campaign-store.ts';

export function makeSummarizeCampaign(deps: { store: CampaignStore; now: () => Date }) {
  return async (input: { campaignId: string; sweep: number; results: StepResult[] }): Promise<SweepSummary> => {
    const s = await summariseSweep(input, deps);
    metrics.addDimension('campaign', s.campaignId);
    metrics.addMetric('CampaignSent', MetricUnit.Count, s.totals.sent);
    metrics.addMetric('CampaignFailed', MetricUnit.Count, s.totals.failed);
    logger.info('campaign sweep', { campaignId: s.campaignId, state: s.state, sweeps: s.sweeps, sent: s.totals.sent, deferred: s.totals.deferred });
    return s;
  };
}

const env = loadEnv('summarize-campaign');
export const summarize = makeSummarizeCampaign({ store: createServices().campaignStore(env.CAMPAIGNS_TABLE_NAME), now: () => new Date() });
export const handler = withPowertools(summarize);
