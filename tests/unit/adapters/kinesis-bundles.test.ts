import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { BUNDLE_BYTES, KinesisEventSink, bundleRecords, oneRecordPerPut } from '../../../functions/adapters/kinesis-event-sink.ts';
import { decodeRecord, itemsOf } from '../../../functions/shared/record-codec.ts';
import { readCleanRecords, readStreamRecords } from '../../../functions/shared/clean-records.ts';
import { makeCleanEvents } from '../../../functions/handlers/clean-events.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';
import type { StreamRecordOut } from '../../../functions/domain/shared/ports.ts';
import { profileChangeSchema } from '../../../schemas/profile-change.ts';
import { context, kinesisEvent } from '../../helpers/kinesis-event.ts';

const items = (data: Uint8Array) => itemsOf(JSON.parse(decodeRecord(Buffer.from(data).toString('base64'))));
const envelope = (id: string, userId = 'u1') => ({ v: 1, sourceId: 's', receivedAt: '2026-11-22T10:00:00.000Z', event: { type: 'track', messageId: id, userId, event: 'Product Viewed', properties: { product_id: 'p1', name: 'WHITE HANGING HEART T-LIGHT HOLDER' } } });

describe('bundled stream records', () => {
  it('puts one record per partition key, its items in put order, gzipped', () => {
    // Prepare
    const records = [
      { partitionKey: 'a', data: { n: 1 } },
      { partitionKey: 'b', data: { n: 2 } },
      { partitionKey: 'a', data: { n: 3 } },
      ...Array.from({ length: 20 }, (_, i) => ({ partitionKey: 'c', data: envelope(`m${i}`) })),
    ];
    // Act
    const entries = bundleRecords(records);
    // Assess
    expect(entries.map((e) => e.PartitionKey)).toEqual(['a', 'b', 'c']);
    expect(items(entries[0].Data!)).toEqual([{ n: 1 }, { n: 3 }]);
    expect(JSON.parse(Buffer.from(entries[1].Data!).toString())).toEqual({ n: 2 });
    expect(entries[2].Data![0]).toBe(0x1f);
    expect(items(entries[2].Data!)).toEqual(records.slice(3).map((r) => r.data));
    expect(entries[2].Data!.length).toBeLessThan(1024);
  });

  it('splits a key over several bundles past BUNDLE_BYTES, order kept', () => {
    const big = 'x'.repeat(100 * 1024);
    const entries = bundleRecords(Array.from({ length: 5 }, (_, i) => ({ partitionKey: 'k', data: { i, big } })));
    expect(entries.length).toBe(Math.ceil(5 / Math.floor(BUNDLE_BYTES / (100 * 1024 + 20))));
    expect(entries.flatMap((e) => items(e.Data!)).map((x) => (x as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
  });

  it('bundles a whole put under its first key with oneRecordPerPut', async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 0, Records: [] });
    await oneRecordPerPut(new KinesisEventSink(kinesis as unknown as KinesisClient, 's', 3, async () => {})).put(['p1', 'p2', 'p3'].map((id) => ({ partitionKey: id, data: { v: 1, profileId: id, at: '2026-11-22T10:00:00.000Z' } })));
    const sent = kinesis.commandCalls(PutRecordsCommand)[0].args[0].input.Records!;
    expect(sent.map((r) => r.PartitionKey)).toEqual(['p1']);
    expect(items(sent[0].Data!).map((x) => (x as { profileId: string }).profileId)).toEqual(['p1', 'p2', 'p3']);
    kinesis.restore();
  });

  it('re-sends a failed bundle whole', async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis.on(PutRecordsCommand).resolvesOnce({ FailedRecordCount: 1, Records: [{ SequenceNumber: '1' }, { ErrorCode: 'ProvisionedThroughputExceededException' }] }).resolves({ FailedRecordCount: 0, Records: [] });
    await new KinesisEventSink(kinesis as unknown as KinesisClient, 's', 3, async () => {}).put([{ partitionKey: 'a', data: 1 }, { partitionKey: 'b', data: 2 }, { partitionKey: 'b', data: 3 }]);
    const retry = kinesis.commandCalls(PutRecordsCommand)[1].args[0].input.Records!;
    expect(retry.map((r) => r.PartitionKey)).toEqual(['b']);
    expect(items(retry[0].Data!)).toEqual([2, 3]);
    kinesis.restore();
  });

  it('Clean cleans each envelope of a bundle on its own: a bad one is kept, its neighbours pass', async () => {
    // Prepare
    const out: StreamRecordOut[] = [];
    const failed: FailedEvent[] = [];
    const deps = { sink: { put: async (r: StreamRecordOut[]) => void out.push(...r) }, failed: { put: async (r: FailedEvent[]) => void failed.push(...r) }, options: {} };
    const bundle = [envelope('m1'), { v: 1, sourceId: 's', receivedAt: 'x', event: { type: 'track', messageId: 'm2' } }, envelope('m3'), envelope('m1')];
    // Act
    const res = await makeCleanEvents(deps)(kinesisEvent([bundle, envelope('m4')]), context);
    // Assess
    expect(res.batchItemFailures).toEqual([]);
    expect(out.map((o) => (o.data as { messageId: string }).messageId)).toEqual(['m1', 'm3', 'm4']);
    expect(failed.map((f) => f.reason)).toEqual(['schema_violation']);
  });

  it('the stream readers expand bundles and keep a bad item with its reason', async () => {
    const change = (id: string) => ({ v: 1, profileId: id, at: '2026-11-22T10:00:00.000Z' });
    const { events, failed } = await readStreamRecords(kinesisEvent([[change('p1'), { v: 1 }, change('p2')], change('p3'), 'not json']), context, 'score', 'now', profileChangeSchema);
    expect(events.map((e) => e.profileId)).toEqual(['p1', 'p2', 'p3']);
    expect(failed.map((f) => [f.reason, f.payload])).toEqual([['schema_violation', { v: 1 }], ['invalid_json', Buffer.from('not json').toString('base64')]]);
    const clean = await readCleanRecords(kinesisEvent([[]]), context, 'tag', 'now');
    expect(clean.events).toEqual([]);
  });
});
