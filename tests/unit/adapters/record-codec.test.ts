import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { COMPRESS_FROM, decodeRecord, encodeRecord } from '../../../functions/shared/record-codec.ts';
import { makeCleanEvents } from '../../../functions/handlers/clean-events.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';
import { context, kinesisEvent } from '../../helpers/kinesis-event.ts';

const b64 = (b: Buffer) => b.toString('base64');

describe('stream record codec', () => {
  it('keeps small records as plain JSON and gzips large ones under one 1 KB billing unit', () => {
    const small = { a: 1 };
    expect(encodeRecord(small).toString()).toBe('{"a":1}');
    const order = { products: Array.from({ length: 25 }, (_, i) => ({ product_id: `8512${i}`, name: 'WHITE HANGING HEART T-LIGHT HOLDER', price: 2.55, quantity: 6, category: 'candles' })) };
    const json = JSON.stringify(order);
    expect(json.length).toBeGreaterThan(COMPRESS_FROM * 2);
    const encoded = encodeRecord(order);
    expect(encoded[0]).toBe(0x1f);
    expect(encoded.length).toBeLessThan(1024);
    expect(JSON.parse(decodeRecord(b64(encoded)))).toEqual(order);
    expect(decodeRecord(b64(Buffer.from(json)))).toBe(json);
  });

  it('keeps a corrupt gzip record in the failed-events store instead of failing the batch', async () => {
    const failed: FailedEvent[] = [];
    const handler = makeCleanEvents({ sink: { put: async () => undefined }, failed: { put: async (r) => void failed.push(...r) }, options: {} });
    const corrupt = Buffer.concat([gzipSync(Buffer.from('{"v":1}')).subarray(0, 6), Buffer.from('garbage')]);
    const event = kinesisEvent([]);
    event.Records = kinesisEvent(['x']).Records.map((r) => ({ ...r, kinesis: { ...r.kinesis, data: b64(corrupt) } }));
    const res = await handler(event, context);
    expect(res.batchItemFailures).toEqual([]);
    expect(failed).toMatchObject([{ stage: 'clean', reason: 'invalid_json' }]);
  });
});
