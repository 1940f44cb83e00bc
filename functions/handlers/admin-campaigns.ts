/**
 * Admin API, campaigns: list, one campaign (definition, progress, results per arm), live
 * progress, the report (built on read: lift, intervals, the winner decision), pause / resume / cancel, and start from a definition (an execution of the
 * Campaign state machine named by its id): functions/domain/observe/campaigns.ts.
 */
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { createServices } from '../shared/services.ts';
import { adminRouter, jsonBody, param } from '../shared/admin-router.ts';
import { campaignDetail, campaignProgress, listCampaigns, setCampaignControl, startCampaignRun, type CampaignDeps } from '../domain/observe/campaigns.ts';
import { InvalidRequestError } from '../domain/shared/errors.ts';
import { campaignControlRequestSchema } from '../../schemas/api/admin.ts';

export function makeAdminCampaigns(deps: CampaignDeps) {
  return adminRouter({
    'GET /admin/v1/campaigns': () => listCampaigns(deps),
    'POST /admin/v1/campaigns': (e) => startCampaignRun(jsonBody(e), deps),
    'GET /admin/v1/campaigns/{id}': (e) => campaignDetail(param(e, 'id'), deps),
    'GET /admin/v1/campaigns/{id}/progress': (e) => campaignProgress(param(e, 'id'), deps),
    'POST /admin/v1/campaigns/{id}/control': (e) => {
      const body = campaignControlRequestSchema.safeParse(jsonBody(e));
      if (!body.success) throw new InvalidRequestError('validation_failed', [{ field: 'control', rule: 'must be running, paused or cancelled' }]);
      return setCampaignControl(param(e, 'id'), body.data.control, deps);
    },
  });
}

const env = loadEnv('admin-campaigns');
const services = createServices();
export const adminCampaigns = makeAdminCampaigns({
  store: services.campaignStore(env.CAMPAIGNS_TABLE_NAME),
  runs: services.campaignRuns(env.CAMPAIGN_STATE_MACHINE_ARN),
  catalog: services.campaignCatalog(env.CAMPAIGNS_TABLE_NAME),
  records: services.sendRecords(env.CAMPAIGNS_TABLE_NAME),
  reports: services.campaignReports(env.CAMPAIGNS_TABLE_NAME),
  now: () => new Date(),
  k: env.K_ANONYMITY,
});
export const handler = withPowertools(adminCampaigns);
