/**
 * GET /v1/profiles/{id}: a profile with its tags and scores, by profile id or by any of its identities
 * (`user:<userId>`, `anon:<anonymousId>`; a bare id is tried as a userId, then a profile id).
 * IAM-authorised in AWS: it returns personal data (functions/domain/profiles/profile-view.ts),
 * so it sends no CORS header (functions/shared/http.ts).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadEnv } from '../shared/env.ts';
import { httpHandler, json, pathParameter } from '../shared/http.ts';
import { withPowertools } from '../shared/middleware.ts';
import { metrics } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { InvalidRequestError } from '../domain/shared/errors.ts';
import { profileView } from '../domain/profiles/profile-view.ts';
import type { ProfileStore } from '../domain/profiles/ports.ts';
import type { ScoreStore } from '../domain/score/ports.ts';

export function makeGetProfile(store: ProfileStore, scoreStore: Pick<ScoreStore, 'getScores'>) {
  return httpHandler(async (event: Pick<APIGatewayProxyEventV2, 'pathParameters' | 'rawPath'>) => {
    const id = pathParameter(event, 'id', true) ?? '';
    if (!id || id.length > 300) throw new InvalidRequestError('validation_failed', [{ field: 'id', rule: 'must be 1 to 300 characters' }]);
    const view = await profileView(id, { store, scores: scoreStore }).catch((err) => {
      metrics.addMetric('ProfileMisses', MetricUnit.Count, 1);
      throw err;
    });
    metrics.addMetric('ProfileReads', MetricUnit.Count, 1);
    return json(200, view);
  });
}

const env = loadEnv('get-profile');
const profiles = createServices().profileStore(env.PROFILES_TABLE_NAME);
export const getProfile = makeGetProfile(profiles, profiles);
export const handler = withPowertools(getProfile);
