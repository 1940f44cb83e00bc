/**
 * Keeping stored scores current: the score consumer (a profile changed) and the scheduled
 * full re-scoring (time passed) both end here.
 *
 * Design:
 * - Scores live in their own item beside the profile (schemas/profile.ts ScoresItem), not on
 *   it: Tag rewrites the profile on every batch and would pay for the scores' bytes each
 *   time (measured: 0.75 → 2.12 write units per event with scores on the profile item,
 *   bench/RESULTS.md), and a scorer writing the profile raced Tag on its version.
 * - The scores item records the profile version it was computed from, and a write never
 *   replaces scores of a newer version (conditional write). So the scorer needs no retry
 *   loop: if it loses, newer scores are already there ('superseded').
 * - No write when nothing a reader sees would change (same model versions, same values to
 *   1e-9, same explanations): a profile change that moves no score costs two reads, not a
 *   write. `at` therefore reads "scored as of, last change".
 * - `asOf` is a function of the profile: the wall clock in AWS, or the instant the profile's
 *   tags were evaluated as of (historical replays, where "now" would make every customer
 *   look lapsed).
 * - A profile merged into another is followed to the one that absorbed it.
 * - Profiling consent (functions/domain/privacy/consent.ts): a person who has not granted
 *   `profiling` — withdrawn, denied, or never said, since unknown is not granted — is not
 *   scored, and their stored scores item is deleted ('no-consent'). Nothing is written for
 *   someone who never had scores.
 */
import type { Profile, ScoresItem, StoredScore } from '../../../schemas/profile.ts';
import type { ProfileStore } from '../profiles/ports.ts';
import type { ScoreStore } from './ports.ts';
import type { ModelArtifact } from './artifact.ts';
import { scoreProfile } from './score-profile.ts';
import { forEachLimit } from '../shared/for-each-limit.ts';
import { consentHistoryOf, purposeStatus } from '../privacy/consent.ts';

/** The instant a profile is scored as of: now (`wall`), or its own tag time (`profile`: historical replays). */
export const scoreClock = (mode: 'wall' | 'profile'): ((p: Profile) => Date) => (mode === 'profile' ? (p) => new Date(p.tagsAsOf ?? p.updatedAt) : () => new Date());

export type ScoreOutcome = 'scored' | 'unchanged' | 'superseded' | 'not-found' | 'no-model-applies' | 'no-consent';

/** Whether a profile may be scored: profiling consent granted. */
export const mayScore = (profile: Profile): boolean => purposeStatus(consentHistoryOf(profile), 'profiling') === 'granted';

export interface KeepScoresDeps {
  store: Pick<ProfileStore, 'getProfile'>;
  scores: ScoreStore;
  models: ModelArtifact[];
  asOf: (profile: Profile) => Date;
  now: () => Date;
}

const MAX_MERGE_HOPS = 5;

function sameScore(a: StoredScore | undefined, b: StoredScore): boolean {
  return a !== undefined && a.version === b.version && Math.abs(a.value - b.value) < 1e-9 && a.explanation.join('\n') === b.explanation.join('\n');
}

/** Scores a profile against what is stored for it and writes what moved. */
async function scoreAndSave(profile: Profile, stored: ScoresItem | undefined, deps: KeepScoresDeps): Promise<Exclude<ScoreOutcome, 'not-found'>> {
  if (!mayScore(profile)) {
    if (stored) await deps.scores.deleteScores(profile.profileId, profile.version);
    return 'no-consent';
  }
  // Scores of models not given (not promoted yet, or retired) are kept as they were.
  const scores = scoreProfile({ ...profile, scores: stored?.scores ?? {} }, deps.models, deps.asOf(profile));
  if (!deps.models.some((m) => scores[m.model])) return 'no-model-applies';
  if (!deps.models.some((m) => scores[m.model] && !sameScore(stored?.scores[m.model], scores[m.model]))) return 'unchanged';
  const ok = await deps.scores.saveScores({ schemaVersion: 1, profileId: profile.profileId, profileVersion: profile.version, scores, updatedAt: deps.now().toISOString() });
  return ok ? 'scored' : 'superseded';
}

/**
 * Scores the profiles `profileIds` (or those they were merged into): one batched read of
 * the profiles and their scores items, then a write per profile whose scores moved.
 */
export async function keepScores(profileIds: string[], deps: KeepScoresDeps, concurrency = 8): Promise<Record<ScoreOutcome, number>> {
  const outcomes: Record<ScoreOutcome, number> = { scored: 0, unchanged: 0, superseded: 0, 'not-found': 0, 'no-model-applies': 0, 'no-consent': 0 };
  const ids = [...new Set(profileIds)];
  const { profiles, scores } = await deps.scores.getProfilesWithScores(ids);
  await forEachLimit(ids, concurrency, async (id) => {
    let profile = profiles.get(id);
    let stored = scores.get(id);
    if (profile?.mergedInto) {
      for (let hop = 0; profile?.mergedInto && hop < MAX_MERGE_HOPS; hop++) profile = await deps.store.getProfile(profile.mergedInto);
      stored = profile ? (await deps.scores.getScores([profile.profileId])).get(profile.profileId) : undefined;
    }
    outcomes[!profile || profile.mergedInto ? 'not-found' : await scoreAndSave(profile, stored, deps)]++;
  });
  return outcomes;
}

export interface RescoreReport {
  profiles: number;
  scored: number;
  unchanged: number;
  skipped: number;
}

/** Re-scores profiles already read (a page of a full scan), reading their scores items in batches. */
export async function rescoreProfiles(profiles: Profile[], deps: KeepScoresDeps): Promise<RescoreReport> {
  const report: RescoreReport = { profiles: 0, scored: 0, unchanged: 0, skipped: 0 };
  const live = profiles.filter((p) => !p.mergedInto);
  const stored = await deps.scores.getScores(live.map((p) => p.profileId));
  for (const p of live) {
    report.profiles += 1;
    const outcome = await scoreAndSave(p, stored.get(p.profileId), deps);
    if (outcome === 'scored') report.scored += 1;
    else if (outcome === 'unchanged' || outcome === 'superseded') report.unchanged += 1;
    else report.skipped += 1;
  }
  return report;
}
