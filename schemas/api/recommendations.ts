/**
 * Query of GET /v1/recommendations/{userId} and GET /v1/items/{itemId}/similar.
 * Every refusal names its field, as the collection API does.
 */
import { z } from 'zod';

export const MAX_RECOMMENDATIONS = 100;

export const recommendationQuerySchema = z.object({
  n: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(MAX_RECOMMENDATIONS, `must be at most ${MAX_RECOMMENDATIONS}`).default(10),
  /** Country for the popularity fallback (as the events spell it, e.g. "United Kingdom"). */
  country: z.string().trim().min(1).max(60).optional(),
  /** Leave out what the person bought before (Personalize's "exclude purchased" filter). Default true. */
  excludePurchased: z.enum(['true', 'false'], { message: 'must be true or false' }).default('true').transform((v) => v === 'true'),
  /** Comma-separated item ids never to return (what is already in the basket, out of stock …). */
  exclude: z
    .string()
    .max(4000)
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])),
});
export type RecommendationQuery = z.output<typeof recommendationQuerySchema>;

export const pathIdSchema = z.string().min(1, 'is required').max(256, 'must be at most 256 characters');
