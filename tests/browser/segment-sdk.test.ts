/**
 * The real @segment/analytics-next (npm package, bundled here with esbuild) in Debian's
 * Chromium, against the local platform, with nothing changed but `cdnURL`: it loads its
 * settings from Sightline (GET /v1/projects/<writeKey>/settings, which names this API as
 * apiHost), sends identify/page/track to the short paths (/v1/i, /v1/p, /v1/t) with
 * text/plain bodies, and in batching mode flushes to /v1/b when the page goes away. A
 * (globalThis as any).navigator.sendBeacon of a batch (text/plain, the key in the body, no header) goes with it.
 * Everything must end in one profile in dynalite. The page is served from another loopback
 * origin than the API, so CORS is exercised as on a real site.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artefactPath, launchBrowser } from '../helpers/browser.ts';
import { allProfiles, failedEvents } from '../helpers/platform.ts';
import { sdkSite, VISITOR_UA } from '../helpers/sdk-site.ts';

let shop: Awaited<ReturnType<typeof sdkSite>>;

beforeAll(async () => {
  shop = await sdkSite("import { AnalyticsBrowser } from '@segment/analytics-next'; window.AnalyticsBrowser = AnalyticsBrowser;");
}, 600_000);

afterAll(async () => shop?.cleanup());

describe('@segment/analytics-next in Chromium', () => {
  // A visitor's browser, not a headless one: Clean keeps `HeadlessChrome` traffic aside as
  // bot_traffic (functions/domain/clean/clean.ts BOT_UA), which is what a real site wants and what
  // hid these events in the first version of this test (they were in the failed-events store, not lost).
  it('loads its settings from Sightline and lands identify, page, track and an unload batch in one profile', async () => {
    const { platform, writeKey, siteUrl, seen, arrived } = shop;
    const browser = await launchBrowser({ userAgent: VISITOR_UA });
    const logs: string[] = [];
    try {
      const page = await browser.newPage();
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
      // Prepare: page one sends each call as it happens (the default delivery).
      await page.goto(`${siteUrl}/home`);
      // Act
      const failures = await page.evaluate(
        async ({ writeKey, cdnURL }) => {
          const [analytics] = await (globalThis as any).AnalyticsBrowser.load({ writeKey, cdnURL });
          const ctxs = [await analytics.page('Home'), await analytics.identify('ada-browser', { email: 'Ada@Example.com', name: 'Ada' }), await analytics.track('Product Viewed', { product_id: 'p1', price: 12 })];
          return ctxs.map((c: any) => c.failedDelivery()?.reason?.message ?? null);
        },
        { writeKey, cdnURL: platform.apiUrl },
      );
      expect(failures, logs.join('\n')).toEqual([null, null, null]);

      // Page two batches, and flushes when it goes away; a beacon leaves with it.
      await page.goto(`${siteUrl}/basket`);
      await page.evaluate(
        async ({ writeKey, cdnURL }) => {
          const [analytics] = await (globalThis as any).AnalyticsBrowser.load({ writeKey, cdnURL }, { integrations: { 'Segment.io': { deliveryStrategy: { strategy: 'batching', config: { size: 100, timeout: 600_000 } } } } });
          for (const id of ['p1', 'p2', 'p3']) await analytics.track('Product Added', { product_id: id, price: 12, quantity: 1 });
          const userId = analytics.user().id();
          (globalThis as any).addEventListener('pagehide', () => {
            const order = { type: 'track', userId, event: 'Order Completed', properties: { order_id: 'o-b1', revenue: 36, currency: 'GBP', products: [{ product_id: 'p1', price: 12, quantity: 3 }] } };
            (globalThis as any).navigator.sendBeacon(`${cdnURL}/v1/b`, JSON.stringify({ writeKey, batch: [order] }));
          });
        },
        { writeKey, cdnURL: platform.apiUrl },
      );
      await page.screenshot({ path: artefactPath('segment-sdk-basket.png') });
      await page.goto('about:blank');
      await arrived('/v1/b', 2);
      await platform.waitForIdle(600_000); // generous: the shared machine can be very busy

      // Assess: the paths and bodies analytics.js really sent.
      const posts = seen.filter((s) => s.method === 'POST');
      expect(posts.map((s) => s.path).slice(0, 3)).toEqual(['/v1/p', '/v1/i', '/v1/t']);
      expect(posts.every((s) => s.type.startsWith('text/plain'))).toBe(true);
      expect(posts.filter((s) => s.path === '/v1/b').map((s) => s.auth).sort()).toEqual([false, true]); // the beacon carries its key in the body only
      // Settings loaded from Sightline (the second page may take them from the HTTP cache: max-age 300).
      const gets = seen.filter((s) => s.method === 'GET').map((s) => s.path);
      expect(gets.length).toBeGreaterThan(0);
      expect(new Set(gets)).toEqual(new Set([`/v1/projects/${writeKey}/settings`]));
      // Assess: everything in one profile, the anonymous page included (a fresh platform: no other profile).
      const profiles = await allProfiles(platform);
      expect(profiles.map((p) => p.identities.userIds)).toEqual([['ada-browser']]);
      const [ada] = profiles;
      expect(await failedEvents(platform)).toEqual([]);
      expect(ada.identities.anonymousIds).toHaveLength(1);
      expect(ada.traits).toMatchObject({ name: 'Ada' });
      expect(ada.identities.emailHashes).toHaveLength(1);
      expect(ada.aggregates).toMatchObject({ events: 7, orders: 1, revenue: 36 });
    } finally {
      await browser.close();
    }
  }, 900_000);

  it('fails to load with a clear message for an unknown write key', async () => {
    const { platform, siteUrl } = shop;
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(`${siteUrl}/home`);
      // Act
      const error = await page.evaluate(async ({ cdnURL }) => {
        try {
          await (globalThis as any).AnalyticsBrowser.load({ writeKey: 'not-a-real-write-key', cdnURL });
          return 'loaded';
        } catch (e) {
          return String((e as Error).message);
        }
      }, { cdnURL: platform.apiUrl });
      // Assess
      expect(JSON.parse(error)).toMatchObject({ success: false, error: 'not_found', message: expect.stringContaining('write key') });
    } finally {
      await browser.close();
    }
  }, 300_000);
});
