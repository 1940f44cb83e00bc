import { describe, expect, it } from 'vitest';
import { collect, partitionKeyOf, routeOfPath } from '../../../../functions/domain/collect/collect.ts';

const base = { sourceId: 'src-1', receivedAt: new Date('2026-11-22T10:00:00Z'), newId: () => 'generated-id' };

describe('collect', () => {
  it('accepts a track call, fills messageId and type from the route, keeps unknown fields', () => {
    // Act
    const r = collect({ ...base, route: 'track', body: JSON.stringify({ userId: 'u1', event: 'Order Completed', properties: { revenue: 10 }, custom: { a: 1 } }) });
    // Assess
    expect(r.kind).toBe('accepted');
    if (r.kind !== 'accepted') return;
    expect(r.accepted).toHaveLength(1);
    expect(r.accepted[0].event).toMatchObject({ type: 'track', messageId: 'generated-id', custom: { a: 1 } });
    expect(r.accepted[0].sourceId).toBe('src-1');
    expect(partitionKeyOf(r.accepted[0])).toBe('u1');
  });

  it('names the field and the rule when a required field is missing', () => {
    const r = collect({ ...base, route: 'track', body: JSON.stringify({ userId: 'u1' }) });
    expect(r).toMatchObject({ kind: 'request_error', status: 400, issues: [{ field: 'event' }] });
    if (r.kind === 'request_error') expect(r.issues[0].rule).toMatch(/required/);
  });

  it('requires a person on every type but alias, and previousId on alias', () => {
    const noPerson = collect({ ...base, route: 'page', body: JSON.stringify({ name: 'Home' }) });
    expect(noPerson).toMatchObject({ kind: 'request_error', issues: [{ field: 'userId', rule: 'userId or anonymousId is required' }] });
    const alias = collect({ ...base, route: 'alias', body: JSON.stringify({ userId: 'u1' }) });
    expect(alias).toMatchObject({ kind: 'request_error', issues: [{ field: 'previousId' }] });
  });

  it('keeps the good events of a batch and reports the bad ones by index', () => {
    const body = JSON.stringify({
      batch: [
        { type: 'identify', userId: 'u1', traits: { email: 'a@b.c' } },
        { type: 'track', userId: 'u1' },
        { type: 'nope', userId: 'u1' },
        { type: 'page', anonymousId: 'a1', timestamp: 'yesterday' },
        { type: 'screen', anonymousId: 'a1', name: 'Home' },
      ],
      context: { library: { name: 'analytics-node' } },
    });
    const r = collect({ ...base, route: 'batch', body });
    expect(r.kind).toBe('accepted');
    if (r.kind !== 'accepted') return;
    expect(r.accepted.map((e) => e.event.type)).toEqual(['identify', 'screen']);
    expect(r.accepted[0].event.context).toEqual({ library: { name: 'analytics-node' } });
    expect(r.rejected.map((x) => [x.index, x.issues[0].field])).toEqual([
      [1, 'batch[1].event'],
      [2, 'batch[2].type'],
      [3, 'batch[3].timestamp'],
    ]);
  });

  it('refuses invalid JSON, oversize events and oversize requests with their own errors', () => {
    expect(collect({ ...base, route: 'track', body: '{"userId": ' })).toMatchObject({ status: 400, error: 'invalid_json' });
    const big = JSON.stringify({ userId: 'u', event: 'x', properties: { blob: 'x'.repeat(33 * 1024) } });
    expect(collect({ ...base, route: 'track', body: big })).toMatchObject({ status: 400, issues: [{ rule: expect.stringMatching(/32 KB/) }] });
    expect(collect({ ...base, route: 'batch', body: 'x'.repeat(501 * 1024) })).toMatchObject({ status: 413 });
  });

  it('rejects a type that contradicts the route', () => {
    expect(collect({ ...base, route: 'track', body: JSON.stringify({ type: 'identify', userId: 'u' }) })).toMatchObject({ issues: [{ field: 'type' }] });
  });

  it('accepts the timestamp formats SDKs send', () => {
    for (const timestamp of ['2024-05-01T12:00:00.000Z', '2024-05-01T12:00:00+02:00', '2024-05-01', 1714564800000]) {
      expect(collect({ ...base, route: 'track', body: JSON.stringify({ userId: 'u', event: 'x', timestamp }) }).kind).toBe('accepted');
    }
  });
});

describe("collect: what RudderStack's browser SDK sends", () => {
  it('takes an empty userId as not sent (its default until identify), and still needs a person', () => {
    // Act
    const anonymous = collect({ ...base, route: 'page', body: JSON.stringify({ userId: '', anonymousId: 'a-1', name: 'Home', channel: 'web' }) });
    const nobody = collect({ ...base, route: 'page', body: JSON.stringify({ userId: '', anonymousId: '' }) });
    const blank = collect({ ...base, route: 'page', body: JSON.stringify({ userId: '  ', anonymousId: 'a-1' }) });
    // Assess
    expect(anonymous.kind).toBe('accepted');
    if (anonymous.kind === 'accepted') expect(anonymous.accepted[0].event).not.toHaveProperty('userId');
    expect(nobody).toMatchObject({ kind: 'request_error', issues: [{ field: 'userId', rule: 'userId or anonymousId is required' }] });
    expect(blank).toMatchObject({ kind: 'request_error', issues: [{ field: 'userId', rule: 'must not be empty' }] });
  });
});

describe('routeOfPath', () => {
  it('names the route and who checks the key: the authorizer on the long paths, the function on the short and beacon paths', () => {
    // Assess
    expect(routeOfPath('/v1/track')).toEqual({ route: 'track', keyChecked: false });
    expect(routeOfPath('/v1/batch')).toEqual({ route: 'batch', keyChecked: false });
    expect(routeOfPath('/v1/t')).toEqual({ route: 'track', keyChecked: true });
    expect(routeOfPath('/v1/b/')).toEqual({ route: 'batch', keyChecked: true });
    // RudderStack's sendBeacon batches (its query string is not part of rawPath).
    expect(routeOfPath('/beacon/v1/batch')).toEqual({ route: 'batch', keyChecked: true });
    expect([routeOfPath('/v1/m'), routeOfPath('/v1/x'), routeOfPath('/v1/constructor')]).toEqual([undefined, undefined, undefined]);
  });
});
