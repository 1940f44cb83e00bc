/**
 * Lifetime value: BG/NBD for the number of future purchases and Gamma-Gamma for their
 * average value, fitted by maximum likelihood.
 *
 * Sources:
 * - Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
 *   Pareto/NBD Model", Marketing Science 24(2): the likelihood (eq. 6), E[X(t)] (eq. 9) and
 *   E[Y(t) | x, tₓ, T] (eq. 10). Their CDNOW fit is r = 0.243, α = 4.414, a = 0.793,
 *   b = 2.426 (weeks); the unit tests check E[X(t)] and the conditional expectation against
 *   the values of Hardie's companion spreadsheet (as reproduced in the `lifetimes` test
 *   suite), and the likelihood against a direct numerical integration of the model.
 * - Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
 *   Analysis", J. Marketing Research 42(4), and Fader & Hardie (2013), "The Gamma-Gamma
 *   Model of Monetary Value": the spend likelihood and E[M | p, q, γ, m̄, x].
 *
 * Design:
 * - Sufficient statistics per customer (`clvSummary`): purchases are counted per calendar
 *   day (several invoices on one day are one purchase occasion, as the BTYD literature
 *   does), x = purchase days − 1 (repeat purchases), tₓ = days from the first to the last,
 *   T = days from the first to the cut-off. The explanation uses marketer words for them:
 *   repeat purchases, days since last purchase (T − tₓ), days since first purchase (T), and
 *   average spend per repeat purchase.
 * - Fitting: Nelder–Mead on the log parameters (keeps them positive without constraints);
 *   Gamma-Gamma uses customers with x > 0 only and needs q > 1 for a finite mean.
 * - Value: expected spend over the horizon = E[Y(h)] × E[M]; no discounting (horizons here
 *   are a year or less). Customers with x = 0 get the population mean spend pγ / (q − 1).
 */
import { hyp2f1, logBeta, logGamma, nelderMead, scaledHyp2f1 } from './math.ts';

export interface BgnbdParameters { r: number; alpha: number; a: number; b: number }
export interface GammaGammaParameters { p: number; q: number; gamma: number }

/** Calibration statistics of one customer, time in days. */
export interface ClvStats {
  /** Repeat purchases (purchase days − 1). */
  x: number;
  /** Days from the first to the last purchase. */
  tx: number;
  /** Days from the first purchase to the cut-off. */
  T: number;
  /** Mean value of the repeat purchases (0 when x = 0). */
  m: number;
}

const logSumExp = (a: number, b: number) => (a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b)));

/** BG/NBD log-likelihood of one customer (eq. 6 of Fader, Hardie & Lee 2005). */
export function bgnbdLogLikelihood({ r, alpha, a, b }: BgnbdParameters, x: number, tx: number, T: number): number {
  const common = logGamma(r + x) - logGamma(r) + r * Math.log(alpha);
  const alive = logBeta(a, b + x) - logBeta(a, b) - (r + x) * Math.log(alpha + T);
  if (x === 0) return common + alive;
  const dropped = logBeta(a + 1, b + x - 1) - logBeta(a, b) - (r + x) * Math.log(alpha + tx);
  return common + logSumExp(alive, dropped);
}

/** Expected purchases in (0, t] of a customer just acquired (eq. 9). */
export function bgnbdExpectedPurchases({ r, alpha, a, b }: BgnbdParameters, t: number): number {
  return ((a + b - 1) / (a - 1)) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)));
}

/** P(still active at T | x, tₓ, T). */
export function bgnbdProbabilityAlive({ r, alpha, a, b }: BgnbdParameters, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  return 1 / (1 + (a / (b + x - 1)) * Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + tx))));
}

/** Expected purchases in (T, T + t] given the customer's history (eq. 10). */
export function bgnbdConditionalExpectedPurchases(params: BgnbdParameters, t: number, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  const z = t / (alpha + T + t);
  // ratio · 2F1 in logs (math.ts scaledHyp2f1): for large x one factor overflows, the other underflows.
  const logRatio = (r + x) * (Math.log(alpha + T) - Math.log(alpha + T + t));
  const numerator = ((a + b + x - 1) / (a - 1)) * (1 - scaledHyp2f1(r + x, b + x, a + b + x - 1, z, logRatio));
  return numerator * bgnbdProbabilityAlive(params, x, tx, T);
}

/** Gamma-Gamma log-likelihood of one customer with x > 0 repeat purchases of mean value m. */
export function gammaGammaLogLikelihood({ p, q, gamma }: GammaGammaParameters, x: number, m: number): number {
  return logGamma(p * x + q) - logGamma(p * x) - logGamma(q) + q * Math.log(gamma) + (p * x - 1) * Math.log(m) + p * x * Math.log(x) - (p * x + q) * Math.log(gamma + m * x);
}

/** E[average spend per purchase | x, m] (shrinks m towards the population mean pγ/(q−1)). */
export function gammaGammaExpectedSpend({ p, q, gamma }: GammaGammaParameters, x: number, m: number): number {
  return (p * (gamma + x * m)) / (p * x + q - 1);
}

/** Customers sharing (x, tₓ, T) can be passed once with a weight. */
export interface WeightedStats extends ClvStats { weight?: number }

