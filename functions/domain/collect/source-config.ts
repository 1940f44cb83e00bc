/**
 * The source configuration RudderStack's browser SDK (`@rudderstack/analytics-js` 3.x) loads
 * before it sends anything: `GET ${configUrl}/sourceConfig/?p=npm&v=…&build=modern&writeKey=…
 * &lockIntegrationsVersion=…&lockPluginsVersion=…` with HTTP Basic auth (the write key as user
 * name), by default from `https://api.rudderstack.com`. Sightline serves it from the event API,
 * so a page passes the API as both `dataPlaneUrl` and `configUrl` and changes nothing else.
 *
 * Design:
 * - Only what the SDK reads (3.34, ConfigManager.processConfig and isValidSourceConfig):
 *   `source.id`, `source.config` (an object) and `source.destinations` (an array) are
 *   required, else load fails with "Failed to resolve the source config"; `enabled: false`
 *   would stop it. `name` and `workspaceId` are read only for its own error reports and the
 *   server-side-cookie service, neither of which Sightline runs, so they are left out, and so
 *   is the write key (the SDK never reads it back; it is a credential, not data).
 * - `destinations: []`: each entry is a device-mode destination whose SDK the browser would
 *   fetch from RudderStack's CDN. With none, and the plugins bundled at build time (the npm
 *   package's `bundled` export), nothing else is fetched.
 * - `config.statsCollection` errors and metrics off: with either on, the SDK posts its own
 *   telemetry to `${dataPlaneUrl}/rsaMetrics`, which Sightline does not collect. Off is the
 *   SDK's default too; saying it keeps it off if that default changes.
 * - The data plane is not named here: RudderStack's SDK takes it from `load()` only.
 */

export function rudderSourceConfig(sourceId: string) {
  return {
    source: {
      id: sourceId,
      enabled: true,
      config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
      destinations: [],
    },
  };
}
