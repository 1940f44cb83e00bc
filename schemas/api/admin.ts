/**
 * The admin API (the dashboard's and the operator's): request and response bodies as zod
 * schemas. The handlers validate their answers against these in tests, and
 * schemas/generate-openapi.ts turns them (with the event API's) into schemas/openapi.json.
 *
 * Design:
 * - Rates are `null` whenever the group they describe has fewer than `k` people (k-anonymity
 *   in reporting): a dashboard can then never show one person's outcome as a percentage.
 * - Counts and ids only where a marketer needs them; profiles appear only in the profile
 *   routes, which are as private as GET /v1/profiles/{id}.
 */
import { z } from 'zod';
import { profileSchema, storedScoreSchema } from '../profile.ts';
import { segmentDefinitionSchema } from '../segment.ts';
import { campaignReportSchema } from '../campaign-report.ts';

/** A rate shown only for a group of at least k people; otherwise null with `suppressed`. */
export const guardedRateSchema = z.object({
  count: z.number().int().nonnegative().nullable().describe('null when the group is smaller than k and its count would reveal the rate'),
  of: z.number().int().nonnegative(),
  rate: z.number().min(0).max(1).nullable().describe('count / of, or null when of < k'),
  suppressed: z.boolean().describe('true when the group is smaller than k and the rate is withheld'),
});

export const distributionSchema = z.array(z.object({ value: z.string(), count: z.number().int().nonnegative(), share: guardedRateSchema }));

export const overviewSchema = z.object({
  k: z.number().int().positive(),
  profiles: z.number().int().nonnegative().describe('live profiles (merged ones excluded)'),
  merged: z.number().int().nonnegative(),
  events: z.number().int().nonnegative().describe('events counted on live profiles'),
  lifecycle: distributionSchema,
  rfm: distributionSchema,
  asOf: z.string(),
});

export const profileSummarySchema = z.object({
  profileId: z.string(),
  userIds: z.array(z.string()),
  lifecycle: z.string(),
  country: z.string(),
  orders: z.number(),
  updatedAt: z.string(),
});
export const profileSearchSchema = z.object({ query: z.string(), matches: z.array(profileSummarySchema), truncated: z.boolean() });

export const profileDetailSchema = z.object({
  profile: profileSchema.omit({ applied: true, dedup: true }),
  /** The scores with their explanations; contributions largest |contribution| first. */
  scores: z.record(z.string(), storedScoreSchema),
  consent: z.record(z.string(), z.boolean()),
  /** Latest campaign contacts: the profile's campaignContact and its send records in known campaigns. */
  contacts: z.array(z.object({ campaignId: z.string(), status: z.string(), arm: z.string().optional(), reason: z.string().optional(), at: z.string().optional() })),
});

export const segmentPreviewSchema = z.object({
  segmentId: z.string(),
  scanned: z.number().int(),
  merged: z.number().int(),
  matched: z.number().int(),
  size: z.number().int(),
  sample: z.array(z.object({ profileId: z.string(), lifecycle: z.string(), country: z.string(), value: z.number().optional() })),
  breakdown: z.object({ lifecycle: z.array(z.object({ value: z.string(), count: z.number().int() })), country: z.array(z.object({ value: z.string(), count: z.number().int() })) }),
  top: z.object({ by: z.string(), unranked: z.number().int(), cutoff: z.object({ value: z.number(), profileId: z.string() }).optional() }).optional(),
});
export const segmentListSchema = z.object({ segments: z.array(segmentDefinitionSchema) });
export const segmentDetailSchema = z.object({ definition: segmentDefinitionSchema, preview: segmentPreviewSchema });

const totalsSchema = z.object({
  scanned: z.number(),
  audience: z.number(),
  sent: z.number(),
  holdout: z.number(),
  failed: z.number(),
  deferred: z.number(),
  alreadyDone: z.number(),
  skipped: z.record(z.string(), z.number()),
});

