/**
 * Admin API, people: GET /admin/v1/overview, /admin/v1/profiles?q=, /admin/v1/profiles/{id}
 * (functions/domain/observe/profiles.ts). Private: JWT (Cognito) in AWS, loopback + admin
 * token locally; it returns personal data, so no CORS header.
 */
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { createServices } from '../shared/services.ts';
import { adminRouter, param } from '../shared/admin-router.ts';
import { overview, profileDetail, searchProfiles } from '../domain/observe/profiles.ts';
import type { ProfileScanner, ProfileStore } from '../domain/profiles/ports.ts';
import type { ScoreStore } from '../domain/score/ports.ts';
import type { CampaignCatalog, SendRecordPages } from '../domain/observe/ports.ts';

export interface AdminProfilesDeps {
  store: ProfileStore & ProfileScanner & Pick<ScoreStore, 'getScores'>;
  sendRecords: Pick<SendRecordPages, 'get'>;
  catalog: CampaignCatalog;
  now: () => Date;
  k: number;
}

export function makeAdminProfiles(d: AdminProfilesDeps) {
  const deps = { store: d.store, scanner: d.store, scores: d.store };
  return adminRouter({
    'GET /admin/v1/overview': () => overview({ scanner: d.store, now: d.now, k: d.k }),
    'GET /admin/v1/profiles': (e) => searchProfiles(String(e.queryStringParameters?.q ?? '').slice(0, 300), deps),
    'GET /admin/v1/profiles/{id}': (e) => profileDetail(param(e, 'id'), { ...deps, sendRecords: d.sendRecords, campaignIds: () => d.catalog.listCampaignIds() }),
  });
}

const env = loadEnv('admin-profiles');
const services = createServices();
export const adminProfiles = makeAdminProfiles({
  store: services.profileStore(env.PROFILES_TABLE_NAME),
  sendRecords: services.sendRecords(env.CAMPAIGNS_TABLE_NAME),
  catalog: services.campaignCatalog(env.CAMPAIGNS_TABLE_NAME),
  now: () => new Date(),
  k: env.K_ANONYMITY,
});
export const handler = withPowertools(adminProfiles);
