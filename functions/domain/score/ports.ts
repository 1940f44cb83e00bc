/**
 * Ports of the Score piece: where scores are kept beside their profiles.
 */
import type { Profile, ScoresItem } from '../../../schemas/profile.ts';

/** Scores kept beside each profile (schemas/profile.ts ScoresItem). */
export interface ScoreStore {
  getScores(profileIds: string[]): Promise<Map<string, ScoresItem>>;
  /**
   * Profiles and their scores items in one batched, eventually consistent read: what the
   * score consumer needs (a profile a second stale is re-scored by its next change or the
   * daily run, and the profileVersion guard keeps older scores from replacing newer ones).
   */
  getProfilesWithScores(profileIds: string[]): Promise<{ profiles: Map<string, Profile>; scores: Map<string, ScoresItem> }>;
  /** Writes unless the stored item was computed from a newer profile version; false then. */
  saveScores(item: ScoresItem): Promise<boolean>;
  /**
   * Removes a profile's scores item (its person withdrew or denied profiling consent) unless
   * it was computed from a newer profile version (a later grant's scores stay); false then,
   * or when there was none.
   */
  deleteScores(profileId: string, profileVersion: number): Promise<boolean>;
}

