/**
 * Publishing a trained scoring artifact to the model registry, shared by `sightline train`
 * and the scheduled training function. The stored artifact names its own registry version
 * (so a score can say which model made it); the version and the registry's sha256 hash the
 * artifact before that stamp. `promote: false` publishes without switching traffic.
 */
import { createHash } from 'node:crypto';
import { newModelVersion, publishModel, type ModelPointer, type ModelRegistry, type ModelVersionInfo } from '../shared/model-registry.ts';
import { serializeModel, type ModelArtifact } from './artifact.ts';

export async function publishScoreModel(registry: ModelRegistry, artifact: ModelArtifact, opts: { at: Date; promote?: boolean }): Promise<{ info: ModelVersionInfo; pointer?: ModelPointer }> {
  const sha256 = createHash('sha256').update(serializeModel(artifact)).digest('hex');
  const body = serializeModel({ ...artifact, version: newModelVersion(opts.at, sha256) });
  return publishModel(registry, {
    name: artifact.model,
    body,
    sha256,
    at: opts.at,
    promote: opts.promote,
    summary: { family: artifact.family, rows: artifact.trainingData.rows, from: artifact.trainingData.from, to: artifact.trainingData.to, ...artifact.metrics },
  });
}
