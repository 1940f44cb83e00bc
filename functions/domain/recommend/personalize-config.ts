/**
 * What the Personalize training workflow publishes (models/_personalize/current.json) and
 * serving reads: the campaign to ask, the "exclude purchased" filter, the event tracker.
 * Absent until the workflow has run once: then the embedded recommender serves alone.
 */
import { z } from 'zod';

export const personalizeConfigSchema = z.object({
  campaignArn: z.string().startsWith('arn:'),
  filterArn: z.string().startsWith('arn:').optional(),
  trackingId: z.string().min(1).optional(),
  solutionVersionArn: z.string().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  trainingStartedAt: z.string().optional(),
});
export type PersonalizeConfig = z.infer<typeof personalizeConfigSchema>;

export const PERSONALIZE_CONFIG_KEY = 'models/_personalize/current.json';
