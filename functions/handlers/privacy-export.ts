/**
 * GET /v1/privacy/{id}/export: everything held about a person, from every store, as one
 * JSON document with the stores searched, a count per store and their archived events as
 * CSV (functions/domain/privacy/export-person.ts). IAM-authorised in AWS (personal data): no
 * CORS header, and nothing of the answer is logged.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadEnv } from '../shared/env.ts';
import { httpHandler, json, pathParameter } from '../shared/http.ts';
import { withPowertools } from '../shared/middleware.ts';
import { createServices } from '../shared/services.ts';
import { exportPerson } from '../domain/privacy/export-person.ts';
import { resolveSubject } from '../domain/privacy/resolve-subject.ts';
import { checkPrivacyId, staticNotes, type NoteOptions } from '../domain/privacy/erasure.ts';
import type { PersonStore, ProfileGraph } from '../domain/privacy/ports.ts';

export function makePrivacyExport(deps: { graph: ProfileGraph; stores: PersonStore[]; notes: NoteOptions }) {
  return httpHandler(async (event: Pick<APIGatewayProxyEventV2, 'pathParameters' | 'rawPath'>) => {
    const doc = await exportPerson(checkPrivacyId(pathParameter(event, 'id')), { resolve: (id) => resolveSubject(id, deps.graph), stores: deps.stores, notes: staticNotes(deps.notes), now: () => new Date() });
    return json(200, doc);
  });
}

const env = loadEnv('privacy-export');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
const s = services.privacyStores({ profilesTable: env.PROFILES_TABLE_NAME, campaignsTable: env.CAMPAIGNS_TABLE_NAME, failedEventsBucket: env.FAILED_EVENTS_BUCKET, interactionsBucket: env.INTERACTIONS_BUCKET });
export const privacyExport = makePrivacyExport({
  graph: services.profileStore(env.PROFILES_TABLE_NAME),
  stores: [s.profiles!, s.campaigns!, s.suppression!, s.failedEvents!, s.archive!],
  notes: { kinesisRetentionHours: env.KINESIS_RETENTION_HOURS, dedupTtlHours: env.DEDUP_TTL_HOURS, personalize: env.PERSONALIZE_ENABLED },
});
export const handler = withPowertools(privacyExport);
