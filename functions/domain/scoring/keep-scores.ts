/**
 * Keeping stored scores current: the score consumer (a profile changed) and the scheduled
 * full re-scoring (time passed) both end here.
 *
 * Design:
 * - Optimistic concurrency, as every profile writer: the write is conditional on the
 *   version read; a lost race re-reads and re-scores (the event writer's newer aggregates
 *   win, then get scored), at most `attempts` times, then ScoreConflictError is thrown so
 *   the stream retries the record.
 * - No write when nothing a reader sees would change (same model versions, same values to
 *   1e-9, same explanations): a profile change that moves no score costs a read, not a
 *   write. `at` therefore reads "scored as of, last change".
 * - `asOf` is a function of the profile: the wall clock in AWS, or the instant the profile's
 *   tags were evaluated as of (historical replays, where "now" would make every customer
 *   look lapsed).
 * - A profile merged into another is followed to the one that absorbed it.
 */
import type { Profile, StoredScore } from '../../../schemas/profile.ts';
import type { ProfileStore } from '../ports.ts';
import type { ModelArtifact } from './artifact.ts';
import { scoreProfile } from './score-profile.ts';

export type ScoreOutcome = 'scored' | 'unchanged' | 'not-found' | 'no-model-applies';

export class ScoreConflictError extends Error {
  constructor(readonly profileId: string) {
    super(`profile ${profileId} kept changing while it was scored`);
    this.name = 'ScoreConflictError';
  }
}

export interface KeepScoresDeps {
  store: Pick<ProfileStore, 'getProfile' | 'saveProfile'>;
  models: ModelArtifact[];
  asOf: (profile: Profile) => Date;
  now: () => Date;
}

const MAX_MERGE_HOPS = 5;

function sameScore(a: StoredScore | undefined, b: StoredScore): boolean {
  return a !== undefined && a.version === b.version && Math.abs(a.value - b.value) < 1e-9 && a.explanation.join('\n') === b.explanation.join('\n');
}

/** The profile with fresh scores, or the outcome that needs no write. */
function rescored(profile: Profile, deps: KeepScoresDeps): Profile | Exclude<ScoreOutcome, 'scored' | 'not-found'> {
  const scores = scoreProfile(profile, deps.models, deps.asOf(profile));
  const names = Object.keys(scores);
  if (names.length === 0) return 'no-model-applies';
  if (names.every((n) => sameScore(profile.scores?.[n], scores[n]))) return 'unchanged';
  return { ...profile, version: profile.version + 1, scores, updatedAt: deps.now().toISOString() };
}

/** Scores the stored profile `profileId` (or the one it was merged into) and writes what changed. */
export async function keepScores(profileId: string, deps: KeepScoresDeps, attempts = 4): Promise<ScoreOutcome> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    let profile = await deps.store.getProfile(profileId);
    for (let hop = 0; profile?.mergedInto && hop < MAX_MERGE_HOPS; hop++) profile = await deps.store.getProfile(profile.mergedInto);
    if (!profile || profile.mergedInto) return 'not-found';
    const next = rescored(profile, deps);
    if (typeof next === 'string') return next;
    if (await deps.store.saveProfile(next, profile.version)) return 'scored';
  }
  throw new ScoreConflictError(profileId);
}

export interface RescoreReport {
  profiles: number;
  scored: number;
  unchanged: number;
  skipped: number;
}

/**
 * Re-scores profiles already read (a page of a full scan): each write is conditional on
 * the version scanned; a profile that changed since is re-read and scored once more.
 */
export async function rescoreProfiles(profiles: Profile[], deps: KeepScoresDeps): Promise<RescoreReport> {
  const report: RescoreReport = { profiles: 0, scored: 0, unchanged: 0, skipped: 0 };
  for (const p of profiles) {
    if (p.mergedInto) continue;
    report.profiles += 1;
    const next = rescored(p, deps);
    let outcome: ScoreOutcome = typeof next === 'string' ? next : 'scored';
    if (typeof next !== 'string' && !(await deps.store.saveProfile(next, p.version))) outcome = await keepScores(p.profileId, deps);
    if (outcome === 'scored') report.scored += 1;
    else if (outcome === 'unchanged') report.unchanged += 1;
    else report.skipped += 1;
  }
  return report;
}
