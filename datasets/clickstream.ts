/**
 * A seeded clickstream of a web shop, as browser SDKs send it: the workload the cost and
 * throughput targets are set for (1,000 requests/s of 10 events each), not a year of orders.
 *
 * Parameters (issue 15, written here and not tuned afterwards; CLICKSTREAM below):
 * - 100,000 users (`--users` scales a run down; every other parameter stays);
 * - sessions per user per month ~ Poisson(3): over `days` days, Poisson(3 × days / 30),
 *   each session starting at a uniform instant of the period;
 * - events per session: 1 + Geometric(mean 7) views (K ≥ 0 failures before the first success
 *   with p = 1/8, so E[K] = (1 − p)/p = 7 and a session has 8 views on average), each view a
 *   `page` or a `Product Viewed` of a catalog product;
 * - `Product Added` in 10 % of sessions (after a view, of a viewed product);
 *   `Order Completed` in 3 % of sessions: the sessions with an add, with probability 0.3
 *   (0.1 × 0.3 = 0.03), at the end of the session, for the added product and maybe others;
 * - `identify` on login in 30 % of sessions, at a uniform position among the views: the
 *   events before it are anonymous (anonymousId only), it and those after carry the userId;
 * - requests of 10 events, as the SDKs batch them: a browser flushes its queue at 10 events
 *   and at the end of the session, so a request holds ≤ 10 consecutive events of one session;
 * - products from the Online Retail catalog when its file is given (the caller reads it and
 *   passes `catalog`), else the demo shop's catalog.
 * Choices of this generator that the issue leaves open (also fixed, not tuned): a user has one
 * browser, so one anonymousId for all sessions (a cookie); a view is a page or a Product Viewed
 * with equal probability; views are 5–90 s apart (uniform); an order has 1 + Poisson(0.5)
 * products, each of quantity 1–3; the shop's currency is GBP; one traits field, the email.
 *
 * Same seed, users, days and end: the same requests (mulberry32, no Math.random). Sessions
 * are drawn per user in a first pass (a small record each), sorted by start, and expanded one
 * at a time from their own seed, so memory holds the session list and one session's events.
 * Requests are yielded session after session in start order: within a session in order, and
 * two overlapping sessions' requests are not interleaved (a replay sends as fast as it can).
 */
import type { SegmentLikeEvent } from '../schemas/events.ts';
import { demoCatalogLines, mulberry32 } from './demo-shop.ts';

export const CLICKSTREAM = {
  users: 100_000,
  sessionsPerUserPerMonth: 3,
  /** Mean of the Geometric number of views after the first. */
  extraViewsMean: 7,
  productAddedShare: 0.1,
  orderCompletedShare: 0.03,
  identifyShare: 0.3,
  eventsPerRequest: 10,
} as const;

const DAY = 86_400_000;

export interface ClickstreamProduct {
  itemId: string;
  name?: string;
  category?: string;
  price?: number;
}

export interface ClickstreamOptions {
  seed: number;
  /** Default CLICKSTREAM.users. */
  users?: number;
  days: number;
  /** The end of the period (exclusive); default 2026-11-01T00:00Z, so a seed is a fixed set of events. */
  end?: Date;
  /** Products to view and buy; default the demo shop's catalog. */
  catalog?: ClickstreamProduct[];
}

export const DEFAULT_END = new Date('2026-11-01T00:00:00Z');

/** Poisson(λ) by Knuth's product of uniforms for small λ, by the normal approximation above 30. */
export function poisson(rnd: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(rnd)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  for (;;) {
    p *= rnd();
    if (p <= l) return k;
    k += 1;
  }
}

