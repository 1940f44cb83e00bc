/**
 * Drift: is the population being scored still the one the model was trained on?
 *
 * Design:
 * - Population stability index (PSI = Σ (a − e)·ln(a / e) over bins; metrics.ts) per
 *   feature and for the score. The reference bins are fixed at training time and stored in
 *   the artifact (`drift`): numerics at the training deciles (distinct edges only, so a
 *   count feature with many zeros gets fewer bins), categoricals one bin per training level
 *   plus one for unseen values; the score at its training deciles.
 * - Reading the usual bands: < 0.1 stable, 0.1–0.25 moderate, > 0.25 shifted (the alarm).
 * - Pure: the training rows and the recent rows are passed in; the CLI and the scheduled
 *   function read them from profiles (score-profile.ts `featuresFor`), the benchmark from
 *   the datasets.
 */
import type { Profile } from '../../../schemas/profile.ts';
import type { DriftReference, ModelArtifact } from './artifact.ts';
import { levelIndex, numericValue, type RawFeatures } from './features.ts';
import { binShares, psiFromShares, quantileEdges } from './metrics.ts';
import { predict } from './score.ts';
import { featuresFor } from './score-profile.ts';

/** The value binned for a feature: the number used (numerics) or the level index, −1 unseen. */
function binValues(model: ModelArtifact, i: number, rows: RawFeatures[]): number[] {
  const f = model.features[i];
  return rows.map((r) => (f.kind === 'numeric' ? numericValue(f, r) : levelIndex(f, r)));
}

/** Categoricals: bins are level indices 0…n−1, and −1 (unseen) first: edges 0, 1, …, n−1. */
const levelEdges = (levels: number) => [...Array(levels).keys()];

/** The score that is binned: the model's value (log-odds, days or amount). */
const scoreValues = (model: ModelArtifact, rows: RawFeatures[]) => rows.map((r) => predict(model, r));

export function driftReference(model: ModelArtifact, rows: RawFeatures[], bins = 10): DriftReference {
  const features = model.features.map((f, i) => {
    const values = binValues(model, i, rows);
    const edges = f.kind === 'numeric' ? quantileEdges(values, bins) : levelEdges(f.levels.length);
    return { name: f.name, edges, shares: binShares(values, edges) };
  });
  const scores = scoreValues(model, rows);
  const edges = quantileEdges(scores, bins);
  return { features, score: { edges, shares: binShares(scores, edges) } };
}

/** The artifact with its drift reference from (a sample of) its training rows. */
export function withDriftReference(model: ModelArtifact, rows: RawFeatures[], sample = 5000): ModelArtifact {
  const step = Math.max(1, Math.floor(rows.length / sample));
  return { ...model, drift: driftReference(model, rows.filter((_, i) => i % step === 0)) };
}

export interface DriftReport {
  model: string;
  version: string;
  rows: number;
  scorePsi: number;
  /** Largest first. */
  features: { name: string; psi: number }[];
}

/** PSI of every feature and of the score of `rows` against the artifact's reference; undefined without one or without rows. */
export function measureDrift(model: ModelArtifact, rows: RawFeatures[]): DriftReport | undefined {
  if (!model.drift || rows.length === 0) return undefined;
  const index = new Map(model.features.map((f, i) => [f.name, i]));
  const features = model.drift.features
    .filter((ref) => index.has(ref.name))
    .map((ref) => ({ name: ref.name, psi: psiFromShares(ref.shares, binShares(binValues(model, index.get(ref.name)!, rows), ref.edges)) }))
    .sort((a, b) => b.psi - a.psi);
  const scorePsi = psiFromShares(model.drift.score.shares, binShares(scoreValues(model, rows), model.drift.score.edges));
  return { model: model.model, version: model.version, rows: rows.length, scorePsi, features };
}

export const psiBand = (psi: number) => (psi < 0.1 ? 'stable' : psi <= 0.25 ? 'moderate' : 'shifted');

/** Drift of each model over the live profiles it applies to, as of `asOf` (profile features as scoring reads them). */
export function driftOfProfiles(models: ModelArtifact[], profiles: Profile[], asOf: (p: Profile) => Date): DriftReport[] {
  const out: DriftReport[] = [];
  for (const model of models) {
    const rows: RawFeatures[] = [];
    for (const p of profiles) {
      const raw = p.mergedInto ? undefined : featuresFor[model.model]?.(p, asOf(p).getTime());
      if (raw) rows.push(raw);
    }
    const report = measureDrift(model, rows);
    if (report) out.push(report);
  }
  return out;
}
