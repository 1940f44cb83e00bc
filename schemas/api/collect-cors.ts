/**
 * The request headers browser SDKs send to the event-collection routes, each of which makes
 * the browser preflight: the API allows exactly these. One list for both places that answer
 * a preflight: API Gateway's CORS configuration (lib/constructs/collect.ts) and the local
 * platform and the function's own answers (CORS_HEADERS below). A header
 * missing here fails in the browser only, before any request reaches the API.
 */
export const COLLECT_CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'content-encoding',
  // analytics-next adds it when it re-sends an event.
  'x-retry-count',
  // RudderStack's browser SDK (XhrQueue, @rudderstack/analytics-js 3.x): AnonymousId (base64)
  // and SentAt on every event, Rsa-Recovered on events reclaimed from storage, Rsa-Retry-* and
  // Rsa-Since-* on re-sends.
  'anonymousid',
  'sentat',
  'rsa-recovered',
  'rsa-retry-attempt',
  'rsa-retry-reason',
  'rsa-since-first-attempt',
  'rsa-since-last-attempt',
] as const;

/**
 * The CORS answer headers of the event-collection routes (browser SDKs post from any site).
 * Here rather than in functions/shared/http.ts so the local platform's HTTP API can use them
 * without loading Powertools, whose Tracer brings the X-Ray SDK and its process-wide async hook.
 */
export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': COLLECT_CORS_ALLOWED_HEADERS.join(','),
  'access-control-allow-methods': 'GET,POST,OPTIONS',
};
