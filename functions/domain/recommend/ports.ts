/**
 * Ports of the Recommend piece beside the RecommendationProvider (recommendation-provider.ts):
 * the interaction log (training data) and Personalize's real-time event tracker.
 */
import type { InteractionRow } from './interaction-log.ts';

export interface InteractionLog {
  /** Writes one log object; the same key written twice holds the same rows (retries overwrite). */
  put(key: string, csv: string): Promise<void>;
}

export interface EventTracker {
  /** Sends every row; returns the number of calls made. Throws when a call fails. */
  track(rows: readonly InteractionRow[]): Promise<number>;
}
