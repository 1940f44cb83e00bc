import { describe, expect, it } from 'vitest';
import { phaseOf } from '../../../../functions/domain/campaigns/arms.ts';
import { decideFromRecords, decideTestPhase, type WinnerStore } from '../../../../functions/domain/campaigns/winner.ts';
import { mixtureSprt } from '../../../../functions/domain/campaigns/stats.ts';
import type { MeasuredRecord } from '../../../../functions/domain/campaigns/results.ts';
import type { WinnerReport } from '../../../../schemas/campaign-report.ts';

const T0 = new Date('2026-03-01T10:00:00.000Z');
const later = new Date(T0.getTime() + 48 * 3_600_000);
const rec = (arm: string, i: number, converted: boolean): MeasuredRecord => ({ personId: `${arm}-${i}`, status: 'SENT', arm, claimedAt: T0.toISOString(), sentAt: T0.toISOString(), ...(converted ? { conversions: 1, firstConversionAt: later.toISOString() } : {}) });
const arm = (id: string, n: number, k: number) => Array.from({ length: n }, (_, i) => rec(id, i, i < k));

class MemoryWinners implements WinnerStore {
  stored?: WinnerReport;
  async getWinner() {
    return this.stored;
  }
  async saveWinner(_: string, d: WinnerReport) {
    this.stored ??= d;
    return this.stored;
  }
}

describe('decideFromRecords', () => {
  it('agrees with an independent computation of the mSPRT p-value', () => {
    const records = [...arm('a', 1000, 50), ...arm('b', 1000, 80)];
    const d = decideFromRecords(['a', 'b'], records, { now: later, startedAt: T0, alpha: 0.05, minRuntimeHours: 24, campaignId: 'c' });
    // Independent: V = Σ p(1−p)/n, Λ = √(V/(V+τ²)) exp(τ²Δ²/(2V(V+τ²))), p = 1/Λ.
    const v = (0.08 * 0.92) / 1000 + (0.05 * 0.95) / 1000;
    const t2 = 0.01 ** 2;
    const lambda = Math.sqrt(v / (v + t2)) * Math.exp((t2 * 0.03 ** 2) / (2 * v * (v + t2)));
    expect(d.comparisons[1].pValue).toBeCloseTo(Math.min(1, 1 / lambda), 10);
    expect(mixtureSprt({ successes: 80, trials: 1000 }, { successes: 50, trials: 1000 }, 0.01).pValue).toBeCloseTo(1 / lambda, 10);
  });

  it('keeps the default when no challenger is significant, and applies Bonferroni across challengers', () => {
    const flat = decideFromRecords(['a', 'b', 'c'], [...arm('a', 800, 40), ...arm('b', 800, 44), ...arm('c', 800, 41)], { now: later, startedAt: T0, alpha: 0.05, minRuntimeHours: 0, campaignId: 'c' });
    expect(flat).toMatchObject({ outcome: 'none', chosen: 'a', reason: 'not_significant' });
    expect(flat.comparisons[1].threshold).toBe(0.025);
    expect(flat.explanation).toMatch(/the default a stays/);
  });

  it('counts only the test phase’s people when the campaign tests on a share', () => {
    const records = [...arm('a', 400, 40), ...arm('b', 400, 400)];
    const d = decideFromRecords(['a', 'b'], records, { now: later, startedAt: T0, alpha: 0.05, minRuntimeHours: 0, campaignId: 'c1', testPercent: 30 });
    const inTest = records.filter((r) => phaseOf('c1', r.personId, 30) === 'test' && r.arm === 'b').length;
    expect(inTest).toBeGreaterThan(60);
    expect(inTest).toBeLessThan(180);
    expect(d.comparisons[1].rate).toBe(1);
    expect(d.winner).toBe('b');
  });
});

describe('decideTestPhase', () => {
  it('decides once: a retried Decide reads the first decision back', async () => {
    const winners = new MemoryWinners();
    let records = [...arm('a', 1000, 30), ...arm('b', 1000, 90)];
    const deps = { records: { allRecords: async () => records }, winners, now: () => later };
    const campaign = { id: 'c1', variants: [{ id: 'a' }, { id: 'b' }] as never, test: { percent: 100 - 1e-9, minRuntimeHours: 0, alpha: 0.05 } };
    const first = await decideTestPhase(campaign, T0.toISOString(), deps);
    expect(first.winner).toBe('b');
    records = [...arm('a', 1000, 90), ...arm('b', 1000, 30)];
    expect((await decideTestPhase(campaign, T0.toISOString(), deps)).winner).toBe('b');
  });
});
