/** Where the CLI finds the local platform: .sightline/local.json, written by `npm start`. */
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

export function localTarget(overrides: { endpoint?: string; writeKey?: string } = {}): CliTarget {
  const saved = existsSync(LOCAL_CONFIG_PATH) ? (JSON.parse(readFileSync(LOCAL_CONFIG_PATH, 'utf8')) as CliTarget) : undefined;
  const apiUrl = overrides.endpoint ?? saved?.apiUrl;
  const writeKey = overrides.writeKey ?? saved?.writeKey;
  if (!apiUrl || !writeKey) {
    throw new Error('No local platform found: run `npm start` first (it writes .sightline/local.json), or pass --endpoint and --write-key.');
  }
  return { ...saved, apiUrl, writeKey };
}
