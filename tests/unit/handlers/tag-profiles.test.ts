import { describe, expect, it } from 'vitest';
import { makeTagProfiles } from '../../../functions/handlers/tag-profiles.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../../functions/domain/tag/tags.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';
import type { StreamRecordOut } from '../../../functions/domain/shared/ports.ts';
import { MemoryProfileStore } from '../../helpers/memory-profile-store.ts';
import { order } from '../../helpers/events.ts';
import { context, kinesisEvent } from '../../helpers/kinesis-event.ts';

function setup() {
  const store = new MemoryProfileStore();
  const failed: FailedEvent[] = [];
  const announced: unknown[] = [];
  let announceFails = 0;
  const changes = {
    put: async (r: StreamRecordOut[]) => {
      if (announceFails-- > 0) throw new Error('injected: PutRecords still failing');
      announced.push(...r);
    },
  };
  const handler = makeTagProfiles({ store, ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID, now: () => new Date('2011-12-01T00:00:00Z'), clock: 'event', failed: { put: async (r) => void failed.push(...r) }, changes });
  return { store, failed, handler, announced, failAnnouncements: (n: number) => (announceFails = n) };
}

describe('tag-profiles handler', () => {
  it('applies good records, keeps unreadable ones, and acknowledges the batch', async () => {
    const { store, failed, handler } = setup();
    const res = await handler(kinesisEvent([order('u1', '2011-11-01T00:00:00.000Z', 20), { v: 1, type: 'track' }, order('u1', '2011-11-02T00:00:00.000Z', 30)]), context);
    expect(res.batchItemFailures).toEqual([]);
    expect(store.live()[0].aggregates).toMatchObject({ orders: 2, revenue: 50 });
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ stage: 'tag', reason: 'schema_violation' });
  });

  it('throws on a storage failure so the batch is retried, and the retry counts each event once', async () => {
    const { store, handler } = setup();
    const batch = kinesisEvent([order('u1', '2011-11-01T00:00:00.000Z', 20), order('u2', '2011-11-01T00:00:00.000Z', 5)]);
    store.failSaveAt = 2; // u1 written, then the write of u2 fails
    await expect(handler(batch, context)).rejects.toThrow(/injected/);
    await handler(batch, context);
    expect(store.live().map((p) => p.aggregates.orders).sort()).toEqual([1, 1]);
  });

  it('announces every touched profile once per batch, ids only, and announces again when the batch is retried', async () => {
    // Prepare
    const { handler, announced, failAnnouncements } = setup();
    const batch = kinesisEvent([order('u1', '2011-11-01T00:00:00.000Z', 20), order('u1', '2011-11-03T00:00:00.000Z', 5), order('u2', '2011-11-01T00:00:00.000Z', 5)]);
    failAnnouncements(1);
    // Act: the first attempt writes the profiles but cannot announce them; the retry's writes are no-ops
    await expect(handler(batch, context)).rejects.toThrow(/injected/);
    await handler(batch, context);
    // Assess
    expect(announced).toEqual([
      { partitionKey: 'u-u1', data: { v: 1, profileId: 'u-u1', at: '2011-12-01T00:00:00.000Z' } },
      { partitionKey: 'u-u2', data: { v: 1, profileId: 'u-u2', at: '2011-12-01T00:00:00.000Z' } },
    ]);
  });
});
