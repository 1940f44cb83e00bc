import { describe, expect, it } from 'vitest';
import {
  decideWinner,
  differenceInterval,
  mixtureSprt,
  normalCdf,
  normalQuantile,
  relativeLiftInterval,
  wilsonInterval,
} from '../../../../functions/domain/campaigns/stats.ts';

/** Seeded PRNG for the simulations (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const binomial = (r: () => number, n: number, p: number) => {
  let k = 0;
  for (let i = 0; i < n; i++) if (r() < p) k++;
  return k;
};

describe('normal distribution', () => {
  it('matches published quantiles and CDF values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 7);
    expect(normalQuantile(0.9999)).toBeCloseTo(3.719016485455709, 7);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316301, 7);
  });

  it('is the inverse of the CDF across the range', () => {
    for (const p of [1e-6, 0.01, 0.02425, 0.1, 0.3, 0.7, 0.97575, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });

  it('refuses probabilities outside [0, 1]', () => {
    expect(() => normalQuantile(1.5)).toThrow(RangeError);
    expect(normalQuantile(0)).toBe(-Infinity);
  });
});

describe('wilsonInterval', () => {
  it('agrees with an independent root-finding of |p̂ − p| = z·√(p(1−p)/n)', () => {
    // Prepare
    const z = 1.959963984540054;
    const solve = (k: number, n: number, side: -1 | 1) => {
      const phat = k / n;
      let lo = side < 0 ? 0 : phat;
      let hi = side < 0 ? phat : 1;
      const f = (p: number) => Math.abs(phat - p) - z * Math.sqrt((p * (1 - p)) / n);
      // f > 0 far from p̂, < 0 at p̂: bisect for the crossing
      for (let i = 0; i < 200; i++) {
        const mid = (lo + hi) / 2;
        const outside = f(mid) > 0;
        if (side < 0) (outside ? (lo = mid) : (hi = mid));
        else outside ? (hi = mid) : (lo = mid);
      }
      return (lo + hi) / 2;
    };

    for (const [k, n] of [[81, 263], [1, 50], [499, 1000], [3, 7]]) {
      // Act
      const w = wilsonInterval({ successes: k, trials: n });

      // Assess
      expect(w.estimate).toBeCloseTo(k / n, 12);
      expect(w.lower).toBeCloseTo(solve(k, n, -1), 8);
      expect(w.upper).toBeCloseTo(solve(k, n, 1), 8);
    }
  });

  it('has the closed form z²/(n+z²) as upper bound for 0 successes, and stays in [0, 1]', () => {
    const w = wilsonInterval({ successes: 0, trials: 10 });
    expect(w.lower).toBe(0);
    expect(w.upper).toBeCloseTo(3.841458820694124 / 13.841458820694124, 8);
    const all = wilsonInterval({ successes: 10, trials: 10 });
    expect(all.upper).toBe(1);
  });

  it('is wider at 99 % than at 95 %, and [0, 1] without trials', () => {
    const a = wilsonInterval({ successes: 30, trials: 200 }, 0.95);
    const b = wilsonInterval({ successes: 30, trials: 200 }, 0.99);
    expect(b.upper - b.lower).toBeGreaterThan(a.upper - a.lower);
    expect(wilsonInterval({ successes: 0, trials: 0 })).toEqual({ estimate: Number.NaN, lower: 0, upper: 1 });
  });

  it('refuses impossible counts and confidences', () => {
    expect(() => wilsonInterval({ successes: 5, trials: 3 })).toThrow(RangeError);
    expect(() => wilsonInterval({ successes: -1, trials: 3 })).toThrow(RangeError);
    expect(() => wilsonInterval({ successes: 1.5, trials: 3 })).toThrow(RangeError);
    expect(() => wilsonInterval({ successes: 1, trials: 3 }, 1)).toThrow(RangeError);
  });
});

describe('differenceInterval and relativeLiftInterval', () => {
  it("matches Newcombe's (1998) worked example of the hybrid score interval", () => {
    // Prepare: Newcombe, Statistics in Medicine 17:873-890, table II, example (a): 56/70 vs 48/80,
    // method 10 gives 0.0524 to 0.3339 (the Wald interval would be 0.0575 to 0.3425).

    // Act
    const d = differenceInterval({ successes: 56, trials: 70 }, { successes: 48, trials: 80 });

    // Assess
    expect(d.estimate).toBeCloseTo(0.2, 12);
    expect(d.lower).toBeCloseTo(0.0524, 4);
    expect(d.upper).toBeCloseTo(0.3339, 4);
    expect(d.standardError).toBeCloseTo(Math.sqrt((0.8 * 0.2) / 70 + (0.6 * 0.4) / 80), 12);
  });

  it('stays inside [-1, 1] and is close to Wald at large counts', () => {
    // Prepare
    const se = Math.sqrt((0.06 * 0.94) / 100_000 + (0.04 * 0.96) / 100_000);

    // Act
    const big = differenceInterval({ successes: 6000, trials: 100_000 }, { successes: 4000, trials: 100_000 });
    const edge = differenceInterval({ successes: 10, trials: 10 }, { successes: 0, trials: 10 });

    // Assess
    expect(big.lower).toBeCloseTo(0.02 - 1.959963984540054 * se, 4);
    expect(big.upper).toBeCloseTo(0.02 + 1.959963984540054 * se, 4);
    expect(edge.upper).toBeLessThanOrEqual(1);
    expect(edge.lower).toBeGreaterThan(0);
  });

  it('computes relative lift on the log scale', () => {
    // Prepare
    const se = Math.sqrt((1 - 0.06) / 60 + (1 - 0.04) / 40);

    // Act
    const r = relativeLiftInterval({ successes: 60, trials: 1000 }, { successes: 40, trials: 1000 })!;

    // Assess
    expect(r.estimate).toBeCloseTo(0.5, 12);
    expect(r.lower).toBeCloseTo(1.5 * Math.exp(-1.959963984540054 * se) - 1, 8);
    expect(r.upper).toBeCloseTo(1.5 * Math.exp(1.959963984540054 * se) - 1, 8);
    expect(r.upper - r.estimate).toBeGreaterThan(r.estimate - r.lower);
  });

  it('has no relative lift without conversions, and a wide difference without trials', () => {
    expect(relativeLiftInterval({ successes: 0, trials: 100 }, { successes: 3, trials: 100 })).toBeUndefined();
    expect(differenceInterval({ successes: 0, trials: 0 }, { successes: 3, trials: 100 })).toMatchObject({ lower: -1, upper: 1 });
  });

  it('covers a planted difference about 95 % of the time', () => {
    // Prepare
    const r = rng(11);
    let covered = 0;
    const runs = 400;

    // Act
    for (let i = 0; i < runs; i++) {
      const d = differenceInterval({ successes: binomial(r, 2000, 0.06), trials: 2000 }, { successes: binomial(r, 2000, 0.05), trials: 2000 });
      if (d.lower <= 0.01 && 0.01 <= d.upper) covered++;
    }

    // Assess: 95 % ± 3 standard errors of 400 runs
    expect(covered / runs).toBeGreaterThan(0.95 - 3 * Math.sqrt((0.95 * 0.05) / runs));
  });
});

describe('mixtureSprt', () => {
  /** Λ by numerical integration of the likelihood ratio over the N(0, τ²) prior: independent of the closed form. */
  function lambdaByIntegration(d: number, v: number, tau: number): number {
    const phi = (x: number, mean: number, variance: number) => Math.exp(-((x - mean) ** 2) / (2 * variance)) / Math.sqrt(2 * Math.PI * variance);
    const span = 12 * Math.max(tau, Math.sqrt(v), Math.abs(d));
    const steps = 40_000;
    const h = (2 * span) / steps;
    let sum = 0;
    for (let i = 0; i <= steps; i++) {
      const theta = -span + i * h;
      const w = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
      sum += w * (phi(d, theta, v) / phi(d, 0, v)) * phi(theta, 0, tau * tau);
    }
    return (sum * h) / 3;
  }

  it.each([
    [{ successes: 60, trials: 1000 }, { successes: 40, trials: 1000 }, 0.01],
    [{ successes: 530, trials: 10_000 }, { successes: 500, trials: 10_000 }, 0.005],
    [{ successes: 12, trials: 300 }, { successes: 15, trials: 280 }, 0.02],
  ])('matches numerical integration for %j vs %j, τ=%f', (t, c, tau) => {
    // Prepare
    const pt = t.successes / t.trials;
    const pc = c.successes / c.trials;
    const v = (pt * (1 - pt)) / t.trials + (pc * (1 - pc)) / c.trials;

    // Act
    const m = mixtureSprt(t, c, tau);

    // Assess
    expect(m.variance).toBeCloseTo(v, 15);
    expect(m.lambda / lambdaByIntegration(pt - pc, v, tau)).toBeCloseTo(1, 6);
    expect(m.pValue).toBeCloseTo(Math.min(1, 1 / m.lambda), 12);
  });

  it('stays finite on the log scale for huge samples', () => {
    const m = mixtureSprt({ successes: 600_000, trials: 10_000_000 }, { successes: 500_000, trials: 10_000_000 }, 0.01);
    expect(m.logLambda).toBeGreaterThan(1000);
    expect(m.pValue).toBe(0);
  });

  it('gives p = 1 with no variance or no trials, and refuses τ ≤ 0', () => {
    expect(mixtureSprt({ successes: 0, trials: 100 }, { successes: 0, trials: 100 }, 0.01).pValue).toBe(1);
    expect(mixtureSprt({ successes: 0, trials: 0 }, { successes: 0, trials: 100 }, 0.01).pValue).toBe(1);
    expect(() => mixtureSprt({ successes: 1, trials: 2 }, { successes: 1, trials: 2 }, 0)).toThrow(RangeError);
  });

  it('keeps false winners under α when peeked daily for 30 days, unlike a daily z-test', () => {
    // Prepare: A/A, 5 % conversion, 300 people per arm per day
    const r = rng(2024);
    const runs = 300;
    let sprtFalse = 0;
    let zFalse = 0;

    // Act
    for (let run = 0; run < runs; run++) {
      let ta = 0, ca = 0, tb = 0, cb = 0, p = 1, zHit = false;
      for (let day = 0; day < 30; day++) {
        ta += 300; tb += 300;
        ca += binomial(r, 300, 0.05); cb += binomial(r, 300, 0.05);
        p = Math.min(p, mixtureSprt({ successes: ca, trials: ta }, { successes: cb, trials: tb }, 0.01).pValue);
        const d = differenceInterval({ successes: ca, trials: ta }, { successes: cb, trials: tb });
        if (Math.abs(d.estimate / d.standardError) > 1.959963984540054) zHit = true;
      }
      if (p <= 0.05) sprtFalse++;
      if (zHit) zFalse++;
    }

    // Assess
    expect(sprtFalse / runs).toBeLessThanOrEqual(0.05);
    expect(zFalse / runs).toBeGreaterThan(0.1);
  });
});

