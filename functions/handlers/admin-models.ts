/**
 * Admin API, models: versions with their held-out metrics and fairness figures, drift of the
 * current scoring models over today's profiles, promote and rollback
 * (functions/domain/observe/models.ts on the model registry).
 */
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { createServices } from '../shared/services.ts';
import { adminRouter, jsonBody, param } from '../shared/admin-router.ts';
import { listModels, modelsDrift, promote, rollback } from '../domain/observe/models.ts';
import { scoreClock } from '../domain/score/keep-scores.ts';
import type { ModelRegistry } from '../domain/shared/model-registry.ts';
import type { ProfileScanner } from '../domain/profiles/ports.ts';
import type { ModelArtifact } from '../domain/score/artifact.ts';
import type { Profile } from '../../schemas/profile.ts';
import { InvalidRequestError } from '../domain/shared/errors.ts';
import { modelPromoteRequestSchema } from '../../schemas/api/admin.ts';

export interface AdminModelsDeps {
  registry: ModelRegistry;
  known: readonly string[];
  scoring: { get(): Promise<ModelArtifact[]> };
  scanner: ProfileScanner;
  asOf: (p: Profile) => Date;
  now: () => Date;
}

export function makeAdminModels(d: AdminModelsDeps) {
  return adminRouter({
    'GET /admin/v1/models': () => listModels(d.known, d.registry),
    'GET /admin/v1/models/drift': () => modelsDrift({ models: d.scoring, scanner: d.scanner, asOf: d.asOf, now: d.now }),
    'POST /admin/v1/models/{name}/promote': (e) => {
      const body = modelPromoteRequestSchema.safeParse(jsonBody(e));
      if (!body.success) throw new InvalidRequestError('validation_failed', [{ field: 'version', rule: 'is required (a published version)' }]);
      return promote(param(e, 'name'), body.data.version, d);
    },
    'POST /admin/v1/models/{name}/rollback': (e) => rollback(param(e, 'name'), d),
  });
}

const env = loadEnv('admin-models');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
export const adminModels = makeAdminModels({
  registry: services.modelRegistry(env.MODELS_BUCKET),
  known: env.MODEL_NAMES,
  scoring: services.scoreModels(env.MODELS_BUCKET, env.SCORE_MODELS, env.MODEL_CACHE_SECONDS * 1000),
  scanner: services.profileStore(env.PROFILES_TABLE_NAME),
  asOf: scoreClock(env.SCORE_CLOCK),
  now: () => new Date(),
});
export const handler = withPowertools(adminModels);
