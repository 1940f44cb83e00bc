/**
 * GET /v1/profiles/{id}: a profile with its tags and scores, by profile id or by any of its identities
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
import { findProfile } from '../domain/profiles/find-profile.ts';
import type { ProfileStore } from '../domain/profiles/ports.ts';
import type { ScoreStore } from '../domain/score/ports.ts';

export function makeGetProfile(store: ProfileStore, scoreStore: Pick<ScoreStore, 'getScores'>) {
  return async (event: Pick<APIGatewayProxyEventV2, 'pathParameters' | 'rawPath'>): Promise<APIGatewayProxyResultV2> => {
    const id = decodeURIComponent(event.pathParameters?.id ?? event.rawPath.split('/').pop() ?? '');
    if (!id || id.length > 300) return json(400, { error: 'validation_failed', issues: [{ field: 'id', rule: 'must be 1 to 300 characters' }] });
    const profile = await findProfile(store, id);
    metrics.addMetric(profile ? 'ProfileReads' : 'ProfileMisses', MetricUnit.Count, 1);
    if (!profile) return json(404, { error: 'not_found', message: `no profile for ${id}` });
    const { applied: _applied, ...visible } = profile;
    // Scores live beside the profile (schemas/profile.ts ScoresItem); older profiles carried them inline.
    const scores = (await scoreStore.getScores([profile.profileId])).get(profile.profileId)?.scores ?? visible.scores;
    return json(200, { ...visible, ...(scores ? { scores } : {}) });
  };
}

const env = loadEnv('get-profile');
const profiles = new DynamoProfileStore(makeDynamo(), env.PROFILES_TABLE_NAME);
export const getProfile = makeGetProfile(profiles, profiles);
export const handler = withPowertools(getProfile);
