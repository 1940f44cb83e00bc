/**
 * Where the CLI sends to by default: the local platform described by `.sightline/local.json`
 * (local/config.ts). Flags win over the file, so the same commands work against a deployed
 * stack; adapters come from the one composition root (functions/shared/services.ts), pointed
 * at the emulators when the target has them.
 */
import { LOCAL_CONFIG_PATH, readLocalConfig, type LocalConfig } from '../local/config.ts';
import { createServices, loopback, type Services } from '../functions/shared/services.ts';

export type CliTarget = Pick<LocalConfig, 'apiUrl' | 'writeKey'> & Partial<Pick<LocalConfig, 'endpoints' | 'resources'>>;

/** The API and write key to use: flags first, then the saved local platform. */
export function localTarget(overrides: { endpoint?: string; writeKey?: string } = {}, path = LOCAL_CONFIG_PATH): CliTarget {
  const saved = readLocalConfig(path);
  const apiUrl = overrides.endpoint ?? saved?.apiUrl;
  const writeKey = overrides.writeKey ?? saved?.writeKey;
  if (!apiUrl || !writeKey) {
    throw new Error('No local platform found: run `npm start` first (it writes .sightline/local.json), or pass --endpoint and --write-key.');
  }
  return { ...saved, apiUrl, writeKey };
}

/** The emulators when the target has them, else the AWS SDK's default chain (a deployment). */
export function servicesFor(target?: Pick<CliTarget, 'endpoints'>): Services {
  return createServices(target?.endpoints ? loopback(target.endpoints) : {});
}

/**
 * A resource name: the flag when given (a deployment's stack output), else the local
 * platform's. Reads local.json only when no flag names the resource.
 */
export function resourceName(variable: string, flag?: string): string {
  if (flag) return flag;
  const name = localTarget({ writeKey: 'unused' }).resources?.[variable];
  if (!name) throw new Error(`the local platform has no ${variable}; pass it as a flag (a stack output)`);
  return name;
}
