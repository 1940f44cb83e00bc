/**
 * GET /v1/recommendations/{userId} and GET /v1/items/{itemId}/similar (IAM-authorised in
 * AWS: the answer reveals what a person bought, so no CORS header: functions/shared/http.ts).
 * The recommender and the catalog are the registry's current versions, re-checked once a
 * minute (CachedModel), so training a new version changes answers without a redeploy
 * (functions/domain/recommend/answer-recommendations.ts).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadEnv } from '../shared/env.ts';
import { httpHandler, json, pathParameter } from '../shared/http.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { CachedModel } from '../domain/shared/model-registry.ts';
import { InvalidRequestError } from '../domain/shared/errors.ts';
import { answerRecommendations, type AnswerDeps } from '../domain/recommend/answer-recommendations.ts';
import { catalogIndex, parseCatalog } from '../domain/recommend/catalog.ts';
import { createProvider } from '../domain/recommend/create-provider.ts';
import { parseRecommenderModel } from '../domain/recommend/model-schema.ts';
import { pathIdSchema, recommendationQuerySchema } from '../../schemas/api/recommendations.ts';

export type GetRecommendationsDeps = Omit<AnswerDeps, 'onFallback'>;

type Event = Pick<APIGatewayProxyEventV2, 'rawPath' | 'pathParameters' | 'queryStringParameters'>;

const onFallback = (err: unknown) => {
  logger.warn('primary recommender failed; the embedded model answered', { error: (err as Error).name });
  metrics.addMetric('RecommendationFallbacks', MetricUnit.Count, 1);
};

export function makeGetRecommendations(deps: GetRecommendationsDeps) {
  return httpHandler(async (event: Event) => {
    const similar = /\/similar$/.test(event.rawPath);
    const field = similar ? 'itemId' : 'userId';
    const id = pathIdSchema.safeParse(pathParameter(event, field));
    const query = recommendationQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!id.success || !query.success) {
      throw new InvalidRequestError('validation_failed', [
        ...(id.success ? [] : id.error.issues.map((i) => ({ field, rule: i.message }))),
        ...(query.success ? [] : query.error.issues.map((i) => ({ field: i.path.join('.'), rule: i.message }))),
      ]);
    }
    const request = similar ? { kind: 'similar' as const, itemId: id.data, query: query.data } : { kind: 'person' as const, userId: id.data, query: query.data };
    const answer = await answerRecommendations(request, { ...deps, onFallback });
    metrics.addMetric(similar ? 'SimilarItemsServed' : 'RecommendationsServed', MetricUnit.Count, 1);
    return json(200, { [field]: id.data, ...answer });
  });
}

const env = loadEnv('get-recommendations');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
const registry = services.modelRegistry(env.MODELS_BUCKET);
const ttl = env.MODEL_CACHE_SECONDS * 1000;
const personalizeConfig = services.personalizeConfig(env.MODELS_BUCKET, ttl);
export const getRecommendations = makeGetRecommendations({
  primary: async () => {
    // No pointer (local, or before the first training run): the embedded model serves.
    const config = await personalizeConfig.get().catch((err: Error) => void logger.warn('Personalize pointer unreadable', { error: err.name }));
    return config ? services.personalizeRecommender(config) : undefined;
  },
  recommender: new CachedModel(registry, env.RECOMMENDER_MODEL, (body) => createProvider(parseRecommenderModel(body)), ttl),
  catalog: new CachedModel(registry, 'catalog', (body) => catalogIndex(parseCatalog(body)), ttl),
  store: services.profileStore(env.PROFILES_TABLE_NAME),
});
export const handler = withPowertools(getRecommendations);
