/**
 * Clean events → the interaction log: purchases and product views, one CSV object per
 * batch, the training data of the embedded recommender and of Personalize's imports. The
 * key is a hash of the batch's messageIds, so a re-delivered batch overwrites its own object.
 *
 * The archive is the record (the next import reads it); the real-time feed only keeps the
 * Personalize campaign fresh between trainings, so its failure is reported and not retried
 * (a retry would re-send the events that did reach it).
 */
import type { CleanEvent } from '../../../schemas/clean-event.ts';
import { encodeInteractionLog, interactionLogKey, interactionsFromEvents } from './interaction-log.ts';
import type { EventTracker, InteractionLog } from './ports.ts';

export interface ArchiveDeps {
  log: InteractionLog;
  /** Personalize's event tracker, once the training workflow has made one. */
  tracker?: () => Promise<EventTracker | undefined>;
  onTrackerFailure?: (error: unknown, rows: number) => void;
}

export async function archiveInteractions(events: CleanEvent[], deps: ArchiveDeps): Promise<{ archived: number }> {
  const rows = interactionsFromEvents(events);
  if (rows.length === 0) return { archived: 0 };
  const times = rows.map((r) => r.timestamp);
  await deps.log.put(interactionLogKey(events.map((e) => e.messageId), Math.min(...times), Math.max(...times)), encodeInteractionLog(rows));
  const tracker = await deps.tracker?.().catch(() => undefined);
  if (tracker) await tracker.track(rows).catch((err: unknown) => deps.onTrackerFailure?.(err, rows.length));
  return { archived: rows.length };
}
