/**
 * Bounded load and reconcile on the real local platform: concurrent clients post batches of
 * `Order Completed` events for a few users; once the pipeline is idle every user's stored
 * orders equal what was accepted for them, and no stored profile version ever went
 * backwards while the load ran (bench/load-reconcile.ts is the full-size run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPlatform } from '../helpers/platform.ts';
import { loadAndReconcile } from '../../bench/load-reconcile.ts';

type P = Awaited<ReturnType<typeof testPlatform>>;
let platform: P;
let writeKey: string;

beforeAll(async () => {
  platform = await testPlatform();
  ({ writeKey } = await platform.createSource('load'));
});
afterAll(async () => platform?.cleanup());

describe('local platform under concurrent load', () => {
  it('counts every accepted event exactly once and never moves a profile version backwards', async () => {
    // Prepare: 6 clients, 20 users (profiles written once per Tag batch each), about 4,000 events.
    // Act
    const r = await loadAndReconcile(platform, writeKey, { clients: 6, users: 20, batch: 10, seconds: 30, maxEvents: 4000, pollMs: 300 });
    // Assess
    expect(r.accepted).toBeGreaterThanOrEqual(1000);
    expect(r.httpErrors).toBe(0);
    expect(r.regressions).toEqual([]);
    expect(r.mismatches).toEqual([]);
    expect(platform.pollerErrors).toEqual([]);
  });
});
