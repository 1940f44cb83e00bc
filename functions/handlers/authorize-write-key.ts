/**
 * API Gateway (HTTP API) Lambda authorizer, simple responses: Segment's write-key scheme
 * (HTTP Basic, key as user name) for the long event paths. The source id travels to the
 * collect function in the authorizer context. The browser paths, which may carry the key in
 * the body instead, are checked by collect-events with the same verifier
 * (domain/collect/write-keys.ts).
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createServices } from '../shared/services.ts';
import type { SourceStore } from '../domain/collect/write-keys.ts';
import { makeWriteKeyVerifier, writeKeyFromAuthorization } from '../domain/collect/write-keys.ts';

export interface AuthorizerResult {
  isAuthorized: boolean;
  context?: { sourceId: string };
}

export function makeAuthorizer(sources: Pick<SourceStore, 'findByKeyHash'>) {
  const verify = makeWriteKeyVerifier(sources);
  return async (event: Pick<APIGatewayRequestAuthorizerEventV2, 'headers'>): Promise<AuthorizerResult> => {
    const header = event.headers?.authorization ?? event.headers?.Authorization;
    const key = writeKeyFromAuthorization(header);
    if (!key) {
      metrics.addMetric('WriteKeyRefused', MetricUnit.Count, 1);
      return { isAuthorized: false };
    }
    const check = await verify(key);
    if (!check.ok) {
      logger.info('write key refused', { known: check.reason === 'disabled' });
      metrics.addMetric('WriteKeyRefused', MetricUnit.Count, 1);
      return { isAuthorized: false };
    }
    metrics.addMetric('WriteKeyAccepted', MetricUnit.Count, 1);
    return { isAuthorized: true, context: { sourceId: check.sourceId } };
  };
}

const env = loadEnv('authorize-write-key');
export const authorize = makeAuthorizer(createServices().sourceStore(env.SOURCES_TABLE_NAME));
export const handler = withPowertools(authorize);
