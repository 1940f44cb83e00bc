/**
 * Admin API, segments: GET /admin/v1/segments, /admin/v1/segments/{id} (definition with its
 * size and breakdown) and POST /admin/v1/segments/preview (a new definition, one pass over
 * the profiles): functions/domain/observe/segments.ts.
 */
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { createServices } from '../shared/services.ts';
import { adminRouter, jsonBody, param } from '../shared/admin-router.ts';
import { parseSegmentDefinition, previewDefinition, segmentDetail, type SegmentDeps } from '../domain/observe/segments.ts';

export function makeAdminSegments(deps: SegmentDeps) {
  return adminRouter({
    'GET /admin/v1/segments': async () => ({ segments: await deps.campaigns.listSegments() }),
    'GET /admin/v1/segments/{id}': (e) => segmentDetail(param(e, 'id'), deps),
    'POST /admin/v1/segments/preview': (e) => previewDefinition(parseSegmentDefinition(jsonBody(e)), deps),
  });
}

const env = loadEnv('admin-segments');
const services = createServices();
const profiles = services.profileStore(env.PROFILES_TABLE_NAME);
export const adminSegments = makeAdminSegments({ campaigns: services.campaignStore(env.CAMPAIGNS_TABLE_NAME), scanner: profiles, scores: profiles, now: () => new Date() });
export const handler = withPowertools(adminSegments);
