/**
 * The campaign alert "click-through below 80 % of the campaign's own baseline", computed
 * exactly from the send records (CloudWatch metric math has no time shift, so an alarm alone
 * could only approximate it).
 *
 * - Cohorts by send time. The recent cohort is the mails sent in the last complete day that
 *   has had its full click window: sent in (now − window − day, now − window]. The baseline is
 *   every mail the campaign sent before that. A mail counts when it was delivered (and did not
 *   bounce); a click counts only within `clickWindowHours` of its send, for both cohorts, so
 *   the two rates are measured alike (the baseline's late clicks would otherwise flatter it).
 * - Decided only with at least `minDeliveries` delivered mails on each side (default 100: a
 *   rate of a few dozen mails moves by whole points by chance); otherwise `not_enough_data`.
 * - `below` when recent / baseline < `threshold` (0.8). A baseline without clicks gives no
 *   ratio. Opens are not used (Apple Mail Privacy Protection opens every mail).
 * The Summarize state publishes `below` as a metric with an alarm on it (lib/constructs/operations.ts);
 * the report, the CLI and the dashboard show the figures.
 */
import type { ClickThroughCheck } from '../../../schemas/campaign-report.ts';
import type { MeasuredRecord } from './results.ts';

export interface ClickThroughOptions {
  now: Date;
  /** Hours a mail is given to be clicked before its cohort is judged. @default 24 */
  clickWindowHours?: number;
  /** Hours of sends in the recent cohort. @default 24 */
  cohortHours?: number;
  /** @default 0.8 */
  threshold?: number;
  /** @default 100 */
  minDeliveries?: number;
}

const HOUR = 3_600_000;

export function clickThroughVsBaseline(records: readonly MeasuredRecord[], o: ClickThroughOptions): ClickThroughCheck {
  const windowMs = (o.clickWindowHours ?? 24) * HOUR;
  const cohortMs = (o.cohortHours ?? 24) * HOUR;
  const threshold = o.threshold ?? 0.8;
  const minDeliveries = o.minDeliveries ?? 100;
  const recentEnd = o.now.getTime() - windowMs;
  const recentStart = recentEnd - cohortMs;
  const recent = { delivered: 0, clicked: 0 };
  const baseline = { delivered: 0, clicked: 0 };
  for (const r of records) {
    if (r.status !== 'SENT' || !r.sentAt || !r.deliveredAt || r.bouncedAt) continue;
    const sent = Date.parse(r.sentAt);
    if (!(sent <= recentEnd)) continue; // still inside its click window (or unreadable)
    const cohort = sent > recentStart ? recent : baseline;
    cohort.delivered += 1;
    if (r.firstClickAt && Date.parse(r.firstClickAt) - sent <= windowMs) cohort.clicked += 1;
  }
  const rate = (c: { delivered: number; clicked: number }) => (c.delivered > 0 ? c.clicked / c.delivered : null);
  const base = { recent: { ...recent, rate: rate(recent) }, baseline: { ...baseline, rate: rate(baseline) }, threshold, clickWindowHours: windowMs / HOUR, recentFrom: new Date(recentStart).toISOString(), recentTo: new Date(recentEnd).toISOString() };
  if (recent.delivered < minDeliveries || baseline.delivered < minDeliveries) {
    return { ...base, ratio: null, below: false, reason: 'not_enough_data', explanation: `needs ${minDeliveries} delivered mails in each cohort (recent ${recent.delivered}, baseline ${baseline.delivered})` };
  }
  if (baseline.clicked === 0) return { ...base, ratio: null, below: false, reason: 'no_baseline_clicks', explanation: 'the baseline has no clicks: nothing to fall below' };
  const ratio = rate(recent)! / rate(baseline)!;
  const below = ratio < threshold;
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  return {
    ...base,
    ratio,
    below,
    reason: below ? 'below_baseline' : 'at_or_above',
    explanation: `click-through of the mails sent ${base.recentFrom.slice(0, 16)}–${base.recentTo.slice(0, 16)} is ${pct(rate(recent)!)}, ${(ratio * 100).toFixed(0)} % of the campaign's baseline ${pct(rate(baseline)!)} (alert below ${(threshold * 100).toFixed(0)} %)`,
  };
}
