/**
 * A synthetic shop for the first `npm start` on a machine without datasets: a seeded,
 * deterministic generator of Segment events for ~300 people over 13 months, with the
 * behaviours the tags are about — loyal monthly buyers, one-time buyers, lapsed and
 * at-risk customers, big spenders, returners, coupon hunters, anonymous browsers who sign
 * in later, and a little bot and test traffic that Clean must filter out.
 * Same seed and end date, same events (mulberry32 PRNG; no Math.random).
 */
import type { SegmentLikeEvent } from '../schemas/events.ts';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const CATALOG = [
  ['MUG-01', 'Retro spot mug', 'kitchen', 4.5],
  ['MUG-02', 'Enamel camping mug', 'kitchen', 6.0],
  ['TEA-01', 'Floral teapot', 'kitchen', 18.0],
  ['BAG-01', 'Jumbo shopper bag', 'bags', 2.1],
  ['BAG-02', 'Leather weekend bag', 'bags', 89.0],
  ['CAN-01', 'Scented candle set', 'candles', 12.5],
  ['CAN-02', 'Glass tea-light holder', 'candles', 2.95],
  ['LGT-01', 'Fairy light string', 'lighting', 9.95],
  ['LGT-02', 'Industrial desk lamp', 'lighting', 45.0],
  ['CRD-01', 'Birthday card pack', 'stationery', 3.25],
  ['NTB-01', 'Linen notebook', 'stationery', 7.5],
  ['DEC-01', 'Heart wall sign', 'decor', 5.95],
  ['DEC-02', 'Oak picture frame', 'decor', 24.0],
  ['TOY-01', 'Wooden skittles', 'toys', 14.0],
  ['XMS-01', 'Christmas bauble set', 'christmas', 8.5],
  ['GRD-01', 'Bird feeder', 'garden', 11.0],
] as const;

/** The demo shop's products as catalog lines (what `npm start` imports as the catalog). */
export const demoCatalogLines = () => CATALOG.map(([itemId, name, category, price]) => ({ itemId, name, category, price }));

const COUNTRIES: [string, string][] = [
  ['United Kingdom', 'Europe/London'],
  ['France', 'Europe/Paris'],
  ['Germany', 'Europe/Berlin'],
  ['Spain', 'Europe/Madrid'],
  ['Netherlands', 'Europe/Amsterdam'],
  ['Australia', 'Australia/Sydney'],
];

type Persona = 'loyal' | 'one_time' | 'lapsed' | 'at_risk' | 'big_spender' | 'returner' | 'coupon_hunter' | 'browser';
const MIX: [Persona, number][] = [
  ['loyal', 0.18],
  ['one_time', 0.22],
  ['lapsed', 0.12],
  ['at_risk', 0.1],
  ['big_spender', 0.05],
  ['returner', 0.06],
  ['coupon_hunter', 0.12],
  ['browser', 0.15],
];

export interface DemoShopOptions {
  seed?: number;
  customers?: number;
  /** The last instant of the simulated history (defaults to the caller's "now"). */
  end: Date;
}

