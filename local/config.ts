/**
 * The one description of the local platform's state on disk, shared by `local/` (which
 * writes it when it starts) and `cli/` (which reads it to find the platform): the repository
 * root, the state directory, and `.sightline/local.json` (git-ignored), with its shape.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const STATE_DIR = join(REPO_ROOT, '.sightline');
export const LOCAL_CONFIG_PATH = join(STATE_DIR, 'local.json');

export interface LocalConfig {
  apiUrl: string;
  /** The demo source's write key: kept so the CLI can send across runs. */
  writeKey: string;
  sourceId: string;
  endpoints: { dynamodb: string; kinesis: string; s3: string; ses?: string; sfn?: string };
  /** State machine ARNs by name (`Campaign`, `Rescore`): what `sightline campaign start` starts locally. */
  stateMachines?: Record<string, string>;
  /** Resource names by the function variable that names them (PROFILES_TABLE_NAME, MODELS_BUCKET, …). */
  resources: Record<string, string>;
  /** Bearer token of the IAM-only read routes (profiles, recommendations), new at every start (local/http-api.ts). */
  adminToken?: string;
}

/** The saved local platform, or undefined when there is none (never started here). */
export function readLocalConfig(path = LOCAL_CONFIG_PATH): Partial<LocalConfig> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Partial<LocalConfig>;
  } catch (err) {
    throw new Error(`${path} is not valid JSON (${(err as Error).message}); restart the local platform or pass --endpoint and --write-key.`);
  }
}

/**
 * The header the saved platform's IAM-only routes need, for a request to `apiUrl`; none for
 * any other endpoint, so the local token never travels anywhere else.
 */
export function adminAuthorization(apiUrl: string, config = readLocalConfig()): Record<string, string> {
  return config?.adminToken && config.apiUrl === apiUrl ? { authorization: `Bearer ${config.adminToken}` } : {};
}

export function writeLocalConfig(config: LocalConfig, path = LOCAL_CONFIG_PATH): void {
  writeFileSync(path, JSON.stringify(config, null, 2));
}
