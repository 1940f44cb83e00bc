import { describe, expect, it } from 'vitest';
import { CLICKSTREAM, clickstreamEvents, clickstreamRequests, geometric, poisson, type ClickstreamSummary } from '../../../datasets/clickstream.ts';
import { mulberry32 } from '../../../datasets/demo-shop.ts';

const emptySummary = (): ClickstreamSummary => ({ users: 0, sessions: 0, events: 0, requests: 0, byKind: { page: 0, 'Product Viewed': 0, 'Product Added': 0, 'Order Completed': 0, identify: 0 } });
/** Four standard errors of a mean of n draws with variance `variance`: fails about once in 16,000 seeds. */
const tolerance = (variance: number, n: number) => 4 * Math.sqrt(variance / n);

describe('clickstream generator', () => {
  // Prepare: one run shared by the distribution tests (20,000 users over 30 days ≈ 60,000 sessions).
  const summary = emptySummary();
  const requests = [...clickstreamRequests({ seed: 11, users: 20_000, days: 30 }, summary)];

  it('draws sessions per user from Poisson(3 per month)', () => {
    // Assess: a Poisson's variance is its mean.
    const lambda = CLICKSTREAM.sessionsPerUserPerMonth;
    expect(Math.abs(summary.sessions / summary.users - lambda)).toBeLessThan(tolerance(lambda, summary.users));
  });

  it('scales the session rate with the days of the run', () => {
    const s = emptySummary();
    for (const _ of clickstreamRequests({ seed: 3, users: 40_000, days: 7 }, s)) void _;
    const lambda = (CLICKSTREAM.sessionsPerUserPerMonth * 7) / 30;
    expect(Math.abs(s.sessions / s.users - lambda)).toBeLessThan(tolerance(lambda, s.users));
  });

  it('draws 1 + Geometric(mean 7) views per session', () => {
    const views = summary.byKind.page + summary.byKind['Product Viewed'];
    // Geometric with p = 1/8: mean 7, variance (1 − p) / p² = 56.
    expect(Math.abs(views / summary.sessions - 8)).toBeLessThan(tolerance(56, summary.sessions));
  });

  it('adds a product in 10 % of sessions, completes an order in 3 %, identifies in 30 %', () => {
    for (const [kind, share] of [['Product Added', 0.1], ['Order Completed', 0.03], ['identify', 0.3]] as const) {
      const observed = summary.byKind[kind] / summary.sessions;
      expect(Math.abs(observed - share), kind).toBeLessThan(tolerance(share * (1 - share), summary.sessions));
    }
  });

  it('batches requests of at most 10 consecutive events of one session, anonymous before login', () => {
    expect(requests.every((r) => r.length >= 1 && r.length <= CLICKSTREAM.eventsPerRequest)).toBe(true);
    const sessionOf = (id: string) => id.replace(/-\d+$/, '');
    expect(requests.every((r) => r.every((e) => sessionOf(e.messageId) === sessionOf(r[0].messageId)))).toBe(true);
    const bySession = new Map<string, typeof requests[number]>();
    for (const r of requests) for (const e of r) {
      const k = sessionOf(e.messageId);
      if (!bySession.has(k)) bySession.set(k, []);
      bySession.get(k)!.push(e);
    }
    for (const events of bySession.values()) {
      const login = events.findIndex((e) => e.type === 'identify');
      events.forEach((e, i) => expect(e.userId !== undefined, e.messageId).toBe(login >= 0 && i >= login));
      expect(events.every((e) => e.anonymousId === events[0].anonymousId)).toBe(true);
    }
    expect(summary.events).toBe(requests.reduce((n, r) => n + r.length, 0));
    expect(summary.requests).toBe(requests.length);
  });

  it('orders come after an add, in sessions that added', () => {
    const events = requests.flat();
    const sessionOf = (id: string) => id.replace(/-\d+$/, '');
    const added = new Set(events.filter((e) => e.event === 'Product Added').map((e) => sessionOf(e.messageId)));
    expect(events.filter((e) => e.event === 'Order Completed').every((e) => added.has(sessionOf(e.messageId)))).toBe(true);
  });

  it('is deterministic per seed, and another seed gives other events', () => {
    const a = clickstreamEvents({ seed: 5, users: 300, days: 10 });
    const b = clickstreamEvents({ seed: 5, users: 300, days: 10 });
    const c = clickstreamEvents({ seed: 6, users: 300, days: 10 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(new Set(a.map((e) => e.messageId)).size).toBe(a.length);
  });

  it('views and buys the catalog it is given', () => {
    const catalog = [{ itemId: '85123A', name: 'WHITE HANGING HEART T-LIGHT HOLDER', category: 'candles', price: 2.55 }];
    const events = clickstreamEvents({ seed: 2, users: 200, days: 30, catalog });
    const products = events.filter((e) => e.type === 'track').flatMap((e) => (e.properties?.products as { product_id: string }[] | undefined) ?? [e.properties as { product_id: string }]);
    expect(products.length).toBeGreaterThan(0);
    expect(new Set(products.map((p) => p.product_id))).toEqual(new Set(['85123A']));
  });

  it('samples Poisson and Geometric with the means their parameters give', () => {
    const rnd = mulberry32(1);
    const n = 50_000;
    let sp = 0;
    let sg = 0;
    for (let i = 0; i < n; i++) {
      sp += poisson(rnd, 0.7);
      sg += geometric(rnd, 7);
    }
    expect(Math.abs(sp / n - 0.7)).toBeLessThan(tolerance(0.7, n));
    expect(Math.abs(sg / n - 7)).toBeLessThan(tolerance(56, n));
  });

  it('refuses a run without users or days', () => {
    expect(() => clickstreamEvents({ seed: 1, users: 0, days: 1 })).toThrow(/users/);
    expect(() => clickstreamEvents({ seed: 1, users: 1, days: 0 })).toThrow(/days/);
  });
});
