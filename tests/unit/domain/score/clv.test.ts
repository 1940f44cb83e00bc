import { describe, expect, it } from 'vitest';
import {
  bgnbdConditionalExpectedPurchases,
  bgnbdExpectedPurchases,
  bgnbdLogLikelihood,
  bgnbdProbabilityAlive,
  clvSummary,
  fitBgnbd,
  fitGammaGamma,
  gammaGammaExpectedSpend,
  gammaGammaLogLikelihood,
  historicalAverage,
  type ClvStats,
} from '../../../../functions/domain/score/clv.ts';
import { hyp2f1, logGamma } from '../../../../functions/domain/score/math.ts';
import { seededRandom } from '../../../../functions/domain/shared/random.ts';

// Fader, Hardie & Lee (2005), CDNOW, 39 weeks of calibration: the published estimates.
const CDNOW = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

/** Simpson's rule on [lo, hi] with an even number of intervals. */
function simpson(f: (x: number) => number, lo: number, hi: number, intervals = 4000): number {
  const h = (hi - lo) / intervals;
  let s = f(lo) + f(hi);
  for (let i = 1; i < intervals; i++) s += (i % 2 ? 4 : 2) * f(lo + i * h);
  return (s * h) / 3;
}

/**
 * The BG/NBD likelihood by direct integration over λ ~ Gamma(r, α) and p ~ Beta(a, b) of
 * the individual-level likelihood (1−p)^x λ^x e^{−λT} + [x>0] p (1−p)^{x−1} λ^x e^{−λ tₓ}.
 * Substitutions u = λ^r and s = p^a remove the integrable singularities at 0.
 */
function bgnbdLikelihoodByIntegration(r: number, alpha: number, a: number, b: number, x: number, tx: number, T: number): number {
  const gammaNorm = Math.exp(r * Math.log(alpha) - logGamma(r));
  const lambdaMoment = (t: number) => {
    // ∫ λ^x e^{−λt} λ^{r−1} e^{−αλ} dλ · α^r/Γ(r), with λ = u^{1/r}: λ^{r−1} dλ = du / r
    const upper = Math.pow(60 / (alpha + t), r);
    return (gammaNorm / r) * simpson((u) => {
      const lambda = Math.pow(u, 1 / r);
      return Math.pow(lambda, x) * Math.exp(-(alpha + t) * lambda);
    }, 0, upper, 20000);
  };
  const betaNorm = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b));
  const pMoment = (g: (p: number) => number) =>
    // ∫ g(p) p^{a−1} (1−p)^{b−1} dp / B(a,b), with p = s^{1/a}: p^{a−1} dp = ds / a
    (betaNorm / a) * simpson((s) => {
      const p = Math.pow(s, 1 / a);
      return g(p) * Math.pow(1 - p, b - 1);
    }, 0, 1, 20000);
  const alive = pMoment((p) => Math.pow(1 - p, x)) * lambdaMoment(T);
  const dropped = x > 0 ? pMoment((p) => p * Math.pow(1 - p, x - 1)) * lambdaMoment(tx) : 0;
  return alive + dropped;
}

describe('math helpers', () => {
  it('logGamma matches known values', () => {
    // Prepare / Act / Assess: Γ(½) = √π, Γ(10) = 9!, Γ(0.243) ≈ 3.7161 (ln 1.31268)
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 11);
    expect(logGamma(1)).toBeCloseTo(0, 13);
  });

  it('hyp2f1 matches closed forms', () => {
    // Prepare / Act / Assess: 2F1(1,1;2;z) = −ln(1−z)/z; 2F1(a,b;b;z) = (1−z)^{−a}
    expect(hyp2f1(1, 1, 2, 0.5)).toBeCloseTo(-Math.log(0.5) / 0.5, 12);
    expect(hyp2f1(0.7, 2.3, 2.3, 0.9)).toBeCloseTo(Math.pow(0.1, -0.7), 10);
  });
});

describe('BG/NBD with the published CDNOW parameters', () => {
  it('reproduces the conditional expectation of the worked example (x = 2, tₓ = 30.43, T = 38.86, next 39 weeks: 1.226)', () => {
    // Prepare: Hardie's spreadsheet value, as reproduced in the `lifetimes` test suite
    const expected = 1.226;
    // Act
    const actual = bgnbdConditionalExpectedPurchases(CDNOW, 39, 2, 30.43, 38.86);
    // Assess
    expect(Math.abs(actual - expected)).toBeLessThan(5e-4);
  });

  it('reproduces E[X(t)] of the spreadsheet to the rounding of the published parameters', () => {
    // Prepare: spreadsheet values; the published parameters are rounded to 3 decimals and
    // (a − 1) = −0.207 amplifies that, so the check is relative, at 0.3 %.
    const times = [0.1429, 1, 3, 31.8571, 32, 78];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    // Act
    const actual = times.map((t) => bgnbdExpectedPurchases(CDNOW, t));
    // Assess
    actual.forEach((v, i) => expect(Math.abs(v - expected[i]) / expected[i]).toBeLessThan(0.003 + 0.00005 / expected[i]));
  });

  it('has a log-likelihood equal to the integral of the individual-level model', () => {
    // Prepare: the worked example's customer, a one-time buyer, and a frequent one
    const customers: [number, number, number][] = [
      [2, 30.43, 38.86],
      [0, 0, 38.86],
      [7, 35.1, 37.0],
    ];
    for (const [x, tx, T] of customers) {
      // Act
      const closedForm = Math.exp(bgnbdLogLikelihood(CDNOW, x, tx, T));
      const integrated = bgnbdLikelihoodByIntegration(CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b, x, tx, T);
      // Assess
      expect(Math.abs(closedForm - integrated) / integrated).toBeLessThan(1e-5);
    }
  });

  it('gives P(alive) = 1 without repeat purchases and less after a long silence', () => {
    // Prepare / Act
    const oneTime = bgnbdProbabilityAlive(CDNOW, 0, 0, 38.86);
    const recent = bgnbdProbabilityAlive(CDNOW, 5, 38, 38.86);
    const silent = bgnbdProbabilityAlive(CDNOW, 5, 5, 38.86);
    // Assess
    expect(oneTime).toBe(1);
    expect(recent).toBeGreaterThan(silent);
    expect(silent).toBeLessThan(0.5);
  });
});

