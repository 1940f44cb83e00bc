/**
 * Every admin API route, once: method, path, the function that answers it, and its request
 * and response schemas. The construct (lib/constructs/admin-api.ts) creates exactly these
 * routes, the OpenAPI generator (schemas/generate-openapi.ts) documents exactly these, and the
 * tests check the two agree with the synthesized template and that every answer validates.
 */
import type { z } from 'zod';
import {
  campaignControlRequestSchema,
  campaignControlSchema,
  campaignDetailSchema,
  campaignListSchema,
  campaignStartSchema,
  driftSchema,
  healthSchema,
  modelPointerSchema,
  modelPromoteRequestSchema,
  modelsSchema,
  overviewSchema,
  profileDetailSchema,
  profileSearchSchema,
  segmentDetailSchema,
  segmentListSchema,
  segmentPreviewSchema,
  campaignProgressSchema,
} from './admin.ts';
import { segmentDefinitionSchema } from '../segment.ts';
import { campaignSchema } from '../campaign.ts';

export type AdminFunction = 'admin-profiles' | 'admin-segments' | 'admin-campaigns' | 'admin-models' | 'admin-health';

export interface AdminRoute {
  method: 'GET' | 'POST';
  path: string;
  fn: AdminFunction;
  summary: string;
  response: z.ZodType;
  request?: z.ZodType;
  query?: Record<string, string>;
}

export const ADMIN_PREFIX = '/admin/v1';

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  { method: 'GET', path: `${ADMIN_PREFIX}/overview`, fn: 'admin-profiles', summary: 'Profiles, events, lifecycle and RFM distributions', response: overviewSchema },
  { method: 'GET', path: `${ADMIN_PREFIX}/profiles`, fn: 'admin-profiles', summary: 'Search profiles by id, userId prefix or email hash', response: profileSearchSchema, query: { q: 'profile id, userId (or its prefix), user:/anon:/email: identity, or the SHA-256 of an email' } },
  { method: 'GET', path: `${ADMIN_PREFIX}/profiles/{id}`, fn: 'admin-profiles', summary: 'One profile: tags, scores with explanations, consent, latest campaign contacts', response: profileDetailSchema },
  { method: 'GET', path: `${ADMIN_PREFIX}/segments`, fn: 'admin-segments', summary: 'Saved segments', response: segmentListSchema },
  { method: 'GET', path: `${ADMIN_PREFIX}/segments/{id}`, fn: 'admin-segments', summary: 'A saved segment: definition, size and breakdown', response: segmentDetailSchema },
  { method: 'POST', path: `${ADMIN_PREFIX}/segments/preview`, fn: 'admin-segments', summary: 'Preview a segment definition (size, sample, breakdown) in one pass', request: segmentDefinitionSchema, response: segmentPreviewSchema },
  { method: 'GET', path: `${ADMIN_PREFIX}/campaigns`, fn: 'admin-campaigns', summary: 'Campaigns (executions and stored definitions)', response: campaignListSchema },
  { method: 'POST', path: `${ADMIN_PREFIX}/campaigns`, fn: 'admin-campaigns', summary: 'Start a campaign from its definition (execution named by its id)', request: campaignSchema, response: campaignStartSchema },
  { method: 'GET', path: `${ADMIN_PREFIX}/campaigns/{id}`, fn: 'admin-campaigns', summary: 'A campaign: definition, progress, results per arm', response: campaignDetailSchema },
  { method: 'GET', path: `${ADMIN_PREFIX}/campaigns/{id}/progress`, fn: 'admin-campaigns', summary: 'Live progress of a campaign', response: campaignProgressSchema },
  { method: 'POST', path: `${ADMIN_PREFIX}/campaigns/{id}/control`, fn: 'admin-campaigns', summary: 'Pause, resume or cancel a campaign', request: campaignControlRequestSchema, response: campaignControlSchema },
  { method: 'GET', path: `${ADMIN_PREFIX}/models`, fn: 'admin-models', summary: 'Registry models: versions, held-out metrics, current, fairness figures', response: modelsSchema },
  { method: 'GET', path: `${ADMIN_PREFIX}/models/drift`, fn: 'admin-models', summary: 'PSI of each current scoring model and its features over today’s profiles', response: driftSchema },
  { method: 'POST', path: `${ADMIN_PREFIX}/models/{name}/promote`, fn: 'admin-models', summary: 'Make a published version current', request: modelPromoteRequestSchema, response: modelPointerSchema },
  { method: 'POST', path: `${ADMIN_PREFIX}/models/{name}/rollback`, fn: 'admin-models', summary: 'Promote the previous version again', response: modelPointerSchema },
  { method: 'GET', path: `${ADMIN_PREFIX}/health`, fn: 'admin-health', summary: 'Events accepted per minute, failed events by reason, consumer lag', response: healthSchema },
];

export const routeKeyOf = (r: Pick<AdminRoute, 'method' | 'path'>) => `${r.method} ${r.path}`;
