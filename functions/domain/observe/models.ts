/**
 * Models for the admin API: each registry model's versions with their held-out metrics (the
 * version summary training stores), the current one and what a rollback restores, drift of
 * the current scoring models over today's profiles, and promote / rollback (the registry's
 * own operations: serving re-reads the pointer within a minute).
 */
import type { Models } from '../../../schemas/api/admin.ts';
import type { Profile } from '../../../schemas/profile.ts';
import { readAllProfiles } from '../profiles/read-all-profiles.ts';
import type { ProfileScanner } from '../profiles/ports.ts';
import type { ModelArtifact } from '../score/artifact.ts';
import { driftOfProfiles, psiBand } from '../score/drift.ts';
import { assertModelName, rollbackModel, UnknownModelVersionError, type ModelRegistry } from '../shared/model-registry.ts';
import { InvalidRequestError, NotFoundError } from '../shared/errors.ts';

const FAIRNESS_KEY = /parity|opportunity|fair/i;

export async function listModels(names: readonly string[], registry: ModelRegistry): Promise<Models> {
  const models = await Promise.all(
    names.map(async (name) => {
      const [current, versions] = await Promise.all([registry.pointer(name), registry.list(name)]);
      const latest = versions.find((v) => v.version === current?.version) ?? versions.at(-1);
      return {
        name,
        ...(current ? { current: { version: current.version, promotedAt: current.promotedAt, ...(current.previous ? { previous: current.previous } : {}) } } : {}),
        versions: versions.map((v) => ({ version: v.version, createdAt: v.createdAt, bytes: v.bytes, metrics: { ...(v.summary ?? {}) } })),
        fairness: Object.fromEntries(Object.entries(latest?.summary ?? {}).filter(([key]) => FAIRNESS_KEY.test(key))),
      };
    }),
  );
  return { models };
}

export async function modelsDrift(deps: { models: { get(): Promise<ModelArtifact[]> }; scanner: ProfileScanner; asOf: (p: Profile) => Date; now: () => Date }) {
  const [models, profiles] = await Promise.all([deps.models.get(), readAllProfiles(deps.scanner)]);
  const reports = driftOfProfiles(models, profiles, deps.asOf).map((r) => ({
    model: r.model,
    version: r.version,
    rows: r.rows,
    scorePsi: r.scorePsi,
    band: psiBand(r.scorePsi),
    features: r.features.map((f) => ({ ...f, band: psiBand(f.psi) })),
  }));
  return { asOf: deps.now().toISOString(), reports };
}

function checkName(name: string, known: readonly string[]) {
  try {
    assertModelName(name);
  } catch {
    throw new InvalidRequestError('validation_failed', [{ field: 'name', rule: 'must be lower-case letters, digits and dashes' }]);
  }
  if (!known.includes(name)) throw new NotFoundError(`no model ${name}`);
}

export async function promote(name: string, version: string, deps: { registry: ModelRegistry; known: readonly string[]; now: () => Date }) {
  checkName(name, deps.known);
  try {
    return { name, ...(await deps.registry.promote(name, version, deps.now().toISOString())) };
  } catch (err) {
    if (err instanceof UnknownModelVersionError) throw new NotFoundError(err.message);
    throw err;
  }
}

export async function rollback(name: string, deps: { registry: ModelRegistry; known: readonly string[]; now: () => Date }) {
  checkName(name, deps.known);
  try {
    return { name, ...(await rollbackModel(deps.registry, name, deps.now())) };
  } catch (err) {
    // No previous version to go back to is the caller's request that cannot be met.
    if (err instanceof Error && !(err instanceof UnknownModelVersionError)) throw new InvalidRequestError('no_previous_version', [{ field: 'name', rule: err.message }]);
    throw err;
  }
}
