import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../../functions/domain/campaigns/report.ts';
import { countArms, cumulativeConversions, type MeasuredRecord } from '../../../../functions/domain/campaigns/results.ts';
import { differenceInterval, relativeLiftInterval, wilsonInterval } from '../../../../functions/domain/campaigns/stats.ts';
import { campaignReportSchema } from '../../../../schemas/campaign-report.ts';

const T0 = '2026-03-01T10:00:00.000Z';
const at = (h: number) => new Date(Date.parse(T0) + h * 3_600_000).toISOString();

/** n people in `arm`, the first `converted` of them converting once for `revenue` GBP each. */
function people(arm: string, n: number, converted: number, extra: Partial<MeasuredRecord> = {}, revenue = 10): MeasuredRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    personId: `${arm}-${i}`,
    status: arm === 'holdout' ? ('SKIPPED' as const) : ('SENT' as const),
    ...(arm === 'holdout' ? { reason: 'holdout' as const } : {}),
    arm,
    sentAt: T0,
    claimedAt: T0,
    ...(arm !== 'holdout' ? { deliveredAt: T0 } : {}),
    ...(i < converted ? { conversions: 1, firstConversionAt: at(i + 1), revenue: { GBP: revenue } } : {}),
    ...extra,
  }));
}

const campaign = { id: 'c1', name: 'Test', goal: { event: 'Order Completed', windowHours: 168 }, variants: [{ id: 'a' }, { id: 'b' }] as never, test: undefined };

describe('results arithmetic', () => {
  it('counts intent to treat: capped and failed people stay in their arm; unassigned skips are in no arm', () => {
    const records: MeasuredRecord[] = [
      ...people('a', 3, 1),
      { personId: 'capped', status: 'SKIPPED', reason: 'frequency_cap', arm: 'a', claimedAt: T0 },
      { personId: 'failed', status: 'FAILED', arm: 'a', claimedAt: T0 },
      { personId: 'noconsent', status: 'SKIPPED', reason: 'no_consent', claimedAt: T0 },
      { personId: 'bounced', status: 'SENT', arm: 'a', claimedAt: T0, deliveredAt: T0, bouncedAt: T0 },
    ];
    const [a] = countArms(records, ['a']);
    expect(a).toMatchObject({ recipients: 6, sent: 4, delivered: 3, bounced: 1, converted: 1, conversions: 1, revenue: { GBP: 10 } });
  });

  it('reports rates, lifts and revenue per recipient with the stats module’s intervals', () => {
    // Prepare: a 40/400, b 60/400, holdout 10/200
    const records = [...people('a', 400, 40), ...people('b', 400, 60), ...people('holdout', 200, 10)];
    // Act
    const r = buildReport(campaign, records, { now: new Date(at(200)), startedAt: T0 });
    // Assess
    const b = r.arms.find((x) => x.arm === 'b')!;
    const w = wilsonInterval({ successes: 60, trials: 400 });
    expect(b.conversionRate).toEqual({ estimate: 0.15, lower: w.lower, upper: w.upper });
    const d = differenceInterval({ successes: 60, trials: 400 }, { successes: 10, trials: 200 });
    expect(b.liftVsHoldout!.absolute.estimate).toBeCloseTo(0.1, 12);
    expect(b.liftVsHoldout!.absolute.lower).toBeCloseTo(d.lower, 12);
    const rel = relativeLiftInterval({ successes: 60, trials: 400 }, { successes: 10, trials: 200 })!;
    expect(b.liftVsHoldout!.relative).toEqual(rel);
    expect(b.liftVsHoldout!.relative!.estimate).toBeCloseTo(2, 12); // 15 % vs 5 %: +200 %
    expect(b.revenuePerRecipient).toEqual({ GBP: (60 * 10) / 400 });
    // The campaign as a whole: 100 of 800 against 10 of 200.
    expect(r.overall!.conversionRate!.estimate).toBeCloseTo(0.125, 12);
    expect(r.overall!.liftVsHoldout!.absolute.estimate).toBeCloseTo(0.075, 12);
    expect(r.arms.find((x) => x.arm === 'holdout')!.liftVsHoldout).toBeNull();
    expect(campaignReportSchema.parse(r)).toEqual(r);
  });

  it('decides the winner with the sequential test and says why', () => {
    const records = [...people('a', 2000, 100), ...people('b', 2000, 200), ...people('holdout', 200, 10)];
    const r = buildReport(campaign, records, { now: new Date(at(48)), startedAt: T0 });
    expect(r.winner).toMatchObject({ outcome: 'winner', winner: 'b', chosen: 'b', reason: 'significant' });
    expect(r.winner!.explanation).toMatch(/^b beats a: always-valid p = .* ≤ 0\.05/);
    const early = buildReport(campaign, records, { now: new Date(at(2)), startedAt: T0 });
    expect(early.winner).toMatchObject({ outcome: 'none', chosen: 'a', reason: 'min_runtime' });
  });

  it('carries the previous look’s always-valid p-value forward (the running minimum)', () => {
    const records = [...people('a', 500, 25), ...people('b', 500, 26)];
    const prev = buildReport(campaign, records, { now: new Date(at(48)), startedAt: T0 });
    const forged = { ...prev, winner: { ...prev.winner!, comparisons: prev.winner!.comparisons.map((c) => (c.id === 'b' ? { ...c, pValue: 0.001 } : c)) } };
    const next = buildReport(campaign, records, { now: new Date(at(72)), startedAt: T0, previous: forged });
    expect(next.winner!.comparisons.find((c) => c.id === 'b')!.pValue).toBe(0.001);
    expect(next.winner!.winner).toBe('b');
  });

  it('never shows a group smaller than k as a rate, nor a lift against a holdout smaller than k', () => {
    const records = [...people('a', 9, 3), ...people('b', 50, 5), ...people('holdout', 9, 1)];
    const r = buildReport(campaign, records, { now: new Date(at(48)), startedAt: T0 });
    const a = r.arms.find((x) => x.arm === 'a')!;
    expect(a).toMatchObject({ suppressed: true, recipients: 9, converted: null, conversionRate: null, revenuePerRecipient: null, liftVsHoldout: null });
    const b = r.arms.find((x) => x.arm === 'b')!;
    expect(b.suppressed).toBe(false);
    expect(b.conversionRate).not.toBeNull();
    expect(b.liftVsHoldout).toBeNull(); // the holdout has 9
    expect(r.timeline.map((t) => t.arm)).toEqual(['b']);
    expect(r.winner!.comparisons.find((c) => c.id === 'a')).toMatchObject({ rate: null, difference: null });
    // k is configurable: with k = 5 everything shows.
    const k5 = buildReport(campaign, records, { now: new Date(at(48)), startedAt: T0, k: 5 });
    expect(k5.arms.every((x) => !x.suppressed)).toBe(true);
    expect(k5.arms.find((x) => x.arm === 'b')!.liftVsHoldout).not.toBeNull();
  });

  it('draws cumulative conversions per arm, ending at the total', () => {
    const t = cumulativeConversions(people('a', 500, 130), ['a', 'b'], 20);
    const a = t.find((x) => x.arm === 'a')!;
    expect(a.points.length).toBeLessThanOrEqual(21);
    expect(a.points.at(-1)!.converted).toBe(130);
    expect(a.points.map((p) => p.converted)).toEqual([...a.points.map((p) => p.converted)].sort((x, y) => x - y));
    expect(t.find((x) => x.arm === 'b')!.points).toEqual([]);
  });
});