export const campaignProgressSchema = z.object({
  campaignId: z.string(),
  execution: z.object({ status: z.string(), startedAt: z.string().optional(), stoppedAt: z.string().optional(), error: z.string().optional() }).optional(),
  control: z.enum(['running', 'paused', 'cancelled']),
  state: z.string().describe('the summary state (sending, waiting, done, cancelled) or "not started"'),
  sweeps: z.number().int(),
  totals: totalsSchema.optional(),
  /** decided / (decided + deferred): 1 when everyone is sent, skipped or held out. */
  decided: z.number().int(),
  pending: z.number().int(),
  updatedAt: z.string().optional(),
});

export const campaignListSchema = z.object({
  campaigns: z.array(z.object({ campaignId: z.string(), status: z.string(), startedAt: z.string().optional() })),
});

const guardedCount = z.number().int().nonnegative().nullable().describe('null for a group smaller than k');

/** Results per arm: the campaign report (schemas/campaign-report.ts) as of the request, and its summary. */
export const campaignResultsSchema = z.object({
  k: z.number().int().positive(),
  source: z.literal('report'),
  arms: z.array(
    z.object({
      arm: z.string(),
      recipients: z.number().int(),
      delivered: guardedCount,
      bounced: guardedCount,
      complained: guardedCount,
      clicked: guardedRateSchema,
      converted: guardedRateSchema,
    }),
  ),
  /** Lift against the holdout with intervals, the winner decision and why, cumulative conversions per arm. */
  report: campaignReportSchema,
});

export const campaignDetailSchema = z.object({
  definition: z.unknown().describe('the campaign definition (schemas/campaign.schema.json)'),
  progress: campaignProgressSchema,
  results: campaignResultsSchema,
});

export const campaignStartSchema = z.object({ campaignId: z.string(), executionArn: z.string(), started: z.boolean() });
export const campaignControlRequestSchema = z.object({ control: z.enum(['running', 'paused', 'cancelled']) }).strict();
export const campaignControlSchema = z.object({ campaignId: z.string(), control: z.enum(['running', 'paused', 'cancelled']) });

const metricValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const modelsSchema = z.object({
  models: z.array(
    z.object({
      name: z.string(),
      current: z.object({ version: z.string(), promotedAt: z.string(), previous: z.string().optional() }).optional(),
      versions: z.array(z.object({ version: z.string(), createdAt: z.string(), bytes: z.number(), metrics: z.record(z.string(), metricValue) })),
      /** Fairness figures the training stored in the version summary (keys naming parity/opportunity); empty when none were. */
      fairness: z.record(z.string(), metricValue),
    }),
  ),
});
export const driftSchema = z.object({
  asOf: z.string(),
  reports: z.array(z.object({ model: z.string(), version: z.string(), rows: z.number().int(), scorePsi: z.number(), band: z.string(), features: z.array(z.object({ name: z.string(), psi: z.number(), band: z.string() })) })),
});
export const modelPromoteRequestSchema = z.object({ version: z.string().min(1).max(100) }).strict();
export const modelPointerSchema = z.object({ name: z.string(), version: z.string(), promotedAt: z.string(), previous: z.string().optional() });

export const healthSchema = z.object({
  /** Where the figures came from: CloudWatch metrics (AWS) or the streams themselves (local). */
  source: z.enum(['cloudwatch', 'streams']),
  window: z.object({ from: z.string(), to: z.string() }),
  eventsPerMinute: z.array(z.object({ minute: z.string(), count: z.number().nonnegative() })),
  eventsTruncated: z.boolean(),
  failedByReason: z.array(z.object({ reason: z.string(), count: z.number().int().nonnegative() })),
  failedTruncated: z.boolean(),
  consumerLag: z.array(z.object({ consumer: z.string(), iteratorAgeMs: z.number().nullable() })),
});

export const adminErrorSchema = z.object({ success: z.literal(false), error: z.string(), message: z.string().optional(), issues: z.array(z.object({ field: z.string(), rule: z.string() })).optional() });

export type Overview = z.infer<typeof overviewSchema>;
export type GuardedRate = z.infer<typeof guardedRateSchema>;
export type ProfileDetail = z.infer<typeof profileDetailSchema>;
export type CampaignProgress = z.infer<typeof campaignProgressSchema>;
export type CampaignResults = z.infer<typeof campaignResultsSchema>;
export type Health = z.infer<typeof healthSchema>;
export type Models = z.infer<typeof modelsSchema>;
export type Drift = z.infer<typeof driftSchema>;
