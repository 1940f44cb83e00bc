import { describe, expect, it } from 'vitest';
import { makeTagProfiles } from '../../../functions/handlers/tag-profiles.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../../functions/domain/tags.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';
import { MemoryProfileStore } from '../../helpers/memory-profile-store.ts';
import { order } from '../../helpers/events.ts';
import { context, kinesisEvent } from '../../helpers/kinesis-event.ts';

function setup() {
  const store = new MemoryProfileStore();
  const failed: FailedEvent[] = [];
  const handler = makeTagProfiles({ store, ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID, now: () => new Date('2011-12-01T00:00:00Z'), clock: 'event', failed: { put: async (r) => void failed.push(...r) } });
  return { store, failed, handler };
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
});