describe('fitting', () => {
  it('recovers BG/NBD parameters from customers simulated with them', () => {
    // Prepare: 3,000 customers over 52 days each, r = 0.8, α = 10, a = 0.6, b = 3
    const truth = { r: 0.8, alpha: 10, a: 0.6, b: 3 };
    const random = seededRandom(11);
    const gammaSample = (shape: number, rate: number): number => {
      // Marsaglia–Tsang, with the shape < 1 boost
      if (shape < 1) return gammaSample(shape + 1, rate) * Math.pow(random(), 1 / shape);
      const d = shape - 1 / 3;
      const c = 1 / Math.sqrt(9 * d);
      for (;;) {
        let z: number;
        let v: number;
        do {
          z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
          v = 1 + c * z;
        } while (v <= 0);
        v = v * v * v;
        if (Math.log(1 - random()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
      }
    };
    const customers: ClvStats[] = [];
    for (let i = 0; i < 3000; i++) {
      const lambda = gammaSample(truth.r, truth.alpha);
      const ga = gammaSample(truth.a, 1);
      const p = ga / (ga + gammaSample(truth.b, 1));
      let t = 0;
      let x = 0;
      let tx = 0;
      for (;;) {
        t += -Math.log(1 - random()) / lambda;
        if (t > 52) break;
        x++;
        tx = t;
        if (random() < p) break; // drops out after this purchase
      }
      customers.push({ x, tx, T: 52, m: 0 });
    }
    // Act
    const { params } = fitBgnbd(customers);
    // Assess: within sampling error of 3,000 customers
    expect(params.r).toBeGreaterThan(0.6);
    expect(params.r).toBeLessThan(1.05);
    expect(params.alpha).toBeGreaterThan(6.5);
    expect(params.alpha).toBeLessThan(14);
    expect(params.a / (params.a + params.b)).toBeGreaterThan(0.1);
    expect(params.a / (params.a + params.b)).toBeLessThan(0.25);
  });

  it('Gamma-Gamma: the conditional mean shrinks towards the population mean, and fitting maximises the likelihood', () => {
    // Prepare: p = 6, q = 4, γ = 15 → population mean pγ/(q−1) = 30
    const params = { p: 6, q: 4, gamma: 15 };
    // Act
    const none = gammaGammaExpectedSpend(params, 0, 0);
    const few = gammaGammaExpectedSpend(params, 1, 100);
    const many = gammaGammaExpectedSpend(params, 50, 100);
    // Assess: hand values: x = 1, m = 100 → 6·(15 + 100) / (6 + 3) = 76.67
    expect(none).toBeCloseTo(30, 12);
    expect(few).toBeCloseTo((6 * 115) / 9, 12);
    expect(many).toBeGreaterThan(few);
    expect(many).toBeLessThan(100);

    // Prepare: customers whose spends are exactly around 30 with varying x
    const customers = [1, 2, 3, 4, 5, 6].flatMap((x) => [20, 30, 45].map((m) => ({ x, tx: 0, T: 1, m })));
    // Act
    const fit = fitGammaGamma(customers);
    const nudged = { ...fit.params, p: fit.params.p * 1.05 };
    const llAt = (pr: typeof params) => customers.reduce((s, c) => s + gammaGammaLogLikelihood(pr, c.x, c.m), 0);
    // Assess
    expect(fit.logLikelihood).toBeCloseTo(llAt(fit.params), 8);
    expect(llAt(fit.params)).toBeGreaterThan(llAt(nudged));
  });
});

describe('clvSummary and the historical-average baseline', () => {
  it('counts purchase days, repeat spend, tₓ and T in days', () => {
    // Prepare: purchases on day 0 (two invoices), day 10, day 30; cut-off at day 40
    const day = 86_400_000;
    const purchases = [
      { at: 0 * day + 3600_000, amount: 10 },
      { at: 0 * day + 7200_000, amount: 5 },
      { at: 10 * day, amount: 20 },
      { at: 30 * day + 1000, amount: 40 },
      { at: 41 * day, amount: 999 }, // after the cut-off: ignored
    ];
    // Act
    const s = clvSummary(purchases, 40 * day)!;
    const baseline = historicalAverage(s, 20);
    // Assess
    expect(s).toEqual({ x: 2, tx: 30, T: 40, m: 30, spend: 75, occasions: 3 });
    expect(baseline.purchases).toBeCloseTo((2 / 40) * 20, 12);
    expect(baseline.value).toBeCloseTo(1 * 25, 12);
    expect(clvSummary(purchases, 0)).toBeUndefined();
  });
});
