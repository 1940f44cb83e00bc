/**
 * The campaign alert (functions/domain/campaigns/click-through.ts): the latest judged day of
 * sends against the campaign's own earlier sends, clicks counted within 24 h of each send.
 */
import { describe, expect, it } from 'vitest';
import { clickThroughVsBaseline } from '../../../../functions/domain/campaigns/click-through.ts';
import type { MeasuredRecord } from '../../../../functions/domain/campaigns/results.ts';

const now = new Date('2026-12-10T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();

/** `n` delivered mails sent `sentHoursAgo`, the first `clicks` clicked `clickAfterHours` after their send. */
function cohort(prefix: string, n: number, sentHoursAgo: number, clicks: number, clickAfterHours = 2): MeasuredRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    personId: `${prefix}${i}`,
    status: 'SENT' as const,
    arm: 'a',
    claimedAt: hoursAgo(sentHoursAgo),
    sentAt: hoursAgo(sentHoursAgo),
    deliveredAt: hoursAgo(sentHoursAgo - 0.01),
    ...(i < clicks ? { firstClickAt: hoursAgo(sentHoursAgo - clickAfterHours) } : {}),
  }));
}

describe('clickThroughVsBaseline', () => {
  it('alerts when the latest judged day clicks below 80 % of the earlier sends', () => {
    // Prepare: baseline 20 % (sent 3 days ago), the day sent 24–48 h ago 15 % (75 % of it), today's mails not judged yet.
    const records = [...cohort('b', 200, 72, 40), ...cohort('r', 200, 30, 30), ...cohort('t', 200, 5, 0)];
    // Act
    const c = clickThroughVsBaseline(records, { now });
    // Assess
    expect(c).toMatchObject({ recent: { delivered: 200, clicked: 30 }, baseline: { delivered: 200, clicked: 40 }, below: true, reason: 'below_baseline' });
    expect(c.ratio).toBeCloseTo(0.75);
    expect(c.explanation).toContain('75 % of the campaign');
  });

  it('does not alert at 85 % of the baseline, and counts only clicks within 24 h of each send for both cohorts', () => {
    // Prepare: the baseline's 40 late clicks (30 h after send) do not count, so both sit at 17 % and 20 %… of the same window.
    const records = [...cohort('b', 200, 96, 80, 30).map((r, i) => (i < 40 ? { ...r, firstClickAt: hoursAgo(96 - 2) } : r)), ...cohort('r', 200, 30, 34)];
    // Act
    const c = clickThroughVsBaseline(records, { now });
    // Assess: baseline 40 / 200 counted (20 %), recent 34 / 200 (17 %) = 85 %
    expect(c.baseline.clicked).toBe(40);
    expect(c.ratio).toBeCloseTo(0.85);
    expect(c.below).toBe(false);
    expect(c.reason).toBe('at_or_above');
  });

  it('decides nothing on small cohorts, bounces, unsent or undelivered mail, or a baseline without clicks', () => {
    // Prepare
    const small = [...cohort('b', 99, 72, 40), ...cohort('r', 200, 30, 0)];
    const bounced = [...cohort('b', 200, 72, 40).map((r) => ({ ...r, bouncedAt: r.deliveredAt })), ...cohort('r', 200, 30, 0)];
    const skipped = [...cohort('b', 200, 72, 40).map((r) => ({ ...r, status: 'SKIPPED' as const })), ...cohort('r', 200, 30, 0)];
    const silent = [...cohort('b', 200, 72, 0), ...cohort('r', 200, 30, 0)];
    // Act + Assess
    for (const records of [small, bounced, skipped]) expect(clickThroughVsBaseline(records, { now })).toMatchObject({ ratio: null, below: false, reason: 'not_enough_data' });
    expect(clickThroughVsBaseline(silent, { now })).toMatchObject({ ratio: null, below: false, reason: 'no_baseline_clicks' });
  });
});
