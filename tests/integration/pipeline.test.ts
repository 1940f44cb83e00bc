/**
 * The local platform for real: emulators on loopback, the CDK app's resources, the same
 * handlers in workers, the ESM pollers; events sent by the unmodified Segment and
 * RudderStack Node SDKs (only their host changed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { allProfiles, basicAuth, failedEvents, testPlatform } from '../helpers/platform.ts';

type P = Awaited<ReturnType<typeof testPlatform>>;
let platform: P;
let writeKey: string;

beforeAll(async () => {
  platform = await testPlatform();
  ({ writeKey } = await platform.createSource('it'));
});
afterAll(async () => platform?.cleanup());

async function profileOf(id: string) {
  const res = await fetch(`${platform.apiUrl}/v1/profiles/${encodeURIComponent(id)}`);
  return { status: res.status, body: (res.status === 200 ? await res.json() : undefined) as any };
}

describe('local platform, end to end', () => {
  it('takes events from @segment/analytics-node into tagged profiles, and merges identify-after-anonymous', async () => {
    // Prepare
    const analytics = new Analytics({ writeKey, host: platform.apiUrl, maxEventsInBatch: 50, flushInterval: 200 });
    // Act: anonymous browsing and a guest order, then the person signs in on the same device.
    analytics.page({ anonymousId: 'anon-ada', name: 'Home', timestamp: new Date('2011-10-01T10:00:00Z') });
    analytics.track({ anonymousId: 'anon-ada', event: 'Order Completed', timestamp: new Date('2011-10-01T10:05:00Z'), properties: { order_id: 'o1', revenue: 30, currency: 'gbp', products: [{ product_id: 'p1', price: 15, quantity: 2, category: 'mugs' }] } });
    analytics.track({ userId: 'ada', event: 'Order Completed', timestamp: new Date('2011-11-02T10:00:00Z'), properties: { order_id: 'o2', revenue: 70, currency: 'GBP', products: [{ product_id: 'p2', price: 35, quantity: 2, category: 'bags' }] } });
    analytics.identify({ userId: 'ada', anonymousId: 'anon-ada', traits: { email: 'Ada@Example.com', name: 'Ada' }, timestamp: new Date('2011-11-03T10:00:00Z') });
    analytics.track({ userId: 'ada', event: 'Order Completed', timestamp: new Date('2011-12-05T10:00:00Z'), properties: { order_id: 'o3', revenue: 50, currency: 'GBP', products: [{ product_id: 'p3', price: 10, quantity: 5, category: 'mugs' }] } });
    await analytics.closeAndFlush();
    await platform.waitForIdle();
    // Assess
    const { status, body } = await profileOf('ada');
    expect(status).toBe(200);
    expect(body.aggregates).toMatchObject({ orders: 3, revenue: 150, events: 5, items: 9 });
    expect(body.identities.anonymousIds).toEqual(['anon-ada']);
    expect(body.traits).toMatchObject({ email: 'ada@example.com', name: 'Ada' });
    expect(body.tags).toMatchObject({ loyal: true, top_category: 'mugs', rfm_f: 3 });
    expect((await profileOf('anon:anon-ada')).body.profileId).toBe(body.profileId);
  });

  it('takes gzipped batches from @rudderstack/rudder-sdk-node', async () => {
    const client = new RudderAnalytics(writeKey, { dataPlaneUrl: platform.apiUrl, flushAt: 10, flushInterval: 200, logLevel: 'error' });
    for (let i = 0; i < 12; i++) client.track({ userId: 'grace', event: 'Order Completed', properties: { revenue: 10, products: [{ product_id: `p${i}`, price: 10, quantity: 1 }] }, timestamp: new Date(Date.UTC(2011, 10, 1 + i)) });
    await client.flush();
    await platform.waitForIdle();
    const { body } = await profileOf('grace');
    expect(body.aggregates.orders).toBe(12);
  });

  it('refuses a wrong write key and keeps invalid events in the failed-events store', async () => {
    const bad = await fetch(`${platform.apiUrl}/v1/track`, { method: 'POST', headers: { authorization: basicAuth('not-a-real-key'), 'content-type': 'application/json' }, body: '{}' });
    expect(bad.status).toBe(403);
    const res = await fetch(`${platform.apiUrl}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' },
      body: JSON.stringify({ batch: [{ type: 'track', userId: 'zed', event: 'Signed Up', messageId: 'ok-1' }, { type: 'track', userId: 'zed' }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).rejected).toEqual([{ index: 1, issues: [{ field: 'batch[1].event', rule: expect.stringMatching(/required/) }] }]);
    await platform.waitForIdle();
    const failed = await failedEvents(platform);
    expect(failed.some((f) => f.stage === 'collect' && f.reason === 'schema_violation' && (f.payload as { userId?: string }).userId === 'zed')).toBe(true);
    expect((await allProfiles(platform)).some((p) => p.identities.userIds.includes('zed'))).toBe(true);
  });
});
