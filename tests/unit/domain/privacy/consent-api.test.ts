/**
 * POST /v1/consent (functions/handlers/record-consent.ts): 202 with the record on the raw
 * stream as a `Consent Updated` event, which Clean and the profile turn into a history entry
 * with source `api`; 400 naming every wrong field; 401 without a source (the write-key
 * authorizer refused the key, or none was given).
 */
import { describe, expect, it } from 'vitest';
import { makeRecordConsent } from '../../../../functions/handlers/record-consent.ts';
import { makeAuthorizer } from '../../../../functions/handlers/authorize-write-key.ts';
import { hashWriteKey } from '../../../../functions/domain/collect/write-keys.ts';
import { cleanEnvelope } from '../../../../functions/domain/clean/clean.ts';
import { applyEvent, newProfile } from '../../../../functions/domain/profiles/profile.ts';
import { marketingStatus, purposeStatus } from '../../../../functions/domain/privacy/consent.ts';
import type { StreamRecordOut } from '../../../../functions/domain/shared/ports.ts';
import type { FailedEvent } from '../../../../schemas/failed-event.ts';

function request(body: unknown, sourceId: string | null = 'src-1') {
  return { rawPath: '/v1/consent', body: typeof body === 'string' ? body : JSON.stringify(body), isBase64Encoded: false, requestContext: { requestId: 'r1', authorizer: sourceId ? { lambda: { sourceId } } : undefined } } as never;
}

function setup() {
  const out: StreamRecordOut[] = [];
  const failed: FailedEvent[] = [];
  const handler = makeRecordConsent({ sink: { put: async (r) => void out.push(...r) }, failed: { put: async (r) => void failed.push(...r) }, now: () => new Date('2026-12-01T10:00:00Z') });
  return { out, failed, handler: handler as (e: never) => Promise<{ statusCode: number; body: string }> };
}

describe('POST /v1/consent', () => {
  it('answers 202 and puts the record on the raw stream, keyed by the person, as an event the profile records with source api', async () => {
    // Prepare
    const { out, handler } = setup();
    // Act
    const res = await handler(request({ userId: 'u1', messageId: 'c-1', timestamp: '2026-12-01T09:59:00Z', consent: { 'email.marketing': 'withdrawn', profiling: 'granted' } }));
    // Assess
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toEqual({ success: true, messageId: 'c-1' });
    expect(out).toHaveLength(1);
    expect(out[0].partitionKey).toBe('u1');
    const clean = cleanEnvelope(out[0].data);
    if (clean.kind !== 'clean') throw new Error(`not clean: ${JSON.stringify(clean)}`);
    const p = applyEvent(newProfile('u-u1', '2026-12-01T00:00:00Z'), clean.event);
    expect(p.consentHistory).toHaveLength(2);
    expect(p.consentHistory).toEqual(
      expect.arrayContaining([
        { key: 'email.marketing', status: 'withdrawn', at: '2026-12-01T09:59:00.000Z', source: 'api' },
        { key: 'profiling', status: 'granted', at: '2026-12-01T09:59:00.000Z', source: 'api' },
      ]),
    );
    expect(marketingStatus(p.consentHistory!, 'email')).toBe('withdrawn');
    expect(purposeStatus(p.consentHistory!, 'profiling')).toBe('granted');
  });

  it('answers 400 naming every wrong field, and puts nothing on the stream', async () => {
    // Prepare
    const { out, handler } = setup();
    // Act
    const res = await handler(request({ consent: { 'email.marketing': 'maybe', 'fax.marketing': 'granted' }, timestamp: 'yesterday', colour: 'blue' }));
    const empty = await handler(request({ userId: 'u1', consent: {} }));
    const notJson = await handler(request('{"userId":'));
    // Assess
    expect(res.statusCode).toBe(400);
    const fields = (JSON.parse(res.body).issues as { field: string }[]).map((i) => i.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['consent.email.marketing', 'consent.fax.marketing', 'timestamp', 'userId']));
    expect(fields.some((f) => f.includes('colour'))).toBe(true);
    expect(JSON.parse(empty.body).issues).toEqual([{ field: 'consent', rule: 'must name 1 to 20 keys' }]);
    expect(notJson.statusCode).toBe(400);
    expect(out).toEqual([]);
  });

  it('answers 401 when no source was authorised, and the authorizer refuses a wrong write key', async () => {
    // Prepare
    const { out, handler } = setup();
    const source = { schemaVersion: 1 as const, sourceId: 'src-9', name: 'web', keyHash: hashWriteKey('good-write-key'), createdAt: '2026-01-01T00:00:00Z', disabled: false };
    const authorize = makeAuthorizer({ findByKeyHash: async (h: string) => (h === source.keyHash ? source : undefined) });
    // Act
    const res = await handler(request({ userId: 'u1', consent: { profiling: 'denied' } }, null));
    const refused = await authorize({ headers: { authorization: `Basic ${Buffer.from('wrong-write-key:').toString('base64')}` } });
    // Assess
    expect(res.statusCode).toBe(401);
    expect(refused.isAuthorized).toBe(false);
    expect(out).toEqual([]);
  });
});
