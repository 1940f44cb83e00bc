/**
 * The local HTTP API adapter (local/http-api.ts) on loopback, with fake functions behind it:
 * what it answers itself, before or after a function runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import fc from 'fast-check';
import { startHttpApi, type HttpApi } from '../../../local/http-api.ts';
import type { RouteSpec } from '../../../local/cdk-model.ts';
import type { Invoker } from '../../../local/stream-poller.ts';

const routes: RouteSpec[] = [
  { method: 'POST', path: '/v1/track', functionName: 'collect-events', authorization: 'CUSTOM', authorizerFunction: 'authorize-write-key', authorizerCacheSeconds: 0 },
  { method: 'GET', path: '/v1/profiles/{id}', functionName: 'get-profile', authorization: 'AWS_IAM', authorizerCacheSeconds: 0 },
  { method: 'GET', path: '/v1/recommendations/{userId}', functionName: 'get-profile', authorization: 'AWS_IAM', authorizerCacheSeconds: 0 },
  { method: 'GET', path: '/v1/items/{itemId}/similar', functionName: 'get-profile', authorization: 'AWS_IAM', authorizerCacheSeconds: 0 },
];
const READ_PATHS = ['/v1/profiles/ada', '/v1/recommendations/ada?n=3', '/v1/items/p1/similar'];

/** A profile answer as a function that still sets a wildcard CORS header would give it. */
const PROFILE = { statusCode: 200, headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' }, body: '{"profileId":"p-ada","traits":{"email":"ada@example.com"}}' };

let api: HttpApi | undefined;
afterEach(async () => {
  await api?.stop();
  api = undefined;
});

function fakeFunctions(getProfile: (event: { pathParameters?: Record<string, string> }) => unknown) {
  const calls: unknown[] = [];
  const fn = (impl: (e: never) => unknown): Invoker => ({ invoke: async <R>(e: unknown) => { calls.push(e); return (await impl(e as never)) as R; } });
  const functions = new Map<string, Invoker>([
    ['get-profile', fn(getProfile)],
    ['authorize-write-key', fn(() => ({ isAuthorized: true, context: { sourceId: 's' } }))],
    ['collect-events', fn(() => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"success":true}' }))],
  ]);
  return { functions, calls };
}

describe('local HTTP API: hostile requests', () => {
  it('answers a malformed percent-encoding in a path parameter with 400 naming it, without invoking the function', async () => {
    // Prepare
    const { functions, calls } = fakeFunctions(() => ({ statusCode: 200, body: '{}' }));
    api = await startHttpApi(routes, functions);
    // Act
    const res = await fetch(`${api.url}/v1/profiles/%E0%A4%A`);
    // Assess
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ success: false, error: 'validation_failed', issues: [{ field: 'id', rule: 'must be valid percent-encoding (RFC 3986)' }] });
    expect(calls).toEqual([]);
  });

  it('answers any percent-encoding in a path below 500, invoking the function only with a decoded parameter', async () => {
    // Prepare
    const { functions, calls } = fakeFunctions((e) => ({ statusCode: 200, body: JSON.stringify(e.pathParameters) }));
    api = await startHttpApi(routes, functions);
    const segment = fc.array(fc.oneof(fc.constantFrom('a', 'Z9', '~', '%', '%E0%A4%A', '%G1', '%C3%A9', '%FF', '%0', '%25'), fc.integer({ min: 0, max: 255 }).map((b) => `%${b.toString(16).padStart(2, '0')}`)), { minLength: 1, maxLength: 5 }).map((p) => p.join(''));
    // Act + Assess
    await fc.assert(
      fc.asyncProperty(segment, async (raw) => {
        calls.length = 0;
        const res = await fetch(`${api!.url}/v1/profiles/${raw}`);
        expect(res.status).toBeLessThan(500);
        let decoded: string | undefined;
        try {
          decoded = decodeURIComponent(raw);
        } catch {
          decoded = undefined;
        }
        if (decoded === undefined) expect([res.status, calls.length]).toEqual([400, 0]);
        else if (!decoded.includes('/')) expect(await res.json()).toEqual({ id: decoded });
      }),
      { numRuns: 200, seed: 404 },
    );
  });

  it('never echoes an internal error to the client', async () => {
    // Prepare: the function fails the way a deep payload made it fail
    const { functions } = fakeFunctions(() => {
      throw new RangeError('Maximum call stack size exceeded in table sightline-profiles-secret');
    });
    api = await startHttpApi(routes, functions);
    const errors: string[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void errors.push(args.join(' '));
    try {
      // Act
      const res = await fetch(`${api.url}/v1/profiles/u1`);
      const text = await res.text();
      // Assess
      expect(res.status).toBe(500);
      expect(JSON.parse(text)).toEqual({ message: 'Internal Server Error' });
      expect(text).not.toMatch(/stack|secret/);
      expect(errors.join('\n')).toMatch(/RangeError: Maximum call stack size exceeded/); // on the developer's console instead
    } finally {
      console.error = original;
    }
  });
});

/** A raw request, so the Host header can be anything (fetch does not let a caller set it). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('local HTTP API: IAM-only read routes are not open to web pages', () => {
  it.each(READ_PATHS)('gives an evil origin no CORS header and no data on GET %s, and no preflight', async (path) => {
    // Prepare
    const { functions, calls } = fakeFunctions(() => PROFILE);
    api = await startHttpApi(routes, functions);
    // Act
    const res = await fetch(`${api.url}${path}`, { headers: { origin: 'https://evil.example' } });
    const body = await res.text();
    const preflight = await fetch(`${api.url}${path}`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    // Assess
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(body).not.toMatch(/ada@example|p-ada/);
    expect(calls).toEqual([]);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
  });

  it('refuses no-cors cross-site requests (Sec-Fetch-Site) and a non-loopback Host (DNS rebinding)', async () => {
    // Prepare
    const { functions, calls } = fakeFunctions(() => PROFILE);
    api = await startHttpApi(routes, functions);
    const port = new URL(api.url).port;
    // Act
    const crossSite = await rawGet(`${api.url}/v1/profiles/ada`, { 'sec-fetch-site': 'cross-site' });
    const rebound = await rawGet(`${api.url}/v1/profiles/ada`, { host: `evil.example:${port}` });
    // Assess
    expect([crossSite.status, rebound.status]).toEqual([403, 403]);
    expect(calls).toEqual([]);
  });

  it('serves a loopback caller without Origin, and strips any CORS header the function set', async () => {
    // Prepare
    const { functions } = fakeFunctions(() => PROFILE);
    api = await startHttpApi(routes, functions);
    // Act
    const res = await fetch(`${api.url}/v1/profiles/ada`);
    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('with an admin token, answers 401 without it, 403 with a wrong one, and serves the right one (which the function never sees)', async () => {
    // Prepare
    const { functions, calls } = fakeFunctions(() => PROFILE);
    api = await startHttpApi(routes, functions, { adminToken: 'tok-0123456789abcdef' });
    // Act
    const missing = await fetch(`${api.url}/v1/profiles/ada`);
    const wrong = await fetch(`${api.url}/v1/recommendations/ada`, { headers: { authorization: 'Bearer tok-0123456789abcdeX' } });
    const basic = await fetch(`${api.url}/v1/items/p1/similar`, { headers: { authorization: 'Basic dG9rOg==' } });
    const right = await fetch(`${api.url}/v1/profiles/ada`, { headers: { authorization: 'Bearer tok-0123456789abcdef' } });
    // Assess
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await missing.text()).not.toMatch(/ada@example/);
    expect(wrong.status).toBe(403);
    expect(basic.status).toBe(401);
    expect(right.status).toBe(200);
    expect(await right.json()).toMatchObject({ profileId: 'p-ada' });
    expect(calls).toHaveLength(1);
    expect((calls[0] as { headers: Record<string, string> }).headers).not.toHaveProperty('authorization');
  });

  it('keeps CORS for the event-collection routes: browser SDKs post from any site', async () => {
    // Prepare
    const { functions } = fakeFunctions(() => PROFILE);
    api = await startHttpApi(routes, functions, { adminToken: 'tok-0123456789abcdef' });
    // Act
    const preflight = await fetch(`${api.url}/v1/track`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    const noKey = await fetch(`${api.url}/v1/track`, { method: 'POST', headers: { origin: 'https://shop.example' }, body: '{}' });
    // Assess
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(noKey.status).toBe(401); // the write key, not the admin token
    expect(noKey.headers.get('access-control-allow-origin')).toBe('*');
  });
});
