/**
 * A record of the profile-changes stream: Tag announces every profile a batch touched, the
 * score consumer re-scores it. Only the id travels (no personal data on the stream, and
 * the consumer reads the profile as it is when it gets there, not as it was announced).
 */
import { z } from 'zod';

export const profileChangeSchema = z.object({
  v: z.literal(1),
  profileId: z.string().min(1).max(600),
  /** When Tag wrote it (ISO 8601); informational, for iterator-age debugging. */
  at: z.string(),
});
export type ProfileChange = z.infer<typeof profileChangeSchema>;
