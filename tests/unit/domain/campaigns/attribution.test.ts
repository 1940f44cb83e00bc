import { describe, expect, it } from 'vitest';
import type { CleanEvent } from '../../../../schemas/clean-event.ts';
import type { Profile } from '../../../../schemas/profile.ts';
import { newProfile } from '../../../../functions/domain/profiles/profile.ts';
import { identityKeyString } from '../../../../functions/domain/profiles/ports.ts';
import { attributeConversions, attributionStart, goalEventsOf, inWindow, type ActiveGoal, type Conversion, type ConversionStore } from '../../../../functions/domain/campaigns/attribution.ts';
import type { SendKey, SendRecord } from '../../../../functions/domain/campaigns/ports.ts';

const T0 = '2026-03-01T10:00:00.000Z';
const plusH = (h: number) => new Date(Date.parse(T0) + h * 3_600_000).toISOString();

function event(over: Partial<CleanEvent>): CleanEvent {
  return { v: 1, messageId: 'm1', type: 'track', event: 'Order Completed', timestamp: plusH(1), receivedAt: plusH(1), sourceId: 's', traits: {}, properties: {}, ...over };
}

/** The store the adapter implements: conversions keyed on (campaign, person, messageId). */
class FakeRecords implements ConversionStore {
  readonly records = new Map<string, SendRecord & { conversionIds: Set<string>; revenue: number }>();
  readonly batchCalls: SendKey[][] = [];
  add(r: Partial<SendRecord> & SendKey) {
    this.records.set(`${r.campaignId}/${r.personId}`, { status: 'SENT', claimedAt: T0, updatedAt: T0, ...r, conversionIds: new Set(), revenue: 0 });
  }
  async getRecords(keys: readonly SendKey[]) {
    this.batchCalls.push([...keys]);
    return keys.map((k) => this.records.get(`${k.campaignId}/${k.personId}`)).filter((r) => r !== undefined);
  }
  async recordConversion(key: SendKey, c: Conversion) {
    const r = this.records.get(`${key.campaignId}/${key.personId}`);
    if (!r) return 'no_record' as const;
    if (r.conversionIds.has(c.messageId)) return 'duplicate' as const;
    r.conversionIds.add(c.messageId);
    r.revenue += c.revenue ?? 0;
    return 'recorded' as const;
  }
  credited(campaignId: string, personId: string) {
    return this.records.get(`${campaignId}/${personId}`)?.conversionIds.size ?? 0;
  }
}

function profiles(list: Profile[], owners: Record<string, string> = {}) {
  const byId = new Map(list.map((p) => [p.profileId, p]));
  return {
    reads: 0,
    async getProfiles(ids: string[]) {
      this.reads += 1;
      return new Map(ids.flatMap((id) => (byId.has(id) ? [[id, byId.get(id)!] as const] : [])));
    },
    async findIdentities(keys: { kind: 'user' | 'anon' | 'email'; value: string }[]) {
      return new Map(keys.flatMap((k) => (owners[k.value] ? [[identityKeyString(k), owners[k.value]] as const] : [])));
    },
  };
}

const goal: ActiveGoal = { campaignId: 'c1', event: 'Order Completed', windowHours: 24, until: plusH(1000) };

describe('attribution windows', () => {
  it('counts both ends of the window and nothing outside it', () => {
    // Prepare / Act / Assess
    expect(inWindow(T0, T0, 24)).toBe(true);
    expect(inWindow(T0, plusH(24), 24)).toBe(true);
    expect(inWindow(T0, plusH(24.001), 24)).toBe(false);
    expect(inWindow(T0, plusH(-0.001), 24)).toBe(false);
  });

  it('starts the holdout at its would-be send time and an unsent assigned person at the decision', () => {
    expect(attributionStart({ arm: 'holdout', sentAt: plusH(5), claimedAt: T0 })).toBe(plusH(5));
    expect(attributionStart({ arm: 'a', claimedAt: T0 })).toBe(T0);
    expect(attributionStart({ claimedAt: T0 })).toBeUndefined();
  });

  it('keeps only track events named as an active goal', () => {
    const evs = [event({}), event({ messageId: 'm2', event: 'Product Viewed' }), event({ messageId: 'm3', type: 'page', event: 'Order Completed' })];
    expect(goalEventsOf(evs, [goal]).map((e) => e.messageId)).toEqual(['m1']);
  });
});

