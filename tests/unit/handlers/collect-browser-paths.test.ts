/**
 * collect-events on the browser paths (issue 15): analytics.js's short paths, the write key in
 * the body, text/plain bodies, the settings document, and clean refusals of what is not served;
 * RudderStack's browser SDK: its sourceConfig, its per-event posts and its sendBeacon batches.
 */
import { describe, expect, it } from 'vitest';
import { makeCollect } from '../../../functions/handlers/collect-events.ts';
import { hashWriteKey, makeWriteKeyVerifier } from '../../../functions/domain/collect/write-keys.ts';
import type { FailedEvent } from '../../../schemas/failed-event.ts';
import type { StreamRecordOut } from '../../../functions/domain/shared/ports.ts';

type Res = { statusCode: number; body: string; headers: Record<string, string> };
const KEY = 'browser-write-key-1';
const sources = [
  { schemaVersion: 1 as const, sourceId: 'src-web', name: 'web', keyHash: hashWriteKey(KEY), createdAt: '', disabled: false },
  { schemaVersion: 1 as const, sourceId: 'src-off', name: 'off', keyHash: hashWriteKey('disabled-write-key'), createdAt: '', disabled: true },
];
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

function setup(findByKeyHash = async (h: string) => sources.find((s) => s.keyHash === h)) {
  const out: StreamRecordOut[] = [];
  const failed: FailedEvent[] = [];
  const handler = makeCollect({ sink: { put: async (r) => void out.push(...r) }, failed: { put: async (r) => void failed.push(...r) }, verify: makeWriteKeyVerifier({ findByKeyHash }) });
  const call = async (path: string, body: unknown, headers: Record<string, string> = {}, method = 'POST', extra: { queryStringParameters?: Record<string, string>; sourceId?: string } = {}) =>
    (await handler({
      rawPath: path,
      headers: { 'content-type': 'text/plain', ...headers },
      queryStringParameters: extra.queryStringParameters,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      isBase64Encoded: false,
      requestContext: { requestId: 'r1', domainName: 'api.example.test', http: { method }, ...(extra.sourceId ? { authorizer: { lambda: { sourceId: extra.sourceId } } } : {}) },
    } as never)) as Res;
  return { out, failed, call };
}

