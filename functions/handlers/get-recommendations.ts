/**
 * GET /v1/recommendations/{userId} and GET /v1/items/{itemId}/similar (IAM-authorised in
 * AWS: the answer reveals what a person bought). The recommender and the catalog are the
 * registry's current versions, re-checked once a minute (CachedModel), so training a new
 * version changes answers without a redeploy.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { makeDynamo, makeS3 } from '../shared/clients.ts';
import { loadEnv } from '../shared/env.ts';
import { json } from '../shared/http.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { DynamoProfileStore } from '../adapters/dynamo-profile-store.ts';
import { S3ModelRegistry } from '../adapters/s3-model-registry.ts';
import { PersonalizeRecommendationProvider, S3PersonalizeConfig } from '../adapters/personalize.ts';
import { PersonalizeRuntimeClient } from '@aws-sdk/client-personalize-runtime';
import { CachedModel } from '../domain/shared/model-registry.ts';
import { findProfile } from '../domain/profiles/find-profile.ts';
import type { ProfileStore } from '../domain/profiles/ports.ts';
import { catalogIndex, parseCatalog, type CatalogItem } from '../domain/recommend/catalog.ts';
import { createProvider, type EmbeddedRecommendationProvider } from '../domain/recommend/create-provider.ts';
import { parseRecommenderModel } from '../domain/recommend/model-schema.ts';
import type { RecommendationProvider } from '../domain/recommend/recommendation-provider.ts';
import { NoRecommenderError, recommendFor, similarTo, type ServeDeps } from '../domain/recommend/serve-recommendations.ts';
import { pathIdSchema, recommendationQuerySchema } from '../../schemas/api/recommendations.ts';

export interface GetRecommendationsDeps {
  recommender: Pick<CachedModel<EmbeddedRecommendationProvider>, 'get'>;
  catalog: Pick<CachedModel<Map<string, CatalogItem>>, 'get'>;
  store: ProfileStore;
  /** Amazon Personalize, once its workflow has made a campaign. */
  primary?: () => Promise<RecommendationProvider | undefined>;
}

type Event = Pick<APIGatewayProxyEventV2, 'rawPath' | 'pathParameters' | 'queryStringParameters'>;

export function makeGetRecommendations(deps: GetRecommendationsDeps) {
  return async (event: Event): Promise<APIGatewayProxyResultV2> => {
    const similar = /\/similar$/.test(event.rawPath);
    const rawId = similar ? event.pathParameters?.itemId : event.pathParameters?.userId;
    const id = pathIdSchema.safeParse(rawId === undefined ? undefined : decodeURIComponent(rawId));
    const query = recommendationQuerySchema.safeParse(event.queryStringParameters ?? {});
    const issues = [
      ...(id.success ? [] : id.error.issues.map((i) => ({ field: similar ? 'itemId' : 'userId', rule: i.message }))),
      ...(query.success ? [] : query.error.issues.map((i) => ({ field: i.path.join('.'), rule: i.message }))),
    ];
    if (!id.success || !query.success) return json(400, { error: 'validation_failed', issues });

    const [embedded, catalog, primary] = await Promise.all([deps.recommender.get(), deps.catalog.get(), deps.primary?.()]);
    const serve: ServeDeps = {
      primary,
      embedded: embedded && { provider: embedded.model, version: embedded.version },
      catalog: catalog?.model ?? new Map(),
      personOf: async (userId) => {
        const p = await findProfile(deps.store, userId);
        if (!p) return undefined;
        return { country: typeof p.traits.country === 'string' ? p.traits.country : undefined, personalisation: p.consent.personalisation };
      },
      onFallback: (err) => {
        logger.warn('primary recommender failed; the embedded model answered', { error: (err as Error).name });
        metrics.addMetric('RecommendationFallbacks', MetricUnit.Count, 1);
      },
    };
    try {
      const answer = similar ? await similarTo(id.data, query.data, serve) : await recommendFor(id.data, query.data, serve);
      metrics.addMetric(similar ? 'SimilarItemsServed' : 'RecommendationsServed', MetricUnit.Count, 1);
      return json(200, { [similar ? 'itemId' : 'userId']: id.data, ...answer });
    } catch (err) {
      if (err instanceof NoRecommenderError) return json(503, { error: 'no_model', message: err.message });
      throw err;
    }
  };
}

const env = loadEnv('get-recommendations');
const s3 = makeS3(env.S3_FORCE_PATH_STYLE);
const registry = new S3ModelRegistry(s3, env.MODELS_BUCKET);
const ttl = env.MODEL_CACHE_SECONDS * 1000;
const personalizeConfig = new S3PersonalizeConfig(s3, env.MODELS_BUCKET, ttl);
const runtime = new PersonalizeRuntimeClient({ maxAttempts: 2 });
export const getRecommendations = makeGetRecommendations({
  primary: async () => {
    // No pointer (local, or before the first training run): the embedded model serves.
    const config = await personalizeConfig.get().catch((err: Error) => void logger.warn('Personalize pointer unreadable', { error: err.name }));
    return config ? new PersonalizeRecommendationProvider(runtime, config) : undefined;
  },
  recommender: new CachedModel(registry, env.RECOMMENDER_MODEL, (body) => createProvider(parseRecommenderModel(body)), ttl),
  catalog: new CachedModel(registry, 'catalog', (body) => catalogIndex(parseCatalog(body)), ttl),
  store: new DynamoProfileStore(makeDynamo(), env.PROFILES_TABLE_NAME),
});
export const handler = withPowertools(getRecommendations);
