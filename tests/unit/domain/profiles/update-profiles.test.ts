import { describe, expect, it } from 'vitest';
import { updateProfiles, updateProfilesWithRetry, type UpdateDeps } from '../../../../functions/domain/profiles/update-profiles.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../../../functions/domain/tag/tags.ts';
import { MemoryProfileStore } from '../../../helpers/memory-profile-store.ts';
import { cleanEvent, order } from '../../../helpers/events.ts';

function deps(store: MemoryProfileStore): UpdateDeps {
  return { store, ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID, now: () => new Date('2011-07-01T00:00:00Z'), clock: 'event' };
}

describe('updateProfiles', () => {
  it('coalesces one person’s events in a batch into one profile write', async () => {
    // Prepare
    const store = new MemoryProfileStore();
    const events = [order('u1', '2011-05-01T10:00:00Z', 50), order('u1', '2011-06-01T10:00:00Z', 70), order('u1', '2011-06-20T10:00:00Z', 30)];
    // Act
    const report = await updateProfiles(events, deps(store));
    // Assess
    expect(report.profilesWritten).toBe(1);
    const [p] = store.live();
    expect(p.aggregates.orders).toBe(3);
    expect(p.aggregates.revenue).toBe(150);
    expect(p.aggregates.months).toEqual({ '2011-05': { orders: 1, revenue: 50 }, '2011-06': { orders: 2, revenue: 100 } });
    expect(p.tags.lifecycle).toBe('active');
    expect(p.tags.rfm_r).toBe(5);
    expect(p.tagsAsOf).toBe('2011-06-20T10:00:00.000Z');
  });

  it('counts an order sent in parts once, with every part’s revenue and items', async () => {
    const store = new MemoryProfileStore();
    const part = (n: number, revenue: number) => order('u1', '2011-05-01T10:00:00Z', revenue, { order: { orderId: 'big', revenue, part: n, products: [{ productId: `p${n}`, price: revenue, quantity: 1 }] } });
    await updateProfiles([part(1, 100), part(2, 50), part(3, 25)], deps(store));
    expect(store.live()[0].aggregates).toMatchObject({ orders: 1, revenue: 175, items: 3, months: { '2011-05': { orders: 1, revenue: 175 } } });
  });

  it('makes a re-delivered batch a no-op (exactly once in effect)', async () => {
    const store = new MemoryProfileStore();
    const events = [order('u1', '2011-05-01T10:00:00Z', 50), order('u2', '2011-05-02T10:00:00Z', 20)];
    await updateProfiles(events, deps(store));
    const report = await updateProfiles(events, deps(store));
    expect(report.duplicates).toBe(2);
    expect(report.profilesWritten).toBe(0);
    expect(store.live().map((p) => p.aggregates.orders)).toEqual([1, 1]);
  });

  it('merges anonymous browsing into the identified profile on identify', async () => {
    const store = new MemoryProfileStore();
    await updateProfiles([cleanEvent({ anonymousId: 'a1', type: 'page', event: 'Home', channel: 'web' }), order('x', '2011-01-01T00:00:00Z', 5, { userId: undefined, anonymousId: 'a1' })], deps(store));
    await updateProfiles([order('u9', '2011-02-01T00:00:00Z', 10)], deps(store));
    // Act: the person logs in on the device that browsed anonymously.
    await updateProfiles([cleanEvent({ type: 'identify', userId: 'u9', anonymousId: 'a1', traits: { plan: 'pro' } })], deps(store));
    // Assess
    const live = store.live();
    expect(live).toHaveLength(1);
    expect(live[0].aggregates.orders).toBe(2);
    expect(live[0].aggregates.revenue).toBe(15);
    expect(live[0].identities.anonymousIds).toContain('a1');
    expect(live[0].traits.plan).toBe('pro');
    expect(store.identities.get('anon#a1')).toBe(live[0].profileId);
    expect(store.profiles.size).toBe(2);
  });

  it('alias joins a previous id to a user', async () => {
    const store = new MemoryProfileStore();
    await updateProfiles([order('old-id', '2011-01-01T00:00:00Z', 5, { userId: undefined, anonymousId: 'old-id' })], deps(store));
    await updateProfiles([cleanEvent({ type: 'alias', userId: 'new-user', previousId: 'old-id' })], deps(store));
    await updateProfiles([order('new-user', '2011-02-01T00:00:00Z', 7)], deps(store));
    expect(store.live()).toHaveLength(1);
    expect(store.live()[0].aggregates.orders).toBe(2);
  });

  it('never merges two different known users who shared a device', async () => {
    const store = new MemoryProfileStore();
    await updateProfiles([cleanEvent({ type: 'identify', userId: 'alice', anonymousId: 'device-1' })], deps(store));
    await updateProfiles([cleanEvent({ type: 'identify', userId: 'bob', anonymousId: 'device-1' })], deps(store));
    expect(store.live()).toHaveLength(2);
  });

  it('finishes a merge that a crash left half done', async () => {
    const store = new MemoryProfileStore();
    await updateProfiles([order('x', '2011-01-01T00:00:00Z', 5, { userId: undefined, anonymousId: 'a1' })], deps(store));
    await updateProfiles([order('u1', '2011-02-01T00:00:00Z', 10)], deps(store));
    // Crash after the absorbed profile was frozen (1st save), before the survivor was written (2nd save).
    store.failSaveAt = 2;
    await expect(updateProfiles([cleanEvent({ type: 'identify', userId: 'u1', anonymousId: 'a1' })], deps(store))).rejects.toThrow(/injected/);
    // Act: the stream retries the batch.
    await updateProfiles([cleanEvent({ type: 'identify', userId: 'u1', anonymousId: 'a1', messageId: 'retry-does-not-matter' })], deps(store));
    // Assess: history counted once.
    const live = store.live();
    expect(live).toHaveLength(1);
    expect(live[0].aggregates.orders).toBe(2);
    expect(live[0].aggregates.revenue).toBe(15);
  });

  it('re-reads and retries when another writer wins the race', async () => {
    const store = new MemoryProfileStore();
    await updateProfiles([order('u1', '2011-01-01T00:00:00Z', 5)], deps(store));
    store.concurrentWriteAt = 1;
    const report = await updateProfilesWithRetry([order('u1', '2011-02-01T00:00:00Z', 10)], deps(store));
    expect(report.applied).toBe(1);
    expect(store.live()[0].aggregates.orders).toBe(2);
  });

  it('gives up after the retry budget with the conflict error', async () => {
    const store = new MemoryProfileStore();
    await updateProfiles([order('u1', '2011-01-01T00:00:00Z', 5)], deps(store));
    store.concurrentWriteAt = 1;
    await expect(updateProfilesWithRetry([order('u1', '2011-02-01T00:00:00Z', 10)], deps(store), 1)).rejects.toThrow(/changed concurrently/);
  });
});

