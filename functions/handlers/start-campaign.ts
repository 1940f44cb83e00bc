/**
 * The Campaign state machine's first state: validate the definition (the execution fails here,
 * every wrong field named, before anything is sent), store it, rank a top N / top p % audience
 * once (one parallel scan of the profiles), plan the sweep
 * (functions/domain/campaigns/run-campaign.ts).
 */
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { startCampaign, type StartResult } from '../domain/campaigns/run-campaign.ts';
import type { CampaignStore } from '../domain/campaigns/campaign-store.ts';
import type { AudienceScanDeps } from '../domain/campaigns/scan-audience.ts';
import type { GoalRegistry } from '../domain/campaigns/attribution.ts';

export function makeStartCampaign(deps: AudienceScanDeps & { store: CampaignStore; now: () => Date; goals?: Pick<GoalRegistry, 'register'> }) {
  return async (input: unknown): Promise<StartResult> => {
    const out = await startCampaign(input, deps);
    logger.info('campaign started', { campaignId: out.campaignId, startAt: out.startAt, segments: out.segments.length });
    return out;
  };
}

const env = loadEnv('start-campaign');
const services = createServices();
const profiles = services.profileStore(env.PROFILES_TABLE_NAME);
export const start = makeStartCampaign({ store: services.campaignStore(env.CAMPAIGNS_TABLE_NAME), goals: services.goalRegistry(env.CAMPAIGNS_TABLE_NAME), profiles, scores: profiles, now: () => new Date() });
export const handler = withPowertools(start);