/** Maximum-likelihood BG/NBD parameters. */
export function fitBgnbd(customers: WeightedStats[], start: BgnbdParameters = { r: 1, alpha: 1, a: 1, b: 1 }): { params: BgnbdParameters; logLikelihood: number } {
  const negLl = (v: number[]) => {
    const params = { r: Math.exp(v[0]), alpha: Math.exp(v[1]), a: Math.exp(v[2]), b: Math.exp(v[3]) };
    let ll = 0;
    for (const c of customers) ll += (c.weight ?? 1) * bgnbdLogLikelihood(params, c.x, c.tx, c.T);
    return -ll;
  };
  let x0 = [start.r, start.alpha, start.a, start.b].map(Math.log);
  let best = nelderMead(negLl, x0, { step: 0.5, tolerance: 1e-12 });
  // Restart from the optimum: Nelder–Mead's simplex can collapse before it is there.
  for (let i = 0; i < 3; i++) {
    x0 = best.x;
    const again = nelderMead(negLl, x0, { step: 0.1, tolerance: 1e-12 });
    if (again.value >= best.value - 1e-9) break;
    best = again;
  }
  const [r, alpha, a, b] = best.x.map(Math.exp);
  return { params: { r, alpha, a, b }, logLikelihood: -best.value };
}

/** Maximum-likelihood Gamma-Gamma parameters from customers with x > 0. */
export function fitGammaGamma(customers: WeightedStats[], start: GammaGammaParameters = { p: 1, q: 2, gamma: 1 }): { params: GammaGammaParameters; logLikelihood: number } {
  const repeat = customers.filter((c) => c.x > 0 && c.m > 0);
  if (repeat.length === 0) throw new RangeError('Gamma-Gamma needs customers with repeat purchases');
  const unpack = (v: number[]) => ({ p: Math.exp(v[0]), q: 1 + Math.exp(v[1]), gamma: Math.exp(v[2]) });
  const negLl = (v: number[]) => {
    const params = unpack(v);
    let ll = 0;
    for (const c of repeat) ll += (c.weight ?? 1) * gammaGammaLogLikelihood(params, c.x, c.m);
    return -ll;
  };
  let best = nelderMead(negLl, [Math.log(start.p), Math.log(start.q - 1), Math.log(start.gamma)], { step: 0.5, tolerance: 1e-12 });
  for (let i = 0; i < 3; i++) {
    const again = nelderMead(negLl, best.x, { step: 0.1, tolerance: 1e-12 });
    if (again.value >= best.value - 1e-9) break;
    best = again;
  }
  return { params: unpack(best.x), logLikelihood: -best.value };
}

const DAY = 86_400_000;
const dayOf = (ms: number) => Math.floor(ms / DAY);

export interface Purchase { at: number; amount: number }

/**
 * Calibration statistics of one customer from purchases strictly before `cutOff` (epoch ms),
 * or undefined if there are none. Purchases on one UTC calendar day are one occasion.
 */
export function clvSummary(purchases: Purchase[], cutOff: number): (ClvStats & { spend: number; occasions: number }) | undefined {
  const byDay = new Map<number, number>();
  for (const p of purchases) if (p.at < cutOff) byDay.set(dayOf(p.at), (byDay.get(dayOf(p.at)) ?? 0) + p.amount);
  if (byDay.size === 0) return undefined;
  const days = [...byDay.keys()].sort((a, b) => a - b);
  const first = days[0];
  const last = days[days.length - 1];
  const end = cutOff / DAY;
  const repeatSpend = days.slice(1).reduce((s, d) => s + byDay.get(d)!, 0);
  const x = days.length - 1;
  return {
    x,
    tx: last - first,
    T: end - first,
    m: x > 0 ? repeatSpend / x : 0,
    spend: days.reduce((s, d) => s + byDay.get(d)!, 0),
    occasions: days.length,
  };
}

/** Names of the lifetime value model's features, in the order the Shapley masks use. */
export const CLV_FEATURES = ['repeat_purchases', 'recency_days', 'tenure_days', 'avg_repeat_spend'] as const;

/** The model's statistics from marketer-facing features; tₓ is kept within [0, T]. */
export function statsFromFeatures(f: Record<(typeof CLV_FEATURES)[number], number>): ClvStats {
  const T = Math.max(0, f.tenure_days);
  const x = Math.max(0, f.repeat_purchases);
  const tx = x > 0 ? Math.min(T, Math.max(0, T - f.recency_days)) : 0;
  return { x, tx, T, m: Math.max(0, f.avg_repeat_spend) };
}

export function featuresFromStats(s: ClvStats): Record<(typeof CLV_FEATURES)[number], number> {
  return { repeat_purchases: s.x, recency_days: s.T - s.tx, tenure_days: s.T, avg_repeat_spend: s.m };
}

/** Expected purchases, P(alive), expected spend per purchase and expected spend over `horizonDays`. */
export function predictClv(bg: BgnbdParameters, gg: GammaGammaParameters, s: ClvStats, horizonDays: number): { purchases: number; pAlive: number; spendPerPurchase: number; value: number } {
  const purchases = bgnbdConditionalExpectedPurchases(bg, horizonDays, s.x, s.tx, s.T);
  const spendPerPurchase = gammaGammaExpectedSpend(gg, s.x, s.m);
  return { purchases, pAlive: bgnbdProbabilityAlive(bg, s.x, s.tx, s.T), spendPerPurchase, value: purchases * spendPerPurchase };
}

/**
 * The baseline: the customer's historical rate carried forward. Purchases = x / T × horizon
 * (repeat purchases per day observed; 0 for one-time buyers, as BG/NBD's x counts repeats);
 * spend = that × their mean spend per purchase occasion.
 */
export function historicalAverage(s: ClvStats & { spend: number; occasions: number }, horizonDays: number): { purchases: number; value: number } {
  const purchases = s.T > 0 ? (s.x / s.T) * horizonDays : 0;
  return { purchases, value: purchases * (s.spend / s.occasions) };
}
