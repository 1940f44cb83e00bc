/**
 * A campaign's report (schemas/campaign-report.ts) from its definition and send records:
 * per-arm counts and rates, lift of each variant and of the campaign as a whole against the
 * holdout, revenue per recipient, the winner decision, and cumulative conversions over time.
 *
 * k-anonymity (the seeds: reporting never identifies a person): an arm with fewer than `k`
 * recipients (default 10) is suppressed — its counts, rates, lifts, revenue and timeline are
 * withheld, and lifts against a suppressed holdout are withheld from every arm, because a
 * rate or a difference over three people says what those people did.
 *
 * The winner: a test campaign's stored decision (winner.ts, made once by the state machine);
 * otherwise the same sequential test computed on everyone at this look, with the previous
 * report's always-valid p-values carried forward (the running minimum), so looking daily
 * stays sound.
 */
import type { CampaignDefinition } from '../../../schemas/campaign.ts';
import { CAMPAIGN_REPORT_SCHEMA_VERSION, type ArmReport, type CampaignReport, type Lift, type WinnerReport } from '../../../schemas/campaign-report.ts';
import { combine, conversionRate, countArms, cumulativeConversions, HOLDOUT, liftAgainst, revenuePerRecipient, type ArmCounts, type MeasuredRecord } from './results.ts';
import { decideFromRecords } from './winner.ts';
import { clickThroughVsBaseline } from './click-through.ts';
import type { Interval } from './stats.ts';

export const DEFAULT_K = 10;

export interface ReportOptions {
  now: Date;
  k?: number;
  confidence?: number;
  /** When the campaign started (the minimum runtime counts from here). */
  startedAt?: string;
  /** The test phase's stored decision, when the campaign had one. */
  storedWinner?: WinnerReport;
  /** The previous report (its p-values continue the running minimum). */
  previous?: CampaignReport;
}

const finite = (i: Interval) => ({ estimate: Number.isFinite(i.estimate) ? i.estimate : 0, lower: i.lower, upper: i.upper });

function armReport(c: ArmCounts, kind: ArmReport['kind'], holdout: ArmCounts | undefined, o: { k: number; confidence: number }): ArmReport {
  const suppressed = c.recipients < o.k;
  const rate = conversionRate(c, o.confidence);
  const showLift = kind !== 'holdout' && holdout !== undefined && holdout.recipients >= o.k;
  const lift = showLift && !suppressed ? liftAgainst(c, holdout, o.confidence) : undefined;
  const liftVsHoldout: Lift | null = lift ? { absolute: finite(lift.absolute), relative: lift.relative ? finite(lift.relative) : null } : null;
  const n = (v: number) => (suppressed ? null : v);
  return {
    arm: c.arm,
    kind,
    suppressed,
    recipients: c.recipients,
    sent: n(c.sent),
    delivered: n(c.delivered),
    bounced: n(c.bounced),
    complained: n(c.complained),
    unsubscribed: n(c.unsubscribed),
    clicked: n(c.clicked),
    opened: n(c.opened),
    converted: n(c.converted),
    conversions: n(c.conversions),
    revenue: suppressed ? null : c.revenue,
    revenuePerRecipient: suppressed ? null : revenuePerRecipient(c),
    conversionRate: suppressed || !rate ? null : finite(rate),
    liftVsHoldout,
  };
}

export function buildReport(campaign: Pick<CampaignDefinition, 'id' | 'name' | 'variants' | 'goal' | 'test'>, records: readonly MeasuredRecord[], o: ReportOptions): CampaignReport {
  const k = o.k ?? DEFAULT_K;
  const confidence = o.confidence ?? 0.95;
  const variants = campaign.variants.map((v) => v.id);
  const counts = countArms(records, [...variants, HOLDOUT]);
  const holdout = counts.find((c) => c.arm === HOLDOUT);
  const variantCounts = counts.filter((c) => c.arm !== HOLDOUT);
  const opts = { k, confidence };
  const arms = counts.map((c) => armReport(c, c.arm === HOLDOUT ? 'holdout' : 'variant', holdout, opts));
  const hasHoldout = holdout !== undefined && holdout.recipients > 0;
  const overall = hasHoldout ? armReport(combine('campaign', variantCounts), 'treated', holdout, opts) : null;

  let winner: WinnerReport | null = o.storedWinner ?? null;
  if (!winner && variants.length > 1) {
    const previous = Object.fromEntries((o.previous?.winner?.comparisons ?? []).filter((c) => c.pValue !== null).map((c) => [c.id, c.pValue!]));
    winner = decideFromRecords(variants, records, {
      now: o.now,
      startedAt: new Date(o.startedAt ?? o.now.toISOString()),
      alpha: campaign.test?.alpha ?? 0.05,
      minRuntimeHours: campaign.test?.minRuntimeHours ?? 24,
      previous,
      campaignId: campaign.id,
    });
  }

  const shown = new Set(arms.filter((a) => !a.suppressed).map((a) => a.arm));
  // The comparisons carry rates: none for a suppressed arm.
  if (winner) winner = { ...winner, comparisons: winner.comparisons.map((c) => (shown.has(c.id) ? c : { ...c, rate: null, difference: null })) };
  const timeline = cumulativeConversions(records, [...variants, HOLDOUT]).filter((t) => shown.has(t.arm));
  return {
    schemaVersion: CAMPAIGN_REPORT_SCHEMA_VERSION,
    campaignId: campaign.id,
    name: campaign.name,
    generatedAt: o.now.toISOString(),
    goal: campaign.goal ? { event: campaign.goal.event, windowHours: campaign.goal.windowHours } : null,
    k,
    confidence,
    arms,
    overall,
    winner,
    timeline,
    clickThrough: clickThroughVsBaseline(records, { now: o.now }),
    records: records.length,
  };
}