describe('updateProfiles: the event clock is each profile’s own (issue 10, finding 4)', () => {
  it('one event dated 9999 does not re-tag the rest of its batch, and its own profile is tagged as of its receipt', async () => {
    // Prepare: u1 just ordered; u2's event claims year 9999 (as stored before Clean refused such times)
    const store = new MemoryProfileStore();
    const events = [
      order('u1', '2011-06-20T10:00:00Z', 30),
      cleanEvent({ userId: 'u2', event: 'Product Viewed', timestamp: '9999-12-31T00:00:00.000Z', receivedAt: '2026-11-22T10:00:00.000Z' }),
    ];
    // Act
    await updateProfiles(events, deps(store));
    // Assess
    const u1 = store.profiles.get('u-u1')!;
    expect(u1.tagsAsOf).toBe('2011-06-20T10:00:00.000Z');
    expect(u1.tags.lifecycle).toBe('new'); // a first order just placed (before: 'lost', tagged as of 9999)
    expect(store.profiles.get('u-u2')!.tagsAsOf).toBe('2026-11-22T10:00:00.000Z');
  });

  it('compares instants as instants, not as text', async () => {
    // Prepare: v1 stored expanded-year times as given ('+002011-…' sorts before '2011-…' as text)
    const store = new MemoryProfileStore();
    await updateProfiles([cleanEvent({ type: 'identify', userId: 'u3', timestamp: '2011-06-20T10:00:00.000Z', traits: { plan: 'old' } })], deps(store));
    // Act: a later identify, its time written with an expanded year
    await updateProfiles([cleanEvent({ type: 'identify', userId: 'u3', timestamp: '+002011-06-30T10:00:00.000Z', traits: { plan: 'new' } })], deps(store));
    // Assess
    expect(store.profiles.get('u-u3')!.traits.plan).toBe('new');
    expect(Date.parse(store.profiles.get('u-u3')!.aggregates.lastSeen!)).toBe(Date.parse('2011-06-30T10:00:00.000Z'));
  });
});
