/**
 * A profile as the API shows it: found by any of its ids, with its scores (kept beside it,
 * schemas/profile.ts ScoresItem; older profiles carried them inline), without the
 * de-duplication bookkeeping (`applied`, `dedup`), which is no one's business outside the Tag stage.
 */
import type { Profile } from '../../../schemas/profile.ts';
import { NotFoundError } from '../shared/errors.ts';
import type { ScoreStore } from '../score/ports.ts';
import { findProfile } from './find-profile.ts';
import type { ProfileStore } from './ports.ts';

export async function profileView(id: string, deps: { store: ProfileStore; scores: Pick<ScoreStore, 'getScores'> }): Promise<Omit<Profile, 'applied' | 'dedup'>> {
  const profile = await findProfile(deps.store, id);
  if (!profile) throw new NotFoundError(`no profile for ${id}`);
  const { applied: _applied, dedup: _dedup, ...visible } = profile;
  const scores = (await deps.scores.getScores([profile.profileId])).get(profile.profileId)?.scores ?? visible.scores;
  return { ...visible, ...(scores ? { scores } : {}) };
}
