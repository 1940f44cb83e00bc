/**
 * The attribution consumer (functions/handlers/attribute-conversions.ts): the active goals are
 * read for each batch that holds a track, so a campaign started a moment ago with a goal name
 * another campaign already uses is credited from its first batch; a batch without a track
 * reads nothing.
 */
import { describe, expect, it } from 'vitest';
import { makeAttributeConversions } from '../../../functions/handlers/attribute-conversions.ts';
import type { ActiveGoal } from '../../../functions/domain/campaigns/attribution.ts';
import { cleanEvent } from '../../helpers/events.ts';
import { MemoryProfileStore } from '../../helpers/memory-profile-store.ts';
import { newProfile } from '../../../functions/domain/profiles/profile.ts';
import { context, kinesisEvent } from '../../helpers/kinesis-event.ts';

describe('attribute-conversions', () => {
  it('sees a campaign registered after the previous batch even when its goal name is already known', async () => {
    // Prepare: campaign "old" has the goal; "new" registers the same goal between two batches.
    const goal = (campaignId: string): ActiveGoal => ({ campaignId, event: 'Order Completed', windowHours: 168, until: '2030-01-01T00:00:00.000Z' });
    let registered = [goal('old')];
    let reads = 0;
    const credited: string[] = [];
    const profiles = new MemoryProfileStore();
    profiles.profiles.set('u-ann', { ...newProfile('u-ann', '2026-11-01T00:00:00.000Z'), identities: { userIds: ['ann'], anonymousIds: [], emailHashes: [] } });
    const sent = { status: 'SENT', arm: 'a', sentAt: '2026-12-01T09:00:00.000Z', claimedAt: '2026-12-01T09:00:00.000Z' };
    const handler = makeAttributeConversions({
      goals: { register: async () => undefined, active: async () => (reads++, registered) },
      records: {
        getRecords: async (keys: { campaignId: string; personId: string }[]) => keys.map((k) => ({ ...k, ...sent })),
        recordConversion: async (key: { campaignId: string }) => (credited.push(key.campaignId), 'credited'),
      } as never,
      profiles,
      failed: { put: async () => undefined },
      now: () => new Date('2026-12-01T10:00:00.000Z'),
    });
    const order = (id: string) => cleanEvent({ userId: 'ann', event: 'Order Completed', messageId: id, timestamp: '2026-12-01T09:30:00.000Z', properties: { revenue: 10, currency: 'GBP' } });
    // Act
    await handler(kinesisEvent([order('o-1')]), context);
    registered = [goal('old'), goal('new')];
    await handler(kinesisEvent([order('o-2')]), context);
    const readsBefore = reads;
    await handler(kinesisEvent([cleanEvent({ userId: 'ann', type: 'identify', timestamp: '2026-12-01T09:40:00.000Z' })]), context);
    // Assess
    expect(credited.filter((c) => c === 'new')).toEqual(['new']);
    expect(credited.filter((c) => c === 'old')).toHaveLength(2);
    expect(reads).toBe(readsBefore); // no track, no read
  });
});