describe('collect-events: analytics.js short paths', () => {
  it('posts each short path as the event type of its letter, key in the header', async () => {
    // Prepare
    const { out, call } = setup();
    const bodies: Record<string, object> = {
      t: { userId: 'u1', event: 'Viewed' },
      i: { userId: 'u1', traits: { plan: 'pro' } },
      p: { anonymousId: 'a1', name: 'Home' },
      s: { anonymousId: 'a1', name: 'Home' },
      g: { userId: 'u1', groupId: 'g1' },
      a: { userId: 'u1', previousId: 'a1' },
    };
    // Act
    const answers = [];
    for (const [letter, body] of Object.entries(bodies)) answers.push(await call(`/v1/${letter}`, body, { authorization: basic(KEY) }));
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(out.map((r) => (r.data as { event: { type: string } }).event.type)).toEqual(['track', 'identify', 'page', 'screen', 'group', 'alias']);
    expect(out.every((r) => (r.data as { sourceId: string }).sourceId === 'src-web')).toBe(true);
  });

  it('takes the write key from a text/plain body, and drops it from what goes on the stream', async () => {
    // Prepare
    const { out, call } = setup();
    // Act
    const res = await call('/v1/b', { writeKey: KEY, batch: [{ type: 'track', userId: 'u2', event: 'A', writeKey: KEY }, { type: 'identify', userId: 'u2', writeKey: KEY }] });
    // Assess
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ success: true, accepted: 2 });
    expect(out.map((r) => (r.data as { sourceId: string }).sourceId)).toEqual(['src-web', 'src-web']);
    expect(JSON.stringify(out)).not.toContain(KEY);
  });

  it('refuses a missing, unknown or disabled key with 401, and keeps nothing of it', async () => {
    // Prepare
    const { out, failed, call } = setup();
    // Act
    const answers = [
      await call('/v1/t', { userId: 'u', event: 'x' }),
      await call('/v1/t', { userId: 'u', event: 'x', writeKey: 'unknown-write-key' }),
      await call('/v1/t', { userId: 'u', event: 'x', writeKey: 'disabled-write-key' }),
      await call('/v1/t', { userId: 'u', event: 'x' }, { authorization: basic('unknown-write-key') }),
      await call('/v1/t', '{not json'),
    ];
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 401, 401, 401]);
    expect(JSON.parse(answers[0].body)).toMatchObject({ success: false, error: 'unauthorized', message: expect.stringContaining('writeKey') });
    expect(answers.every((a) => a.headers['access-control-allow-origin'] === '*')).toBe(true);
    expect([out, failed]).toEqual([[], []]);
  });

  it('keeps a refusal of a body-key request with its source and without the key', async () => {
    // Prepare
    const { failed, call } = setup();
    // Act
    const res = await call('/v1/i', { writeKey: KEY, traits: { plan: 'pro' } });
    // Assess
    expect(res.statusCode).toBe(400);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ stage: 'collect', reason: 'schema_violation', sourceId: 'src-web' });
    expect(JSON.stringify(failed[0])).not.toContain(KEY);
  });

  it('answers 503 when the key cannot be checked, so the SDK retries', async () => {
    // Prepare
    const { call } = setup(async () => {
      throw new Error('table down');
    });
    // Act
    const res = await call('/v1/t', { userId: 'u', event: 'x', writeKey: KEY });
    // Assess
    expect(res.statusCode).toBe(503);
  });

  it('keeps the long paths behind the authorizer: a body key alone is not enough there', async () => {
    // Prepare
    const { out, call } = setup();
    // Act
    const res = await call('/v1/track', { userId: 'u', event: 'x', writeKey: KEY });
    // Assess
    expect(res.statusCode).toBe(401);
    expect(out).toEqual([]);
  });

  it('refuses unknown paths and SDK telemetry cleanly: 404 with a reason and CORS', async () => {
    // Prepare
    const { call } = setup();
    // Act
    const unknown = await call('/v1/x', { writeKey: KEY });
    const telemetry = await call('/v1/m', { series: [] });
    // Assess
    expect([unknown.statusCode, telemetry.statusCode]).toEqual([404, 404]);
    expect(JSON.parse(telemetry.body).message).toContain('sampleRate');
    expect(telemetry.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('collect-events: the settings document', () => {
  it('serves analytics.js settings that send events back to this API', async () => {
    // Prepare
    const { call } = setup();
    // Act
    const res = await call(`/v1/projects/${KEY}/settings`, '', { 'x-forwarded-proto': 'https' }, 'GET');
    // Assess
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.body);
    expect(doc.integrations).toEqual({ 'Segment.io': expect.objectContaining({ apiKey: KEY, apiHost: 'api.example.test/v1', protocol: 'https' }) });
    expect(doc.metrics).toEqual({ sampleRate: 0 });
    expect(doc.remotePlugins).toEqual([]);
  });

  it('answers 404 for an unknown or disabled write key', async () => {
    // Prepare
    const { call } = setup();
    // Act
    const answers = [await call('/v1/projects/unknown-write-key/settings', '', {}, 'GET'), await call('/v1/projects/disabled-write-key/settings', '', {}, 'GET')];
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([404, 404]);
    expect(JSON.parse(answers[0].body)).toMatchObject({ error: 'not_found', message: expect.stringContaining('write key') });
  });
});

describe('collect-events: what analytics-next really sends', () => {
  it('takes a top-level null as not sent (userId: null before identify, category: null on page)', async () => {
    // Prepare
    const { out, call } = setup();
    const page = { type: 'page', userId: null, anonymousId: 'a-1', category: null, name: 'Home', properties: { path: '/' }, writeKey: KEY, messageId: 'ajs-next-1', context: { page: { path: '/' } } };
    // Act
    const ok = await call('/v1/p', page);
    const noEvent = await call('/v1/t', { userId: 'u', event: null, writeKey: KEY });
    // Assess
    expect(ok.statusCode).toBe(200);
    expect((out[0].data as { event: Record<string, unknown> }).event).not.toHaveProperty('userId');
    expect(noEvent.statusCode).toBe(400);
    expect(JSON.parse(noEvent.body).issues[0].field).toBe('event');
  });
});

/** An event as @rudderstack/analytics-js 3.34 builds it (RudderEventFactory): null event/properties where unused, identify traits in context only. */
function rudderEvent(fields: Record<string, unknown>) {
  return {
    channel: 'web',
    context: { traits: {}, sessionId: 1764620000000, library: { name: 'RudderLabs JavaScript SDK', version: '3.34.1' }, app: { name: 'RudderLabs JavaScript SDK', namespace: 'com.rudderlabs.javascript', version: '3.34.1', installType: 'npm' }, locale: 'en-GB', page: { path: '/home', url: 'http://127.0.0.1:4000/home' }, timezone: 'GMT+0000' },
    originalTimestamp: '2026-12-01T20:00:00.000Z',
    sentAt: '2026-12-01T20:00:01.000Z',
    messageId: `rs-${Math.random().toString(36).slice(2)}`,
    anonymousId: 'b2c1a0c8-2d5e-4d1c-9a55-6f0f7e0f0e01',
    userId: '',
    event: null,
    properties: null,
    integrations: { All: true },
    ...fields,
  };
}

describe("collect-events: RudderStack's browser SDK", () => {
  it('serves its source configuration for a key in HTTP Basic or the query, with or without the trailing slash', async () => {
    // Prepare
    const { call } = setup();
    const query = { p: 'npm', v: '3.34.1', build: 'modern', writeKey: KEY, lockIntegrationsVersion: 'true', lockPluginsVersion: 'true' };
    // Act
    const answers = [await call('/sourceConfig/', '', { authorization: basic(KEY) }, 'GET', { queryStringParameters: query }), await call('/sourceConfig', '', {}, 'GET', { queryStringParameters: query })];
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    for (const a of answers) expect(JSON.parse(a.body)).toEqual({ source: expect.objectContaining({ id: 'src-web', enabled: true, destinations: [] }) });
    expect(answers[0].headers).toMatchObject({ 'cache-control': 'private, max-age=300', 'access-control-allow-origin': '*' });
  });

  it('refuses its source configuration with 401 and a reason for no, an unknown or a disabled key, and 503 when the key cannot be checked', async () => {
    // Prepare
    const { call } = setup();
    const down = setup(async () => Promise.reject(new Error('table down')));
    // Act
    const answers = [
      await call('/sourceConfig/', '', {}, 'GET'),
      await call('/sourceConfig/', '', { authorization: basic('unknown-write-key') }, 'GET', { queryStringParameters: { writeKey: 'unknown-write-key' } }),
      await call('/sourceConfig/', '', {}, 'GET', { queryStringParameters: { writeKey: 'disabled-write-key' } }),
      await down.call('/sourceConfig/', '', { authorization: basic(KEY) }, 'GET'),
    ];
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 401, 503]);
    expect(JSON.parse(answers[1].body)).toMatchObject({ success: false, error: 'unauthorized', message: expect.stringContaining('unknown or disabled') });
    expect(answers.every((a) => a.headers['access-control-allow-origin'] === '*')).toBe(true);
  });

  it('takes its per-event posts on the long paths (behind the authorizer), nulls and all', async () => {
    // Prepare
    const { out, call } = setup();
    const headers = { 'content-type': 'application/json;charset=UTF-8', authorization: basic(KEY), anonymousid: Buffer.from('b2c1a0c8').toString('base64'), sentat: '2026-12-01T20:00:01.000Z' };
    // Act
    const answers = [
      await call('/v1/page', rudderEvent({ type: 'page', name: 'Home', category: null, properties: { path: '/home' } }), headers, 'POST', { sourceId: 'src-web' }),
      await call('/v1/identify', rudderEvent({ type: 'identify', userId: 'ada', context: { traits: { email: 'Ada@Example.com' } } }), headers, 'POST', { sourceId: 'src-web' }),
      await call('/v1/track', rudderEvent({ type: 'track', userId: 'ada', event: 'Order Completed', properties: { order_id: 'o1', revenue: 36, currency: 'GBP' } }), headers, 'POST', { sourceId: 'src-web' }),
    ];
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200]);
    expect(out.map((r) => (r.data as { event: { type: string } }).event.type)).toEqual(['page', 'identify', 'track']);
    expect((out[1].data as { event: Record<string, unknown> }).event).not.toHaveProperty('properties');
  });

  it('takes its sendBeacon batch with the key in the query only, and keeps the key off the stream', async () => {
    // Prepare
    const { out, call } = setup();
    const beacon = { batch: [rudderEvent({ type: 'track', userId: 'ada', event: 'Product Added', properties: { product_id: 'p1', price: 12 } }), rudderEvent({ type: 'page', userId: 'ada', name: 'Basket', properties: { path: '/basket' } })], sentAt: '2026-12-01T20:00:02.000Z' };
    // Act
    const res = await call('/beacon/v1/batch', beacon, { 'content-type': 'text/plain;charset=UTF-8' }, 'POST', { queryStringParameters: { writeKey: KEY } });
    // Assess
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ success: true, accepted: 2 });
    expect(out.map((r) => (r.data as { sourceId: string }).sourceId)).toEqual(['src-web', 'src-web']);
    expect(JSON.stringify(out)).not.toContain(KEY);
  });

  it('refuses a beacon batch without a valid key in the query with 401, and keeps nothing of it', async () => {
    // Prepare
    const { out, failed, call } = setup();
    const beacon = { batch: [rudderEvent({ type: 'track', userId: 'ada', event: 'Product Added' })], sentAt: '2026-12-01T20:00:02.000Z' };
    // Act
    const answers = [await call('/beacon/v1/batch', beacon), await call('/beacon/v1/batch', beacon, {}, 'POST', { queryStringParameters: { writeKey: 'disabled-write-key' } })];
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401]);
    expect([out, failed]).toEqual([[], []]);
  });
});
