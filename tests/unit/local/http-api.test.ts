/**
 * The local HTTP API adapter (local/http-api.ts) on loopback, with fake functions behind it:
 * what it answers itself, before or after a function runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpApi, type HttpApi } from '../../../local/http-api.ts';
import type { RouteSpec } from '../../../local/cdk-model.ts';
import type { Invoker } from '../../../local/stream-poller.ts';

const routes: RouteSpec[] = [
  { method: 'POST', path: '/v1/track', functionName: 'collect-events', authorization: 'CUSTOM', authorizerFunction: 'authorize-write-key', authorizerCacheSeconds: 0 },
  { method: 'GET', path: '/v1/profiles/{id}', functionName: 'get-profile', authorization: 'AWS_IAM', authorizerCacheSeconds: 0 },
];

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
