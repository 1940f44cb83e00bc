/**
 * Where the CLI sends to by default: `.sightline/local.json` in the repo root, written by the
 * local platform when it starts (`{ apiUrl, writeKey, endpoints?, resources? }`). Flags win
 * over the file, so the same commands work against a deployed stack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const LOCAL_CONFIG_PATH = join(REPO_ROOT, '.sightline', 'local.json');

export interface CliTarget {
  apiUrl: string;
  writeKey: string;
  endpoints?: { dynamodb: string; kinesis: string; s3: string };
  resources?: Record<string, string>;
}

/** The saved local platform, or undefined when there is none (never started here). */
export function readLocalConfig(path = LOCAL_CONFIG_PATH): Partial<CliTarget> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Partial<CliTarget>;
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}); restart the local platform or pass --endpoint and --write-key.`);
  }
}

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