export function demoShop(opts: DemoShopOptions): SegmentLikeEvent[] {
  const rnd = mulberry32(opts.seed ?? 7);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const end = opts.end.getTime();
  const DAY = 86_400_000;
  const start = end - 395 * DAY;
  const at = (daysBeforeEnd: number) => new Date(end - daysBeforeEnd * DAY - Math.floor(rnd() * 8 * 3_600_000));
  const events: (SegmentLikeEvent & { at: number })[] = [];
  let seq = 0;
  const id = (p: string) => `demo-${p}-${++seq}`;
  const push = (e: Omit<SegmentLikeEvent, 'messageId' | 'timestamp'> & { when: Date; context?: Record<string, unknown> }) => {
    const { when, ...rest } = e;
    events.push({ ...rest, messageId: id(rest.type), timestamp: when.toISOString(), at: when.getTime() });
  };

  const n = opts.customers ?? 300;
  const known: { userId: string; persona: Persona; context: Record<string, unknown> }[] = [];
  for (let i = 0; i < n; i++) {
    let r = rnd();
    const persona = MIX.find(([, w]) => (r -= w) < 0)?.[0] ?? 'one_time';
    const userId = `cust-${String(i + 1).padStart(4, '0')}`;
    const [country, timezone] = pick(COUNTRIES);
    const context = { timezone, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', locale: 'en-GB' };
    const who = { userId, context };
    const order = (when: Date, opts2: { big?: boolean; cheap?: boolean; coupon?: boolean } = {}) => {
      const items = 1 + Math.floor(rnd() * (opts2.big ? 6 : 3));
      const products = Array.from({ length: items }, () => {
        const pool = opts2.cheap ? CATALOG.filter((c) => c[3] < 5) : opts2.big ? CATALOG.filter((c) => c[3] > 10) : CATALOG;
        const [sku, name, category, price] = pick(pool);
        return { product_id: sku, name, category, price, quantity: (opts2.big ? 3 : 1) + Math.floor(rnd() * 3) };
      });
      const gross = products.reduce((s, p) => s + p.price * p.quantity, 0);
      const discount = opts2.coupon ? Math.round(gross * 0.2 * 100) / 100 : 0;
      const orderId = id('order');
      push({ type: 'track', ...who, event: 'Product Viewed', when: new Date(when.getTime() - 600_000), properties: { product_id: products[0].product_id, category: products[0].category } });
      push({ type: 'track', ...who, event: 'Order Completed', when, properties: { order_id: orderId, revenue: Math.round((gross - discount) * 100) / 100, currency: 'GBP', products, ...(opts2.coupon ? { coupon: 'SAVE20', discount } : {}) } });
      return { orderId, revenue: Math.round((gross - discount) * 100) / 100, products };
    };
    const firstSeen = persona === 'loyal' ? 330 - Math.floor(rnd() * 120) : 30 + Math.floor(rnd() * 360);
    if (persona === 'browser') {
      // Browses anonymously, then about half sign in and become known with their history.
      const anonymousId = `anon-${i + 1}`;
      for (let v = 0; v < 3 + Math.floor(rnd() * 4); v++) {
        push({ type: 'page', anonymousId, name: pick(['Home', 'Category', 'Product', 'Sale']), when: at(firstSeen - v), context: { ...context, page: { path: '/' } } });
      }
      if (rnd() < 0.5) {
        push({ type: 'identify', userId, anonymousId, traits: { email: `${userId}@example.test`, country, first_name: `Demo ${i + 1}` }, when: at(firstSeen - 5), context: { ...context, consent: { categoryPreferences: { email: true, personalisation: rnd() < 0.7, profiling: true } } } });
        if (rnd() < 0.6) order(at(Math.max(1, firstSeen - 6)));
      }
      continue;
    }
    // Same draws in the same order as before `email.marketing` existed: the shop is otherwise unchanged.
    const emailOk = rnd() < 0.85;
    const personalisation = rnd() < 0.7;
    // Consent per channel and purpose: email marketing is what a campaign needs, profiling what
    // scoring needs (unknown is not granted; every demo customer grants profiling, no extra draw).
    push({ type: 'identify', ...who, traits: { email: `${userId}@example.test`, country, first_name: `Demo ${i + 1}` }, when: at(firstSeen), context: { ...context, consent: { categoryPreferences: { email: emailOk, 'email.marketing': emailOk, personalisation, profiling: true } } } });
    known.push({ userId, persona, context });
    const monthly = (fromDays: number, toDays: number, o = {}) => {
      for (let d = fromDays; d >= toDays; d -= 28 + Math.floor(rnd() * 5)) order(at(d), o);
    };
    switch (persona) {
      case 'loyal':
        monthly(firstSeen, 3 + Math.floor(rnd() * 20));
        break;
      case 'one_time':
        order(at(firstSeen));
        break;
      case 'lapsed':
        monthly(Math.max(firstSeen, 300), 200 + Math.floor(rnd() * 60));
        break;
      case 'at_risk':
        monthly(Math.max(firstSeen, 250), 100 + Math.floor(rnd() * 60));
        break;
      case 'big_spender':
        monthly(firstSeen, 5 + Math.floor(rnd() * 40), { big: true });
        break;
      case 'returner': {
        for (let k = 0; k < 4; k++) {
          const o = order(at(firstSeen - k * 40 > 2 ? firstSeen - k * 40 : 2));
          if (k % 2 === 0) push({ type: 'track', ...who, event: 'Order Refunded', when: at(Math.max(1, firstSeen - k * 40 - 7)), properties: { order_id: o.orderId, revenue: o.revenue, products: o.products } });
        }
        break;
      }
      case 'coupon_hunter':
        for (let k = 0; k < 3 + Math.floor(rnd() * 4); k++) order(at(Math.max(1, firstSeen - k * 45)), { cheap: true, coupon: rnd() < 0.8 });
        break;
    }
    if (rnd() < 0.3) push({ type: 'track', ...who, event: 'Email Opened', when: at(Math.floor(rnd() * 60)), properties: { campaign: 'newsletter' } });
  }
  // A spring campaign for the response-propensity model: who each known customer is and one
  // contact in the last 75 days with its outcome. A second generator, so the shop's other
  // events are the same as without it. Responders lean young, loyal and reached by SMS: a
  // pattern for the model to find, not a claim about real people.
  const rc = mulberry32((opts.seed ?? 7) + 1_000_003);
  const pickC = <T,>(xs: readonly T[]) => xs[Math.floor(rc() * xs.length)];
  for (const { userId, persona, context } of known) {
    const age = 18 + Math.floor(rc() * 60);
    const traits = { age, job: pickC(['admin.', 'technician', 'services', 'management', 'retired', 'student']), marital: pickC(['married', 'single', 'divorced']), education: pickC(['high.school', 'university.degree', 'professional.course']) };
    const channel = rc() < 0.4 ? 'sms' : 'email';
    const lean = (persona === 'loyal' || persona === 'big_spender' ? 1.4 : persona === 'lapsed' ? -1 : 0) + (channel === 'sms' ? 0.8 : 0) - 0.035 * (age - 40);
    const when = at(5 + Math.floor(rc() * 70));
    push({ type: 'identify', userId, traits, when: new Date(when.getTime() - 3_600_000), context });
    const properties = { campaign_id: 'spring-offer', channel, outcome: rc() < 1 / (1 + Math.exp(-(lean - 1.2))) ? 'converted' : 'declined', month: MONTHS[when.getUTCMonth()], day_of_week: DAYS[when.getUTCDay()], campaign_contacts: 1 + Math.floor(rc() * 3), previous_contacts: 0 };
    push({ type: 'track', userId, event: 'Campaign Contacted', when, properties, context });
  }
  // A few people change their id: alias joins the old one to the new one.
  for (let k = 0; k < 3; k++) {
    const userId = `cust-${String(k + 1).padStart(4, '0')}`;
    push({ type: 'alias', userId: `member-${k + 1}`, previousId: userId, when: at(2) });
  }
  // Traffic Clean must filter: a crawler and a QA test order.
  for (let k = 0; k < 5; k++) push({ type: 'page', anonymousId: `crawler-${k}`, name: 'Home', when: at(k), context: { userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' } });
  push({ type: 'track', userId: 'qa-1', event: 'Order Completed', when: at(1), properties: { revenue: 1, test: true, products: [] }, context: { test: true } });

  return events
    .filter((e) => e.at >= start && e.at <= end)
    .sort((a, b) => a.at - b.at)
    .map(({ at: _at, ...e }) => e);
}
