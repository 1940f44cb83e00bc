import { describe, expect, it } from 'vitest';
import { makeCleanEvents } from '../../../functions/handlers/clean-events.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';
import type { StreamRecordOut } from '../../../functions/domain/shared/ports.ts';
import { context, kinesisEvent } from '../../helpers/kinesis-event.ts';

const good = (id: string) => ({ v: 1, sourceId: 's', receivedAt: '2026-11-22T10:00:00.000Z', event: { type: 'track', messageId: id, userId: 'u1', event: 'Product Viewed' } });

function deps() {
  const out: StreamRecordOut[] = [];
  const failed: FailedEvent[] = [];
  return { out, failed, deps: { sink: { put: async (r: StreamRecordOut[]) => void out.push(...r) }, failed: { put: async (r: FailedEvent[]) => void failed.push(...r) }, options: {} } };
}

describe('clean-events handler', () => {
  it('keeps malformed records with their reason and still passes the good ones on', async () => {
    // Prepare
    const d = deps();
    const event = kinesisEvent([good('m1'), 'not json {', { v: 1, sourceId: 's', receivedAt: 'x', event: { type: 'track', messageId: 'm2' } }, good('m3'), { v: 9 }]);
    // Act
    const res = await makeCleanEvents(d.deps)(event, context);
    // Assess
    expect(res.batchItemFailures).toEqual([]);
    expect(d.out.map((o) => (o.data as { messageId: string }).messageId)).toEqual(['m1', 'm3']);
    expect(d.failed.map((f) => f.reason)).toEqual(['invalid_json', 'schema_violation', 'unsupported_version']);
    expect(d.failed[0].payload).toBe('not json {');
    expect(d.failed[1].detail).toMatch(/event/);
  });

  it('drops a duplicate messageId within the batch', async () => {
    const d = deps();
    await makeCleanEvents(d.deps)(kinesisEvent([good('m1'), good('m1')]), context);
    expect(d.out).toHaveLength(1);
  });

  it('fails the invocation when the clean stream cannot be written, so the stream retries it', async () => {
    const d = deps();
    d.deps.sink.put = async () => {
      throw new Error('PutRecords: 1 of 1 records still failing');
    };
    await expect(makeCleanEvents(d.deps)(kinesisEvent([good('m1')]), context)).rejects.toThrow(/still failing/);
  });
});