function normal(rnd: () => number): number {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/** Failures before the first success, with success probability 1 / (mean + 1): mean `mean`. */
export function geometric(rnd: () => number, mean: number): number {
  const p = 1 / (mean + 1);
  return Math.floor(Math.log(1 - rnd()) / Math.log(1 - p));
}

interface Session {
  start: number;
  user: number;
  ordinal: number;
  seed: number;
}

export interface ClickstreamSummary {
  users: number;
  sessions: number;
  events: number;
  requests: number;
  byKind: Record<'page' | 'Product Viewed' | 'Product Added' | 'Order Completed' | 'identify', number>;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * The clickstream as requests (arrays of ≤ 10 events of one session), lazily. `summary` is
 * filled as requests are yielded.
 */
export function* clickstreamRequests(opts: ClickstreamOptions, summary?: ClickstreamSummary): Generator<SegmentLikeEvent[]> {
  const users = opts.users ?? CLICKSTREAM.users;
  if (!(Number.isInteger(users) && users > 0)) throw new Error(`users must be a positive integer, not ${users}`);
  if (!(opts.days > 0)) throw new Error(`days must be positive, not ${opts.days}`);
  const catalog = opts.catalog && opts.catalog.length > 0 ? opts.catalog : demoCatalogLines();
  const end = (opts.end ?? DEFAULT_END).getTime();
  const start = end - opts.days * DAY;
  const rnd = mulberry32(opts.seed);
  const lambda = (CLICKSTREAM.sessionsPerUserPerMonth * opts.days) / 30;
  const sessions: Session[] = [];
  for (let user = 0; user < users; user++) {
    const n = poisson(rnd, lambda);
    for (let ordinal = 0; ordinal < n; ordinal++) sessions.push({ start: start + Math.floor(rnd() * (end - start)), user, ordinal, seed: Math.floor(rnd() * 2 ** 32) });
  }
  sessions.sort((a, b) => a.start - b.start || a.user - b.user || a.ordinal - b.ordinal);
  const s = summary ?? { users: 0, sessions: 0, events: 0, requests: 0, byKind: { page: 0, 'Product Viewed': 0, 'Product Added': 0, 'Order Completed': 0, identify: 0 } };
  s.users = users;
  const uw = String(users - 1).length;
  for (const session of sessions) {
    const events = sessionEvents(session, catalog, uw);
    s.sessions += 1;
    s.events += events.length;
    for (const e of events) s.byKind[(e.type === 'track' ? e.event : e.type) as keyof ClickstreamSummary['byKind']] += 1;
    for (let i = 0; i < events.length; i += CLICKSTREAM.eventsPerRequest) {
      s.requests += 1;
      yield events.slice(i, i + CLICKSTREAM.eventsPerRequest);
    }
  }
}

/** The clickstream as one array of events, in request order (tests, small runs). */
export function clickstreamEvents(opts: ClickstreamOptions): SegmentLikeEvent[] {
  return [...clickstreamRequests(opts)].flat();
}

const PAGES = ['Home', 'Category', 'Search', 'Sale', 'Basket', 'Help'];

function sessionEvents(session: Session, catalog: ClickstreamProduct[], uw: number): SegmentLikeEvent[] {
  const rnd = mulberry32(session.seed);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const who = pad(session.user, uw);
  const userId = `cs-user-${who}`;
  const anonymousId = `cs-anon-${who}`;
  const sid = `cs-${who}-${session.ordinal}`;
  const views = 1 + geometric(rnd, CLICKSTREAM.extraViewsMean);
  const added = rnd() < CLICKSTREAM.productAddedShare;
  const ordered = added && rnd() < CLICKSTREAM.orderCompletedShare / CLICKSTREAM.productAddedShare;
  // Login before view `loginAt` (0: at once; views: after the last view, before any add).
  const loginAt = rnd() < CLICKSTREAM.identifyShare ? Math.floor(rnd() * (views + 1)) : -1;
  const context = {
    library: { name: 'analytics.js', version: 'npm:next-1.84.0' },
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    locale: 'en-GB',
    timezone: 'Europe/London',
  };
  const out: SegmentLikeEvent[] = [];
  let t = session.start;
  let n = 0;
  let loggedIn = false;
  const ids = () => (loggedIn ? { userId, anonymousId } : { anonymousId });
  const push = (e: Omit<SegmentLikeEvent, 'messageId' | 'timestamp'>) => {
    out.push({ ...e, messageId: `${sid}-${n++}`, timestamp: new Date(t).toISOString() });
    t += 5_000 + Math.floor(rnd() * 85_000);
  };
  const login = () => {
    loggedIn = true;
    push({ type: 'identify', ...ids(), traits: { email: `${userId}@example.test` }, context });
  };
  const viewed: ClickstreamProduct[] = [];
  for (let v = 0; v < views; v++) {
    if (v === loginAt) login();
    if (rnd() < 0.5) {
      const name = pick(PAGES);
      push({ type: 'page', ...ids(), name, properties: { path: `/${name.toLowerCase()}`, url: `https://shop.example.test/${name.toLowerCase()}`, title: `${name} | Example shop` }, context: { ...context, page: { path: `/${name.toLowerCase()}` } } });
    } else {
      const p = pick(catalog);
      viewed.push(p);
      push({ type: 'track', ...ids(), event: 'Product Viewed', properties: productProps(p, 1), context });
    }
  }
  if (loginAt === views) login();
  if (added) {
    const p = viewed.length > 0 ? pick(viewed) : pick(catalog);
    push({ type: 'track', ...ids(), event: 'Product Added', properties: { cart_id: sid, ...productProps(p, 1) }, context });
    if (ordered) {
      const products = [productProps(p, 1 + Math.floor(rnd() * 3))];
      for (let k = poisson(rnd, 0.5); k > 0; k--) products.push(productProps(pick(catalog), 1 + Math.floor(rnd() * 3)));
      const revenue = Math.round(products.reduce((sum, x) => sum + x.price * x.quantity, 0) * 100) / 100;
      push({ type: 'track', ...ids(), event: 'Order Completed', properties: { order_id: `${sid}-order`, revenue, currency: 'GBP', products }, context });
    }
  }
  return out;
}

function productProps(p: ClickstreamProduct, quantity: number) {
  return { product_id: p.itemId, sku: p.itemId, ...(p.name ? { name: p.name } : {}), ...(p.category ? { category: p.category } : {}), price: p.price ?? 1, quantity };
}
