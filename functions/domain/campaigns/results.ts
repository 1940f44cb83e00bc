/**
 * Campaign results arithmetic: per-arm counts from the send records, and lift against the
 * holdout with intervals (stats.ts). Pure; report.ts assembles the report from it.
 *
 * Definitions (intent to treat throughout):
 * - recipients: people assigned to the arm — every record with that arm: sent, failed,
 *   unknown (a crash between claim and answer), capped out after their arm was drawn, and for
 *   the holdout its recorded people. Excluding failed or capped people from a variant but not
 *   their twins from the holdout would bias the comparison.
 * - delivered: a delivery event and no bounce (SES sends one or the other; locally a delivery
 *   is recorded per accepted mail and a bounce may be injected after it).
 * - converted: people with at least one credited goal event; conversions: the events;
 *   revenue: their sum per currency (never added across currencies).
 * - conversion rate: converted / recipients with a Wilson interval; lift: difference of
 *   rates (normal interval) and ratio − 1 (delta-method interval on the log ratio).
 */
import { differenceInterval, relativeLiftInterval, wilsonInterval, type Interval, type Proportion } from './stats.ts';
import type { SendRecord } from './ports.ts';

/** What results read from a send record (the adapter's tracked record is a superset). */
export interface MeasuredRecord extends Pick<SendRecord, 'personId' | 'status' | 'arm' | 'reason' | 'sentAt' | 'claimedAt'> {
  deliveredAt?: string;
  bouncedAt?: string;
  complainedAt?: string;
  unsubscribedAt?: string;
  firstOpenAt?: string;
  firstClickAt?: string;
  conversions?: number;
  firstConversionAt?: string;
  revenue?: Record<string, number>;
}

export interface ArmCounts {
  arm: string;
  recipients: number;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  unsubscribed: number;
  clicked: number;
  opened: number;
  converted: number;
  conversions: number;
  revenue: Record<string, number>;
}

export const HOLDOUT = 'holdout';

export const emptyCounts = (arm: string): ArmCounts => ({ arm, recipients: 0, sent: 0, delivered: 0, bounced: 0, complained: 0, unsubscribed: 0, clicked: 0, opened: 0, converted: 0, conversions: 0, revenue: {} });

export function addRecord(c: ArmCounts, r: MeasuredRecord): void {
  c.recipients += 1;
  if (r.status === 'SENT') c.sent += 1;
  if (r.deliveredAt && !r.bouncedAt) c.delivered += 1;
  if (r.bouncedAt) c.bounced += 1;
  if (r.complainedAt) c.complained += 1;
  if (r.unsubscribedAt) c.unsubscribed += 1;
  if (r.firstClickAt) c.clicked += 1;
  if (r.firstOpenAt) c.opened += 1;
  if ((r.conversions ?? 0) > 0) {
    c.converted += 1;
    c.conversions += r.conversions!;
  }
  for (const [cur, v] of Object.entries(r.revenue ?? {})) c.revenue[cur] = (c.revenue[cur] ?? 0) + v;
}

/** Counts per arm, in the order given (variants, then the holdout), arms with no one included. */
export function countArms(records: Iterable<MeasuredRecord>, arms: readonly string[]): ArmCounts[] {
  const by = new Map(arms.map((a) => [a, emptyCounts(a)]));
  for (const r of records) {
    if (r.arm === undefined) continue; // decided before any arm (no consent, suppressed, …): in no comparison
    let c = by.get(r.arm);
    if (!c) by.set(r.arm, (c = emptyCounts(r.arm)));
    addRecord(c, r);
  }
  return [...by.values()];
}

/** Every variant together: the campaign as a whole against the holdout. */
export function combine(arm: string, parts: readonly ArmCounts[]): ArmCounts {
  const out = emptyCounts(arm);
  for (const p of parts) {
    for (const k of ['recipients', 'sent', 'delivered', 'bounced', 'complained', 'unsubscribed', 'clicked', 'opened', 'converted', 'conversions'] as const) out[k] += p[k];
    for (const [cur, v] of Object.entries(p.revenue)) out.revenue[cur] = (out.revenue[cur] ?? 0) + v;
  }
  return out;
}

export const conversion = (c: ArmCounts): Proportion => ({ successes: c.converted, trials: c.recipients });

export function conversionRate(c: ArmCounts, confidence: number): Interval | undefined {
  return c.recipients > 0 ? wilsonInterval(conversion(c), confidence) : undefined;
}

export interface LiftResult {
  absolute: Interval;
  relative?: Interval;
}

/** Lift of `treated` against `control`; undefined when either has no recipients. */
export function liftAgainst(treated: ArmCounts, control: ArmCounts, confidence: number): LiftResult | undefined {
  if (treated.recipients === 0 || control.recipients === 0) return undefined;
  const d = differenceInterval(conversion(treated), conversion(control), confidence);
  const relative = relativeLiftInterval(conversion(treated), conversion(control), confidence);
  return { absolute: { estimate: d.estimate, lower: d.lower, upper: d.upper }, ...(relative ? { relative } : {}) };
}

export function revenuePerRecipient(c: ArmCounts): Record<string, number> {
  return Object.fromEntries(Object.entries(c.revenue).map(([cur, v]) => [cur, c.recipients > 0 ? v / c.recipients : 0]));
}

/**
 * Cumulative converted people per arm by the time of their first credited conversion, at
 * most `maxPoints` points per arm (evenly spaced ranks; the last point is always the total).
 */
export function cumulativeConversions(records: Iterable<MeasuredRecord>, arms: readonly string[], maxPoints = 60): { arm: string; points: { at: string; converted: number }[] }[] {
  const times = new Map(arms.map((a) => [a, [] as string[]]));
  for (const r of records) if (r.arm !== undefined && r.firstConversionAt && (r.conversions ?? 0) > 0) (times.get(r.arm) ?? times.set(r.arm, []).get(r.arm)!).push(r.firstConversionAt);
  return [...times].map(([arm, ts]) => {
    ts.sort();
    const step = Math.max(1, Math.ceil(ts.length / maxPoints));
    const points = ts.flatMap((at, i) => ((i + 1) % step === 0 || i === ts.length - 1 ? [{ at, converted: i + 1 }] : []));
    return { arm, points };
  });
}
