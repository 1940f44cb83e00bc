/**
 * The scoring models currently promoted in the registry, as the score functions hold them:
 * one CachedModel per name (the pointer re-read at most once per ttl, an artifact parsed
 * once per version), so promoting or rolling back a version reaches warm functions within
 * the ttl, without a redeploy. A model never trained is simply absent (nothing is scored
 * with it); an artifact that fails validation keeps the version already loaded.
 */
import { CachedModel, type ModelRegistry } from '../shared/model-registry.ts';
import { parseModel, type ModelArtifact } from './artifact.ts';

export class CurrentScoreModels {
  private readonly cached: CachedModel<ModelArtifact>[];

  constructor(registry: ModelRegistry, names: string[], ttlMs = 60_000, now: () => number = Date.now) {
    this.cached = names.map((name) => new CachedModel(registry, name, parseModel, ttlMs, now));
  }

  async get(): Promise<ModelArtifact[]> {
    const loaded = await Promise.all(this.cached.map((c) => c.get()));
    return loaded.flatMap((l) => (l ? [l.model] : []));
  }
}
