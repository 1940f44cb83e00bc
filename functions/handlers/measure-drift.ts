/**
 * Daily drift check (lib/constructs/score.ts): reads every profile, measures the population
 * stability of each current model's features and score against the training distribution
 * kept in its artifact (functions/domain/score/drift.ts), and publishes them as metrics:
 * ScorePsi and MaxFeaturePsi (dimension model) and FeaturePsi (model, feature). The Score
 * construct alarms on the first two: an input can shift a lot before the score does. No
 * personal data leaves: only PSI values and names.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createServices } from '../shared/services.ts';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger, metrics } from '../shared/powertools.ts';
import type { ProfileScanner } from '../domain/profiles/ports.ts';
import type { ModelArtifact } from '../domain/score/artifact.ts';
import { driftOfProfiles, type DriftReport } from '../domain/score/drift.ts';
import { scoreClock } from '../domain/score/keep-scores.ts';
import type { Profile } from '../../schemas/profile.ts';
import { readAllProfiles } from '../domain/profiles/read-all-profiles.ts';

export interface MeasureDriftDeps {
  scanner: ProfileScanner;
  models: { get(): Promise<ModelArtifact[]> };
  asOf: (p: Profile) => Date;
}

export function makeMeasureDrift(deps: MeasureDriftDeps) {
  return async (): Promise<DriftReport[]> => {
    const [models, profiles] = await Promise.all([deps.models.get(), readAllProfiles(deps.scanner)]);
    const reports = driftOfProfiles(models, profiles, deps.asOf);
    for (const r of reports) {
      const m = metrics.singleMetric();
      m.addDimension('model', r.model);
      m.addMetric('ScorePsi', MetricUnit.NoUnit, r.scorePsi);
      m.addMetric('MaxFeaturePsi', MetricUnit.NoUnit, r.features[0]?.psi ?? 0);
      for (const f of r.features) {
        const fm = metrics.singleMetric();
        fm.addDimensions({ model: r.model, feature: f.name });
        fm.addMetric('FeaturePsi', MetricUnit.NoUnit, f.psi);
      }
    }
    logger.info('drift measured', { reports: reports.map((r) => ({ model: r.model, version: r.version, rows: r.rows, scorePsi: r.scorePsi, top: r.features.slice(0, 3) })) });
    return reports;
  };
}

const env = loadEnv('measure-drift');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
export const measureDriftHandler = makeMeasureDrift({
  scanner: services.profileStore(env.PROFILES_TABLE_NAME),
  models: services.scoreModels(env.MODELS_BUCKET, env.SCORE_MODELS, 0),
  asOf: scoreClock(env.SCORE_CLOCK),
});
export const handler = withPowertools(measureDriftHandler);
