/**
 * A record kept in the failed-events store (S3 in AWS, s3rver locally): the original
 * payload and why it was refused, like Snowplow's bad rows. Keyed by date and reason:
 * failed/dt=YYYY-MM-DD/reason=<reason>/<stage>-<id>.json
 */
import { z } from 'zod';

export const FAILURE_REASONS = [
  'invalid_json',
  'schema_violation',
  'too_large',
  'unsupported_version',
  'bot_traffic',
  'test_traffic',
  'consumer_retries_exhausted',
  'profile_conflict',
  // Content Clean refuses because it could never be stored or counted (domain/clean/clean.ts).
  'reserved_key',
  'out_of_range',
  'invalid_timestamp',
  'invalid_currency',
  'negative_revenue',
  // Tag: a possible re-delivery too old for its person's de-duplication state (domain/profiles/profile.ts).
  'outside_dedup_window',
  // Collect, before validation (domain/collect/): nesting deeper than MAX_JSON_DEPTH, a body
  // that is not the gzip it claims, a Content-Encoding other than gzip or identity.
  'too_deep',
  'invalid_encoding',
  'unsupported_encoding',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

export const failedEventSchema = z.object({
  v: z.literal(1),
  stage: z.enum(['collect', 'clean', 'tag', 'archive', 'score', 'attribute']),
  reason: z.enum(FAILURE_REASONS),
  /** Human-readable: which field, which rule. */
  detail: z.string(),
  at: z.string(),
  sourceId: z.string().optional(),
  messageId: z.string().optional(),
  /** The original payload, as received (a string when it was not JSON). */
  payload: z.unknown(),
});
export type FailedEvent = z.infer<typeof failedEventSchema>;
