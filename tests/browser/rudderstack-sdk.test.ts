/**
 * The real @rudderstack/analytics-js 3.x (its npm package's `bundled` export: the plugins are
 * in the bundle, none is fetched from RudderStack's CDN; bundled here with esbuild) in Debian's
 * Chromium, against the local platform, with nothing changed but hosts and transport:
 * `load(writeKey, <API>, { configUrl: <API> })` (and `<API>/sourceConfig`, the form the README
 * gives, on the second page). It loads its source configuration from Sightline
 * (GET /sourceConfig/, Basic auth and ?writeKey=), posts identify/page/track one by
 * one to the long paths (/v1/identify, /v1/page, /v1/track; application/json, Basic auth,
 * AnonymousId and SentAt headers, so every post is preflighted), and with `useBeacon` sends
 * its queue by navigator.sendBeacon to /beacon/v1/batch?writeKey=… when the page goes away.
 * Everything must end in one profile in dynalite. The page is served from another loopback
 * origin than the API, so CORS is exercised as on a real site.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artefactPath, chromiumAvailable, launchBrowser } from '../helpers/browser.ts';
import { allProfiles, failedEvents } from '../helpers/platform.ts';
import { sdkSite, VISITOR_UA } from '../helpers/sdk-site.ts';

let shop: Awaited<ReturnType<typeof sdkSite>>;

describe.skipIf(!chromiumAvailable())('@rudderstack/analytics-js in Chromium', () => {
  beforeAll(async () => {
    shop = await sdkSite("import { RudderAnalytics } from '@rudderstack/analytics-js/bundled'; window.RudderAnalytics = RudderAnalytics;");
  }, 600_000);

  afterAll(async () => shop?.cleanup());

  it('loads its source configuration from Sightline and lands identify, page, track and an unload beacon in one profile', async () => {
    const { platform, writeKey, siteUrl, seen, arrived } = shop;
    const browser = await launchBrowser({ userAgent: VISITOR_UA });
    const logs: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
      // Prepare: page one sends each call as it happens (XhrQueue, the default transport).
      await page.goto(`${siteUrl}/home`);
      // Act
      const anonymousId = await page.evaluate(
        async ({ writeKey, api }) => {
          const rudderanalytics = new (globalThis as any).RudderAnalytics();
          await new Promise<void>((resolve, reject) => {
            setTimeout(() => reject(new Error('load() did not finish in 30 s')), 30_000);
            rudderanalytics.load(writeKey, api, { configUrl: api, onLoaded: () => resolve() });
          });
          rudderanalytics.page('Home');
          rudderanalytics.identify('ada-browser', { email: 'Ada@Example.com', name: 'Ada' });
          rudderanalytics.track('Order Completed', { order_id: 'o-r1', revenue: 36, currency: 'GBP', products: [{ product_id: 'p1', price: 12, quantity: 3 }] });
          return rudderanalytics.getAnonymousId() as string;
        },
        { writeKey, api: platform.apiUrl },
      );
      for (const path of ['/v1/page', '/v1/identify', '/v1/track']) await arrived(path, 1);

      // Page two sends by sendBeacon: its queue is flushed when the page goes away. (configUrl
      // ending in /sourceConfig: the SDK then asks for that path as it is, no trailing slash.)
      await page.goto(`${siteUrl}/basket`);
      await page.evaluate(
        async ({ writeKey, api }) => {
          const rudderanalytics = new (globalThis as any).RudderAnalytics();
          await new Promise<void>((resolve, reject) => {
            setTimeout(() => reject(new Error('load() did not finish in 30 s')), 30_000);
            rudderanalytics.load(writeKey, api, { configUrl: `${api}/sourceConfig`, useBeacon: true, beaconQueueOptions: { maxItems: 100, flushQueueInterval: 600_000 }, onLoaded: () => resolve() });
          });
          rudderanalytics.page('Basket');
          for (const id of ['p1', 'p2']) rudderanalytics.track('Product Added', { product_id: id, price: 12, quantity: 1 });
        },
        { writeKey, api: platform.apiUrl },
      );
      await page.screenshot({ path: artefactPath('rudderstack-sdk-basket.png') });
      expect(seen.filter((s) => s.path === '/beacon/v1/batch'), 'nothing is beaconed before the page goes away').toEqual([]);
      await page.goto('about:blank');
      await arrived('/beacon/v1/batch', 1);
      await platform.waitForIdle(600_000); // generous: the shared machine can be very busy

      // Assess: the paths and bodies the SDK really sent.
      const posts = seen.filter((s) => s.method === 'POST');
      expect(posts.map((s) => s.path).sort(), logs.join('\n')).toEqual(['/beacon/v1/batch', '/v1/identify', '/v1/page', '/v1/track']);
      const xhr = posts.filter((s) => s.path.startsWith('/v1/'));
      expect(xhr.every((s) => s.type.startsWith('application/json') && s.auth)).toBe(true);
      const [beacon] = posts.filter((s) => s.path === '/beacon/v1/batch');
      expect([beacon.type, beacon.auth, beacon.query.get('writeKey')]).toEqual(['text/plain', false, writeKey]); // a Blob of type text/plain: no preflight
      // The source configuration, from Sightline each time (both configUrl forms); nothing else was fetched from the API.
      const gets = seen.filter((s) => s.method === 'GET');
      expect(new Set(gets.map((s) => s.path))).toEqual(new Set(['/sourceConfig/', '/sourceConfig']));
      expect(gets.every((s) => s.auth && s.query.get('writeKey') === writeKey)).toBe(true);
      // Assess: everything in one profile, the anonymous page included (a fresh platform: no other profile).
      const profiles = await allProfiles(platform);
      expect(profiles.map((p) => p.identities.userIds)).toEqual([['ada-browser']]);
      const [ada] = profiles;
      expect(await failedEvents(platform)).toEqual([]);
      expect(ada.identities.anonymousIds).toEqual([anonymousId]);
      expect(ada.traits).toMatchObject({ name: 'Ada' });
      expect(ada.identities.emailHashes).toHaveLength(1);
      expect(ada.aggregates).toMatchObject({ events: 6, orders: 1, revenue: 36 });
    } finally {
      await browser.close();
    }
  }, 900_000);

  it('does not load for an unknown write key, and logs Sightline\'s reason', async () => {
    const { platform, siteUrl } = shop;
    const browser = await launchBrowser();
    const logs: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
      await page.goto(`${siteUrl}/home`);
      // Act
      const loaded = await page.evaluate(async ({ api }) => {
        const rudderanalytics = new (globalThis as any).RudderAnalytics();
        return new Promise<boolean>((resolve) => {
          setTimeout(() => resolve(false), 10_000);
          rudderanalytics.load('not-a-real-write-key', api, { configUrl: api, onLoaded: () => resolve(true) });
        });
      }, { api: platform.apiUrl });
      // Assess
      expect(loaded).toBe(false);
      const error = logs.find((l) => l.startsWith('error:') && l.includes('Failed to fetch the source config'));
      expect(error, logs.join('\n')).toMatch(/status 401 .*the write key is not valid \(unknown or disabled source\)/);
    } finally {
      await browser.close();
    }
  }, 300_000);
});
