/**
 * The settings document analytics.js loads before it sends anything:
 * `GET ${cdnURL}/v1/projects/<writeKey>/settings` (analytics-next 1.x, src/browser/index.ts
 * loadCDNSettings). Sightline serves it from the event API itself, so a page points
 * `cdnURL` at the API and changes nothing else.
 *
 * Design:
 * - Only what analytics-next reads to run the Segment.io destination and nothing that makes
 *   it fetch more: `integrations` holds the one `Segment.io` entry (more entries would make
 *   it load "legacy destinations" from the CDN), no `remotePlugins`, no routing rules or
 *   middleware (each is fetched from the CDN), and `metrics.sampleRate: 0` (no SDK telemetry
 *   posts to `/v1/m`, which Sightline does not collect).
 * - `Segment.io.apiHost`/`protocol` name the API that served the document, so a page that
 *   set only `cdnURL` sends its events back here (a page's own `integrations['Segment.io']
 *   .apiHost` still wins: analytics-next merges load options over these).
 * - `apiKey` is the write key the path named: analytics-next puts it in each body
 *   (`writeKey`) and in the Authorization header; an unknown or disabled key gets no document.
 */
export interface ApiOrigin {
  /** Host (and port) the API was reached on, e.g. `abc.execute-api.eu-west-1.amazonaws.com`. */
  host: string;
  protocol: 'http' | 'https';
}

export function sourceSettings(writeKey: string, api: ApiOrigin) {
  return {
    integrations: {
      'Segment.io': { apiKey: writeKey, apiHost: `${api.host}/v1`, protocol: api.protocol, unbundledIntegrations: [], addBundledMetadata: false },
    },
    plan: {},
    enabledMiddleware: {},
    metrics: { sampleRate: 0 },
    legacyVideoPluginsEnabled: false,
    remotePlugins: [],
  };
}