describe('attributeConversions', () => {
  it('credits a goal event in the window to the arm, a late one inside the window too, and not one outside', async () => {
    // Prepare
    const records = new FakeRecords();
    records.add({ campaignId: 'c1', personId: 'u-ann', arm: 'a', sentAt: T0 });
    records.add({ campaignId: 'c1', personId: 'u-bob', arm: 'holdout', status: 'SKIPPED', reason: 'holdout', sentAt: plusH(10) });
    const store = profiles([newProfile('u-ann', T0), newProfile('u-bob', T0)]);
    const events = [
      event({ messageId: 'in', userId: 'ann', timestamp: plusH(3), order: { revenue: 40, products: [] }, currency: 'GBP' }),
      // Received two days late, but it happened inside the window: it counts.
      event({ messageId: 'late-in', userId: 'bob', timestamp: plusH(30), receivedAt: plusH(80) }),
      event({ messageId: 'before-holdout-start', userId: 'bob', timestamp: plusH(9) }),
      event({ messageId: 'after', userId: 'ann', timestamp: plusH(25) }),
      event({ messageId: 'stranger', userId: 'zed', timestamp: plusH(2) }),
    ];
    // Act
    const r = await attributeConversions(events, { goals: [goal], records, profiles: store });
    // Assess
    expect(r).toEqual({ goalEvents: 5, credited: 2, duplicates: 0, outsideWindow: 2, unmatched: 1 });
    expect([...records.records.get('c1/u-ann')!.conversionIds]).toEqual(['in']);
    expect(records.records.get('c1/u-ann')!.revenue).toBe(40);
    expect([...records.records.get('c1/u-bob')!.conversionIds]).toEqual(['late-in']);
  });

  it('credits a redelivered goal event once', async () => {
    const records = new FakeRecords();
    records.add({ campaignId: 'c1', personId: 'u-ann', arm: 'a', sentAt: T0 });
    const deps = { goals: [goal], records, profiles: profiles([newProfile('u-ann', T0)]) };
    const e = event({ userId: 'ann' });
    const first = await attributeConversions([e], deps);
    const again = await attributeConversions([e, e], deps);
    expect(first.credited).toBe(1);
    expect(again).toMatchObject({ credited: 0, duplicates: 2 });
    expect(records.credited('c1', 'u-ann')).toBe(1);
  });

  it('follows a merge: mail to the anonymous profile, purchase by the known user after it was absorbed', async () => {
    // Prepare: a-x was mailed, then merged into u-ann.
    const records = new FakeRecords();
    records.add({ campaignId: 'c1', personId: 'a-x', arm: 'b', sentAt: T0 });
    const anon = { ...newProfile('a-x', T0), mergedInto: 'u-ann' };
    const ann = { ...newProfile('u-ann', T0), absorbed: ['a-x'] };
    // Act
    const r = await attributeConversions([event({ userId: 'ann' })], { goals: [goal], records, profiles: profiles([anon, ann]) });
    // Assess
    expect(r.credited).toBe(1);
    expect(records.credited('c1', 'a-x')).toBe(1);
  });

  it('follows an anonymous id to its owner and the owner to its survivor', async () => {
    const records = new FakeRecords();
    records.add({ campaignId: 'c1', personId: 'u-ann', arm: 'a', sentAt: T0 });
    const r = await attributeConversions([event({ anonymousId: 'device-1' })], { goals: [goal], records, profiles: profiles([newProfile('u-ann', T0)], { 'device-1': 'u-ann' }) });
    expect(r.credited).toBe(1);
  });

  it('credits one record per campaign when merged profiles were each sent: the survivor’s', async () => {
    const records = new FakeRecords();
    records.add({ campaignId: 'c1', personId: 'a-x', arm: 'b', sentAt: T0 });
    records.add({ campaignId: 'c1', personId: 'u-ann', arm: 'a', sentAt: plusH(1) });
    const anon = { ...newProfile('a-x', T0), mergedInto: 'u-ann' };
    const ann = { ...newProfile('u-ann', T0), absorbed: ['a-x'] };
    const r = await attributeConversions([event({ userId: 'ann', anonymousId: 'x', timestamp: plusH(2) })], { goals: [goal], records, profiles: profiles([anon, ann]) });
    expect(r.credited).toBe(1);
    expect(records.credited('c1', 'u-ann')).toBe(1);
    expect(records.credited('c1', 'a-x')).toBe(0);
  });

  it('credits each campaign with that goal, each within its own window, and reads no store for other events', async () => {
    const records = new FakeRecords();
    records.add({ campaignId: 'c1', personId: 'u-ann', arm: 'a', sentAt: T0 });
    records.add({ campaignId: 'c2', personId: 'u-ann', arm: 'holdout', status: 'SKIPPED', reason: 'holdout', sentAt: T0 });
    const store = profiles([newProfile('u-ann', T0)]);
    const goals = [goal, { ...goal, campaignId: 'c2', windowHours: 1 }];
    const r = await attributeConversions([event({ userId: 'ann', timestamp: plusH(2) })], { goals, records, profiles: store });
    expect(r).toMatchObject({ credited: 1, outsideWindow: 1 });
    const before = { reads: store.reads, batches: records.batchCalls.length };
    await attributeConversions([event({ messageId: 'v', event: 'Product Viewed', userId: 'ann' })], { goals, records, profiles: store });
    expect({ reads: store.reads, batches: records.batchCalls.length }).toEqual(before);
  });
});