describe('decideWinner', () => {
  const startedAt = new Date('2025-07-01T00:00:00Z');
  const later = new Date('2025-07-04T00:00:00Z');
  const options = { alpha: 0.05, tau: 0.01, minRuntimeHours: 24, startedAt, now: later };

  it('declares a clearly better challenger the winner', () => {
    // Prepare
    const arms = [
      { id: 'a', recipients: 10_000, conversions: 500, default: true },
      { id: 'b', recipients: 10_000, conversions: 650 },
    ];

    // Act
    const d = decideWinner(arms, options);

    // Assess
    expect(d).toMatchObject({ outcome: 'winner', winner: 'b', reason: 'significant' });
    const b = d.comparisons.find((c) => c.id === 'b')!;
    expect(b.significant).toBe(true);
    expect(b.pValue).toBeCloseTo(mixtureSprt({ successes: 650, trials: 10_000 }, { successes: 500, trials: 10_000 }, 0.01).pValue, 12);
  });

  it('waits for the minimum runtime even when significant, but still reports p-values', () => {
    // Prepare
    const arms = [{ id: 'a', recipients: 10_000, conversions: 500 }, { id: 'b', recipients: 10_000, conversions: 700 }];

    // Act
    const d = decideWinner(arms, { ...options, now: new Date('2025-07-01T12:00:00Z') });

    // Assess
    expect(d).toMatchObject({ outcome: 'none', winner: null, keep: 'a', reason: 'min_runtime' });
    expect(d.comparisons[1].significant).toBe(true);
  });

  it('keeps the default when nothing is significant', () => {
    const d = decideWinner([{ id: 'a', recipients: 1000, conversions: 50 }, { id: 'b', recipients: 1000, conversions: 55 }], options);
    expect(d).toMatchObject({ outcome: 'none', keep: 'a', reason: 'not_significant' });
  });

  it('keeps the default when it is the one that is significantly better', () => {
    const d = decideWinner([{ id: 'b', recipients: 10_000, conversions: 700, default: true }, { id: 'a', recipients: 10_000, conversions: 500 }], options);
    expect(d).toMatchObject({ outcome: 'none', keep: 'b', reason: 'default_better' });
  });

  it('applies Bonferroni across challengers', () => {
    // Prepare: a p-value between α/3 and α
    const control = { id: 'a', recipients: 20_000, conversions: 1000, default: true };
    let conversions = 1000;
    let p = 1;
    while (p > 0.03) p = mixtureSprt({ successes: ++conversions, trials: 20_000 }, { successes: 1000, trials: 20_000 }, 0.01).pValue;
    expect(p).toBeGreaterThan(0.05 / 3);
    const challenger = { id: 'b', recipients: 20_000, conversions };

    // Act
    const alone = decideWinner([control, challenger], options);
    const withTwoMore = decideWinner([control, challenger, { id: 'c', recipients: 20_000, conversions: 1000 }, { id: 'd', recipients: 20_000, conversions: 990 }], options);

    // Assess
    expect(alone.outcome).toBe('winner');
    expect(withTwoMore).toMatchObject({ outcome: 'none', reason: 'not_significant' });
    expect(withTwoMore.comparisons[1].threshold).toBeCloseTo(0.05 / 3, 12);
  });

  it('carries the always-valid p-value forward as a running minimum', () => {
    // Prepare: today's look alone is not significant, an earlier one was
    const arms = [{ id: 'a', recipients: 1000, conversions: 50 }, { id: 'b', recipients: 1000, conversions: 56, previousPValue: 0.001 }];

    // Act
    const d = decideWinner(arms, options);

    // Assess
    expect(d.comparisons[1].pValue).toBe(0.001);
    expect(d).toMatchObject({ outcome: 'winner', winner: 'b' });
  });

  it('picks the best of several significant challengers', () => {
    const d = decideWinner(
      [{ id: 'a', recipients: 10_000, conversions: 500 }, { id: 'b', recipients: 10_000, conversions: 700 }, { id: 'c', recipients: 10_000, conversions: 800 }],
      options,
    );
    expect(d).toMatchObject({ outcome: 'winner', winner: 'c' });
  });

  it('names the case of no challengers, an empty arm, and refuses bad input', () => {
    expect(decideWinner([{ id: 'a', recipients: 10, conversions: 1 }], options)).toMatchObject({ outcome: 'none', reason: 'no_challengers' });
    expect(decideWinner([{ id: 'a', recipients: 10, conversions: 1 }, { id: 'b', recipients: 0, conversions: 0 }], options)).toMatchObject({ outcome: 'none', reason: 'no_data' });
    expect(() => decideWinner([], options)).toThrow(RangeError);
    expect(() => decideWinner([{ id: 'a', recipients: 1, conversions: 1 }], { ...options, alpha: 0 })).toThrow(RangeError);
  });

  it('finds a planted +30 % relative lift in most simulated campaigns within 30 days', () => {
    // Prepare
    const r = rng(99);
    const runs = 100;
    let found = 0;

    // Act
    for (let run = 0; run < runs; run++) {
      let na = 0, ca = 0, nb = 0, cb = 0, prev = 1;
      for (let day = 1; day <= 30; day++) {
        na += 500; nb += 500;
        ca += binomial(r, 500, 0.05); cb += binomial(r, 500, 0.065);
        const d = decideWinner([{ id: 'a', recipients: na, conversions: ca }, { id: 'b', recipients: nb, conversions: cb, previousPValue: prev }], { ...options, now: new Date(startedAt.getTime() + day * 86_400_000) });
        prev = d.comparisons[1].pValue ?? 1;
        if (d.outcome === 'winner') {
          if (d.winner === 'b') found++;
          break;
        }
      }
    }

    // Assess
    expect(found / runs).toBeGreaterThan(0.7);
  });
});
