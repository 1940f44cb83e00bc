/**
 * `sightline models list|promote|rollback`: the model registry by hand. Serving and scoring
 * re-read a model's pointer at most once a minute, so a promote or a rollback reaches them
 * within that minute, without a redeploy (functions/domain/shared/model-registry.ts).
 */
import { rollbackModel, type ModelPointer, type ModelRegistry, type ModelVersionInfo } from '../../functions/domain/shared/model-registry.ts';
import { localTarget, resourceName, servicesFor } from '../config.ts';

export interface ModelListing {
  name: string;
  current?: ModelPointer;
  versions: ModelVersionInfo[];
}

export async function listModel(registry: ModelRegistry, name: string): Promise<ModelListing> {
  const [current, versions] = await Promise.all([registry.pointer(name), registry.list(name)]);
  return { name, ...(current ? { current } : {}), versions };
}

export async function promoteModel(registry: ModelRegistry, name: string, version: string, at = new Date()): Promise<ModelPointer> {
  return registry.promote(name, version, at.toISOString());
}

export async function rollback(registry: ModelRegistry, name: string, at = new Date()): Promise<ModelPointer> {
  return rollbackModel(registry, name, at);
}

const headline = (s: ModelVersionInfo['summary']) =>
  Object.entries(s ?? {})
    .filter(([k]) => k === 'family' || k === 'rows' || /auc|likelihood/.test(k))
    .map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : v}`)
    .join(', ');

/** Newest first; the current version marked with `*`, the one a rollback would restore with `<`. */
export function formatModelListing(l: ModelListing): string {
  if (l.versions.length === 0) return `${l.name}: no versions published (sightline train ${l.name})`;
  return [
    `${l.name}: current ${l.current?.version ?? '(none)'}${l.current?.previous ? `, rollback restores ${l.current.previous}` : ''}`,
    ...[...l.versions].reverse().map((v) => `${v.version === l.current?.version ? '*' : v.version === l.current?.previous ? '<' : ' '} ${v.version}  ${(v.bytes / 1024).toFixed(1)} KiB  ${headline(v.summary)}`),
  ].join('\n');
}

// ---- the CLI's actions (cli/sightline.ts routes here) ------------------------------------

function registryFor(bucket?: string): ModelRegistry {
  return servicesFor(bucket ? undefined : localTarget({ writeKey: 'unused' })).modelRegistry(resourceName('MODELS_BUCKET', bucket));
}

export const listModelCommand = (name: string, o: { modelsBucket?: string }) => listModel(registryFor(o.modelsBucket), name);
export const promoteModelCommand = async (name: string, version: string, o: { modelsBucket?: string }) => ({ name, ...(await promoteModel(registryFor(o.modelsBucket), name, version)) });
export const rollbackCommand = async (name: string, o: { modelsBucket?: string }) => ({ name, ...(await rollback(registryFor(o.modelsBucket), name)) });

export const formatPromote = (p: ModelPointer & { name: string }) => `${p.name}: current ${p.version}${p.previous ? ` (was ${p.previous})` : ''}`;
export const formatRollback = (p: ModelPointer & { name: string }) => `${p.name}: rolled back to ${p.version}`;
