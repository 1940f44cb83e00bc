/**
 * Hostile input never reaches a 500 (issue 10, finding 3): deep nesting anywhere in a
 * request, bodies that are not what their Content-Encoding says, unknown codings. Each is a
 * clear 4xx naming the field, and each refusal is kept in the failed-events store, bounded.
 * The sinks serialise what they get, as the Kinesis and S3 adapters do, so a value no writer
 * could store fails here as it would in AWS.
 */
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { makeCollect } from '../../../functions/handlers/collect-events.ts';
import { MAX_JSON_DEPTH } from '../../../functions/domain/collect/depth.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';

const deepArrays = (n: number) => '['.repeat(n) + ']'.repeat(n);
const deepObjects = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

function setup() {
  const failed: FailedEvent[] = [];
  const put: unknown[] = [];
  const handler = makeCollect({
    sink: { put: async (r) => void put.push(...r.map((x) => JSON.parse(JSON.stringify(x)))) },
    failed: { put: async (r) => void failed.push(...r.map((x) => JSON.parse(JSON.stringify(x)))) },
  });
  const call = async (route: string, body: string | Buffer, headers: Record<string, string> = {}) => {
    const binary = Buffer.isBuffer(body);
    const res = (await handler({ rawPath: `/v1/${route}`, headers, body: binary ? body.toString('base64') : body, isBase64Encoded: binary, requestContext: { requestId: 'r', authorizer: { lambda: { sourceId: 's' } } } } as never)) as { statusCode: number; body: string };
    return { status: res.statusCode, body: JSON.parse(res.body) };
  };
  return { failed, put, call };
}

describe('collect: hostile nesting', () => {
  it.each([
    ['100,000 nested arrays in properties', 'track', `{"userId":"u","event":"x","properties":{"p":${deepArrays(100_000)}}}`, 'properties.p'],
    ['50,000 nested objects in properties', 'track', `{"userId":"u","event":"x","properties":${deepObjects(50_000)}}`, 'properties.a'],
    ['50,000 nested objects in a batch context', 'batch', `{"context":${deepObjects(50_000)},"batch":[{"type":"track","userId":"u","event":"x"}]}`, 'context.a'],
    ['100,000 nested arrays as the only batch event', 'batch', `{"batch":[${deepArrays(100_000)}]}`, 'batch[0][0][0]'],
    ['50,000 nested objects in an event context', 'identify', `{"userId":"u","context":${deepObjects(50_000)}}`, 'context.a'],
  ])('answers 400 too_deep naming the field for %s, and keeps the first 4 KB with the reason', async (_name, route, body, field) => {
    // Prepare
    const { failed, put, call } = setup();
    // Act
    const res = await call(route, body);
    // Assess
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: 'too_deep', issues: [{ field, rule: `must not nest objects and arrays more than ${MAX_JSON_DEPTH} levels deep` }] });
    expect(put).toEqual([]);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ stage: 'collect', reason: 'too_deep' });
    expect(typeof failed[0].payload).toBe('string');
    expect((failed[0].payload as string).length).toBeLessThanOrEqual(4096);
  });

  it('rejects only the deep event of a batch: the others are accepted, the deep one kept with its reason', async () => {
    // Prepare
    const { failed, put, call } = setup();
    const body = `{"batch":[{"type":"track","userId":"u","event":"ok"},{"type":"track","userId":"u","event":"deep","properties":{"p":${deepArrays(100_000)}}}]}`;
    // Act
    const res = await call('batch', body);
    // Assess
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, accepted: 1, rejected: [{ index: 1, issues: [{ field: 'batch[1].properties.p', rule: expect.stringMatching(/levels deep/) }] }] });
    expect(put).toHaveLength(1);
    expect(failed).toMatchObject([{ reason: 'too_deep', detail: expect.stringMatching(/^batch\[1\]\.properties\.p: /) }]);
    expect((failed[0].payload as string).length).toBeLessThanOrEqual(4096);
    expect(failed[0].payload as string).toMatch(/^\{"type":"track","userId":"u","event":"deep"/);
  });

  it(`accepts nesting up to ${MAX_JSON_DEPTH} levels, the event being level 1`, async () => {
    // Prepare: event(1) → properties(2) → … → level MAX_JSON_DEPTH
    const { call } = setup();
    const inner = MAX_JSON_DEPTH - 2;
    // Act
    const atLimit = await call('track', `{"userId":"u","event":"x","properties":${deepObjects(inner).replace('1', '{}')}}`);
    const beyond = await call('track', `{"userId":"u","event":"x","properties":${deepObjects(inner + 1).replace('1', '{}')}}`);
    // Assess
    expect(atLimit.status).toBe(200);
    expect(beyond.status).toBe(400);
  });
});

describe('collect: bodies refused before they can be read', () => {
  it('refuses an unknown Content-Encoding with 415 (not read as text), and keeps it', async () => {
    // Prepare
    const { failed, call } = setup();
    // Act
    const br = await call('track', Buffer.from('{"userId":"u","event":"x"}'), { 'content-encoding': 'br' });
    const deflate = await call('track', Buffer.from('{"userId":"u","event":"x"}'), { 'content-encoding': 'gzip, deflate' });
    // Assess
    expect(br).toMatchObject({ status: 415, body: { error: 'unsupported_media_type', issues: [{ field: 'Content-Encoding' }] } });
    expect(deflate.status).toBe(415);
    expect(failed.map((f) => f.reason)).toEqual(['unsupported_encoding', 'unsupported_encoding']);
    expect(failed[0].payload).toMatchObject({ contentEncoding: 'br', base64: Buffer.from('{"userId":"u","event":"x"}').toString('base64') });
  });

  it('reads identity and gzip alike', async () => {
    const { call } = setup();
    expect((await call('track', Buffer.from('{"userId":"u","event":"x"}'), { 'content-encoding': 'identity' })).status).toBe(200);
    expect((await call('track', gzipSync('{"userId":"u","event":"x"}'), { 'content-encoding': 'GZIP' })).status).toBe(200);
  });

  it('keeps an invalid gzip body (400) and a gzip bomb (413) in the failed-events store, bounded', async () => {
    // Prepare
    const { failed, call } = setup();
    const junk = Buffer.alloc(100_000, 7);
    // Act
    const invalid = await call('batch', junk, { 'content-encoding': 'gzip' });
    const bomb = await call('batch', gzipSync(' '.repeat(5_000_000)), { 'content-encoding': 'gzip' });
    // Assess
    expect(invalid).toMatchObject({ status: 400, body: { error: 'invalid_encoding' } });
    expect(bomb).toMatchObject({ status: 413, body: { error: 'request_too_large' } });
    expect(failed.map((f) => [f.stage, f.reason])).toEqual([['collect', 'invalid_encoding'], ['collect', 'too_large']]);
    for (const f of failed) expect(JSON.stringify(f.payload).length).toBeLessThan(4200);
    expect(failed[0].payload).toMatchObject({ contentEncoding: 'gzip', bytes: 100_000 });
  });

  it('keeps only the first 4 KB of a body that is not JSON', async () => {
    const { failed, call } = setup();
    expect((await call('track', '{'.repeat(1) + 'x'.repeat(100_000))).status).toBe(400);
    expect(failed).toMatchObject([{ reason: 'invalid_json' }]);
    expect((failed[0].payload as string).length).toBe(4096);
  });
});
