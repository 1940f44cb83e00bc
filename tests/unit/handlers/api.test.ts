import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { makeCollect } from '../../../functions/handlers/collect-events.ts';
import { makeAuthorizer } from '../../../functions/handlers/authorize-write-key.ts';
import { makeGetProfile } from '../../../functions/handlers/get-profile.ts';
import { hashWriteKey } from '../../../functions/domain/collect/write-keys.ts';
import { updateProfiles } from '../../../functions/domain/profiles/update-profiles.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../../../functions/domain/tag/tags.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';
import type { StreamRecordOut } from '../../../functions/domain/shared/ports.ts';
import { MemoryProfileStore, MemoryScoreStore } from '../../helpers/memory-profile-store.ts';
import { order } from '../../helpers/events.ts';

function request(path: string, body: unknown, sourceId: string | null = 'src-1') {
  return { rawPath: path, body: typeof body === 'string' ? body : JSON.stringify(body), isBase64Encoded: false, requestContext: { requestId: 'r1', authorizer: sourceId ? { lambda: { sourceId } } : undefined } } as never;
}

describe('collect-events handler', () => {
  const setup = () => {
    const out: StreamRecordOut[] = [];
    const failed: FailedEvent[] = [];
    const handler = makeCollect({ sink: { put: async (r) => void out.push(...r) }, failed: { put: async (r) => void failed.push(...r) } });
    return { out, failed, handler };
  };

  it('answers 200 and puts accepted events on the stream keyed by person', async () => {
    const { out, handler } = setup();
    const res = (await handler(request('/v1/track', { userId: 'u1', event: 'Signed Up' }))) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ success: true, accepted: 1 });
    expect(out[0].partitionKey).toBe('u1');
  });

  it('answers 400 naming the field, and keeps the refused payload', async () => {
    const { failed, handler } = setup();
    const res = (await handler(request('/v1/identify', { traits: {} }))) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).issues[0]).toEqual({ field: 'userId', rule: 'userId or anonymousId is required' });
    expect(failed[0]).toMatchObject({ stage: 'collect', reason: 'schema_violation', payload: { traits: {} } });
  });

  it('answers 503 when the stream write fails, so SDKs retry', async () => {
    const handler = makeCollect({ sink: { put: async () => { throw new Error('down'); } }, failed: { put: async () => undefined } });
    expect(((await handler(request('/v1/track', { userId: 'u', event: 'x' }))) as { statusCode: number }).statusCode).toBe(503);
  });

  it('inflates gzip bodies (RudderStack SDKs send them) and refuses a compressed bomb', async () => {
    const { out, handler } = setup();
    const gz = (v: string) => gzipSync(Buffer.from(v)).toString('base64');
    const ok = { rawPath: '/v1/batch', headers: { 'content-encoding': 'gzip' }, isBase64Encoded: true, body: gz(JSON.stringify({ batch: [{ type: 'track', userId: 'u', event: 'x' }] })), requestContext: { authorizer: { lambda: { sourceId: 's' } } } } as never;
    expect(((await handler(ok)) as { statusCode: number }).statusCode).toBe(200);
    expect(out).toHaveLength(1);
    const bomb = { ...(ok as object), body: gz(' '.repeat(5_000_000)) } as never;
    expect(((await handler(bomb)) as { statusCode: number }).statusCode).toBe(413);
  });

  it('refuses a request that reached it without a source', async () => {
    const { handler } = setup();
    expect(((await handler(request('/v1/track', {}, null))) as { statusCode: number }).statusCode).toBe(401);
  });
});

describe('authorize-write-key handler', () => {
  const source = { schemaVersion: 1 as const, sourceId: 'src-9', name: 'web', keyHash: hashWriteKey('good-write-key'), createdAt: '', disabled: false };
  const authorize = makeAuthorizer({ findByKeyHash: async (h: string) => (h === source.keyHash ? source : undefined) });
  const basic = (user: string) => `Basic ${Buffer.from(`${user}:`).toString('base64')}`;

  it('accepts a known write key as the Basic user name and passes the source id on', async () => {
    expect(await authorize({ headers: { authorization: basic('good-write-key') } })).toEqual({ isAuthorized: true, context: { sourceId: 'src-9' } });
  });
  it('refuses unknown keys, missing headers and other schemes', async () => {
    expect((await authorize({ headers: { authorization: basic('wrong-write-key') } })).isAuthorized).toBe(false);
    expect((await authorize({ headers: {} })).isAuthorized).toBe(false);
    expect((await authorize({ headers: { authorization: 'Bearer good-write-key' } })).isAuthorized).toBe(false);
  });
});

describe('get-profile handler', () => {
  it('finds a profile by userId with its scores, and hides the dedup bookkeeping', async () => {
    const store = new MemoryProfileStore();
    await updateProfiles([order('u1', '2011-11-01T00:00:00.000Z', 20)], { store, ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID, now: () => new Date(), clock: 'event' });
    const scores = new MemoryScoreStore(store);
    const churn = { value: 0.2, output: 'probability' as const, base: -1, contributions: [], explanation: ['orders 1: -0.30'], model: 'churn', version: 'v1', at: '2011-11-02T00:00:00.000Z' };
    await scores.saveScores({ schemaVersion: 1, profileId: 'u-u1', profileVersion: 1, scores: { churn }, updatedAt: '2011-11-02T00:00:00.000Z' });
    const res = (await makeGetProfile(store, scores)({ pathParameters: { id: 'u1' }, rawPath: '/v1/profiles/u1' })) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ profileId: 'u-u1', aggregates: { orders: 1 }, tags: { rfm_r: 5 }, scores: { churn } });
    expect(body.applied).toBeUndefined();
    expect(((await makeGetProfile(store, scores)({ pathParameters: { id: 'nobody' }, rawPath: '' })) as { statusCode: number }).statusCode).toBe(404);
  });
});
