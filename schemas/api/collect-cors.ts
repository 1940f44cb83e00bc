/**
 * The request headers browser SDKs send to the event-collection routes, each of which makes
 * the browser preflight: the API allows exactly these. One list for both places that answer
 * a preflight: API Gateway's CORS configuration (lib/constructs/collect.ts) and the local
 * platform and the function's own answers (functions/shared/http.ts CORS_HEADERS). A header
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
