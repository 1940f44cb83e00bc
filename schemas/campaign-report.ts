/**
 * A campaign's results report (functions/domain/campaigns/report.ts builds it): stored on the
 * campaigns table (`C#<id>` / `REPORT`), written as JSON for the dashboard, served by the
 * admin API, printed by `sightline campaign report <id> [--json]`.
 *
 * - Per arm (each variant, the holdout): counts, the conversion rate with a Wilson interval,
 *   revenue per currency and per recipient, lift against the holdout (absolute: difference
 *   of rates with its normal interval; relative: ratio − 1 with a delta-method interval).
 * - `overall`: every variant person together against the holdout (the campaign's own lift).
 * - k-anonymity: an arm with fewer than `k` recipients is `suppressed` — its rates, lifts,
 *   revenue per recipient and timeline are null, never shown; its counts are kept only as
 *   "fewer than k" (null) too, since a count of 2 converters among 3 people is a rate.
 * - `winner`: the decision of the always-valid sequential test (stats.ts decideWinner) and
 *   the reason in words.
 * Additive changes only within schemaVersion 1.
 */
import { z } from 'zod';

export const CAMPAIGN_REPORT_SCHEMA_VERSION = 1;

export const intervalSchema = z.object({ estimate: z.number(), lower: z.number(), upper: z.number() });
export type ReportInterval = z.infer<typeof intervalSchema>;

export const liftSchema = z.object({
  /** Rate(arm) − rate(holdout), in rate units (0.01 = one point). */
  absolute: intervalSchema,
  /** Rate(arm) / rate(holdout) − 1; null when either side has no conversions. */
  relative: intervalSchema.nullable(),
});
export type Lift = z.infer<typeof liftSchema>;

const count = z.number().int().nonnegative().nullable();

export const armReportSchema = z.object({
  arm: z.string(),
  kind: z.enum(['variant', 'holdout', 'treated']),
  /** Fewer than k recipients: nothing below is shown (null). */
  suppressed: z.boolean(),
  /** Assigned to the arm (intent to treat): sent, failed, unknown, capped; the holdout's recorded people. */
  recipients: z.number().int().nonnegative(),
  sent: count,
  delivered: count,
  bounced: count,
  complained: count,
  unsubscribed: count,
  clicked: count,
  /** Reported, never used to decide (Apple Mail Privacy Protection opens every mail). */
  opened: count,
  /** People with at least one credited goal event. */
  converted: count,
  /** Goal events credited (a person may buy twice). */
  conversions: count,
  revenue: z.record(z.string(), z.number()).nullable(),
  revenuePerRecipient: z.record(z.string(), z.number()).nullable(),
  conversionRate: intervalSchema.nullable(),
  liftVsHoldout: liftSchema.nullable(),
});
export type ArmReport = z.infer<typeof armReportSchema>;

export const winnerReportSchema = z.object({
  outcome: z.enum(['winner', 'none']),
  /** The variant sent (or to send) to the rest: the winner, or the default kept. */
  chosen: z.string(),
  winner: z.string().nullable(),
  reason: z.enum(['significant', 'min_runtime', 'no_challengers', 'no_data', 'not_significant', 'default_better']),
  /** The reason in plain words. */
  explanation: z.string(),
  alpha: z.number(),
  tau: z.number(),
  minRuntimeHours: z.number(),
  comparisons: z.array(
    z.object({
      id: z.string(),
      rate: z.number().nullable(),
      difference: z.number().nullable(),
      pValue: z.number().nullable(),
      threshold: z.number().nullable(),
      significant: z.boolean(),
    }),
  ),
  decidedAt: z.string(),
});
export type WinnerReport = z.infer<typeof winnerReportSchema>;

export const timelineSchema = z.array(
  z.object({
    arm: z.string(),
    /** Cumulative converted people by the time of their first credited conversion. */
    points: z.array(z.object({ at: z.string(), converted: z.number().int().nonnegative() })),
  }),
);

const cohortSchema = z.object({ delivered: z.number().int().nonnegative(), clicked: z.number().int().nonnegative(), rate: z.number().nullable() });

/** The campaign alert: click-through of the latest judged day of sends against the campaign's own earlier sends (functions/domain/campaigns/click-through.ts). */
export const clickThroughCheckSchema = z.object({
  recent: cohortSchema,
  baseline: cohortSchema,
  /** recent rate / baseline rate; null when not decided. */
  ratio: z.number().nullable(),
  threshold: z.number(),
  below: z.boolean(),
  reason: z.enum(['not_enough_data', 'no_baseline_clicks', 'below_baseline', 'at_or_above']),
  explanation: z.string(),
  clickWindowHours: z.number(),
  recentFrom: z.string(),
  recentTo: z.string(),
});
export type ClickThroughCheck = z.infer<typeof clickThroughCheckSchema>;

export const campaignReportSchema = z.object({
  schemaVersion: z.literal(CAMPAIGN_REPORT_SCHEMA_VERSION),
  campaignId: z.string(),
  name: z.string().optional(),
  generatedAt: z.string(),
  goal: z.object({ event: z.string(), windowHours: z.number() }).nullable(),
  /** Smallest group shown as a rate. */
  k: z.number().int().positive(),
  confidence: z.number(),
  arms: z.array(armReportSchema),
  /** Every variant person together (the campaign as a whole) against the holdout. */
  overall: armReportSchema.nullable(),
  winner: winnerReportSchema.nullable(),
  timeline: timelineSchema,
  /** Click-through against the campaign's own baseline (additive in v1: absent in older reports). */
  clickThrough: clickThroughCheckSchema.optional(),
  /** Records read: everyone the campaign decided (skipped ones included). */
  records: z.number().int().nonnegative(),
});
export type CampaignReport = z.infer<typeof campaignReportSchema>;
