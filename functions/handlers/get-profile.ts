/**
 * GET /v1/profiles/{id}: a profile with its tags, by profile id or by any of its identities
 * (`user:<userId>`, `anon:<anonymousId>`; a bare id is tried as a userId, then a profile id).
 * IAM-authorised in AWS: it returns personal data.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { makeDynamo } from '../shared/clients.ts';
import { loadEnv } from '../shared/env.ts';
import { json } from '../shared/http.ts';
import { withPowertools } from '../shared/middleware.ts';
import { metrics } from '../shared/powertools.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { DynamoProfileStore } from '../adapters/dynamo-profile-store.ts';
import { findProfile } from '../domain/find-profile.ts';
import type { ProfileStore } from '../domain/ports.ts';

export function makeGetProfile(store: ProfileStore) {
  return async (event: Pick<APIGatewayProxyEventV2, 'pathParameters' | 'rawPath'>): Promise<APIGatewayProxyResultV2> => {
    const id = decodeURIComponent(event.pathParameters?.id ?? event.rawPath.split('/').pop() ?? '');
    if (!id || id.length > 300) return json(400, { error: 'validation_failed', issues: [{ field: 'id', rule: 'must be 1 to 300 characters' }] });
    const profile = await findProfile(store, id);
    metrics.addMetric(profile ? 'ProfileReads' : 'ProfileMisses', MetricUnit.Count, 1);
    if (!profile) return json(404, { error: 'not_found', message: `no profile for ${id}` });
    const { applied: _applied, ...visible } = profile;
    return json(200, visible);
  };
}

const env = loadEnv('get-profile');
export const getProfile = makeGetProfile(new DynamoProfileStore(makeDynamo(), env.PROFILES_TABLE_NAME));
export const handler = withPowertools(getProfile);
