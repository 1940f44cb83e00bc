/**
 * The Campaign state machine's first state: validate the definition (the execution fails here,
 * every wrong field named, before anything is sent), store it, plan the sweep
 * (functions/domain/campaigns/run-campaign.ts).
 */
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { startCampaign, type StartResult } from '../domain/campaigns/run-campaign.ts';
import type { CampaignStore } from '../domain/campaigns/campaign-store.ts';

export function makeStartCampaign(deps: { store: CampaignStore; now: () => Date }) {
  return async (input: unknown): Promise<StartResult> => {
    const out = await startCampaign(input, deps);
    logger.info('campaign started', { campaignId: out.campaignId, startAt: out.startAt, segments: out.segments.length });
    return out;
  };
}

const env = loadEnv('start-campaign');
export const start = makeStartCampaign({ store: createServices().campaignStore(env.CAMPAIGNS_TABLE_NAME), now: () => new Date() });
export const handler = withPowertools(start);
