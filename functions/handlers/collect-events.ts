/**
 * The Collect API's public routes (lib/constructs/collect.ts): read the request, hand it to
 * the domain, answer as Segment does. Errors become status codes in one place
 * (functions/shared/http.ts).
 * - POST /v1/{identify,track,page,screen,group,alias,batch}: the API Gateway authorizer has
 *   found the source (HTTP Basic); functions/domain/collect/accept-request.ts does the rest.
 * - POST /v1/{t,i,p,s,g,a,b}, analytics.js's short paths: no authorizer, because the key may
 *   be in the JSON body (sendBeacon and analytics.js classic cannot set a header, and an HTTP
 *   API authorizer never sees the body). The key, from the header or else the body, is checked
 *   here with the authorizer's own verifier and cache lifetime (domain/collect/write-keys.ts).
 * - GET /v1/projects/{writeKey}/settings: the settings document analytics.js loads from its
 *   CDN (domain/collect/source-settings.ts); unknown or disabled key: 404.
 * - GET /sourceConfig: the source configuration RudderStack's browser SDK loads from its
 *   control plane (domain/collect/source-config.ts); the key from HTTP Basic, else
 *   `?writeKey=`; none, unknown or disabled: 401.
 * - POST /beacon/v1/batch?writeKey=…: RudderStack's sendBeacon batches; no authorizer, the
 *   key in the query, checked here like the short paths' (a beacon cannot set a header).
 * - POST /v1/m (analytics.js's SDK telemetry): refused with 404 and a reason; the settings
 *   document turns it off.
 * Bodies may be `Content-Type: text/plain` (analytics.js sends that to skip a preflight): the
 * type is not looked at, the body is read as JSON whatever it says.
 */
import type { APIGatewayProxyEventV2WithLambdaAuthorizer } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadEnv } from '../shared/env.ts';
import { bodyBytesOf, httpHandler, json, pathParameter } from '../shared/http.ts';
import { withPowertools } from '../shared/middleware.ts';
import { metrics } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { acceptRequest, type AcceptDeps } from '../domain/collect/accept-request.ts';
import { routeOfPath } from '../domain/collect/collect.ts';
import { rudderSourceConfig } from '../domain/collect/source-config.ts';
import { sourceSettings } from '../domain/collect/source-settings.ts';
import { makeWriteKeyVerifier, sourceIdOfKey, writeKeyFromAuthorization, writeKeyFromQuery, type WriteKeyVerifier } from '../domain/collect/write-keys.ts';
import { NotFoundError, UnauthorizedError } from '../domain/shared/errors.ts';

type Event = APIGatewayProxyEventV2WithLambdaAuthorizer<{ sourceId?: string }>;

const SETTINGS_PATH = /^\/v1\/projects\/[^/]+\/settings\/?$/;
/** The SDK asks for `/sourceConfig/` (a trailing slash) unless its configUrl already ends in /sourceConfig. */
const SOURCE_CONFIG_PATH = /^\/sourceConfig\/?$/;

/** A configuration document, cacheable by the browser for as long as a key check is cached. */
const configAnswer = (doc: unknown) => {
  const res = json(200, doc) as { headers: Record<string, string> };
  return { ...res, headers: { ...res.headers, 'cache-control': 'private, max-age=300' } };
};

export function makeCollect(deps: AcceptDeps & { verify?: WriteKeyVerifier; now?: () => Date }) {
  const verify: WriteKeyVerifier = deps.verify ?? (async () => ({ ok: false, reason: 'unknown' }));
  return httpHandler(async (event: Event) => {
    const path = event.rawPath ?? '';
    const header = writeKeyFromAuthorization(event.headers?.authorization);
    const query = writeKeyFromQuery(event.queryStringParameters);
    if (SETTINGS_PATH.test(path)) {
      const writeKey = pathParameter({ pathParameters: event.pathParameters ?? { writeKey: path.split('/')[3] } }, 'writeKey')!;
      const check = await verify(writeKey);
      if (!check.ok) throw new NotFoundError('no source has this write key (unknown or disabled)');
      const protocol = event.headers?.['x-forwarded-proto'] === 'http' ? 'http' : 'https';
      return configAnswer(sourceSettings(writeKey, { host: event.requestContext.domainName, protocol }));
    }
    if (SOURCE_CONFIG_PATH.test(path)) return configAnswer(rudderSourceConfig(await sourceIdOfKey(header ?? query, verify)));
    if (path.replace(/\/+$/, '') === '/v1/m') throw new NotFoundError('SDK telemetry (/v1/m) is not collected; the settings document sets metrics.sampleRate to 0');
    const found = routeOfPath(path);
    if (!found) throw new NotFoundError(`no route ${path}`);
    const authorized = event.requestContext?.authorizer?.lambda?.sourceId;
    if (!authorized && !found.keyChecked) throw new UnauthorizedError('a write key is required (HTTP Basic, key as user name)');
    const who = authorized ? { sourceId: authorized } : { keys: { header, query, verify } };
    const receivedAt = (deps.now ?? (() => new Date()))();
    const { bytes, contentEncoding } = bodyBytesOf(event);
    const answer = await acceptRequest({ route: found.route, body: bytes, contentEncoding, ...who, receivedAt, requestId: event.requestContext?.requestId, newId: randomUUID }, deps).catch((err) => {
      metrics.addMetric(err instanceof UnauthorizedError ? 'WriteKeyRefused' : 'RejectedEvents', MetricUnit.Count, 1);
      throw err;
    });
    metrics.addMetric('AcceptedEvents', MetricUnit.Count, answer.accepted);
    metrics.addMetric('RejectedEvents', MetricUnit.Count, answer.rejected.length);
    return json(200, { success: true, accepted: answer.accepted, ...(answer.rejected.length > 0 ? { rejected: answer.rejected } : {}) });
  }, { cors: true }); // browser SDKs post events from any site
}

const env = loadEnv('collect-events');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
export const collectEvents = makeCollect({
  sink: services.eventSink(env.RAW_STREAM_NAME),
  failed: services.failedEvents(env.FAILED_EVENTS_BUCKET),
  verify: makeWriteKeyVerifier(services.sourceStore(env.SOURCES_TABLE_NAME)),
});
export const handler = withPowertools(collectEvents);
