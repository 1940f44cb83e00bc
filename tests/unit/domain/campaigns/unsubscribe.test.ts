import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildUnsubscribeHeaders,
  signUnsubscribeToken,
  unsubscribeUrl,
  verifyUnsubscribeToken,
} from '../../../../functions/domain/campaigns/render.ts';

const SECRET = 'a-test-secret-of-32-characters!!';
const payload = { campaignId: 'spring-2025', personId: 'P#3f9a', channel: 'email' as const };

describe('unsubscribe tokens', () => {
  it('round-trips campaign, person and channel', () => {
    // Prepare
    const token = signUnsubscribeToken(SECRET, payload);

    // Act
    const r = verifyUnsubscribeToken(SECRET, token);

    // Assess
    expect(r).toEqual({ ok: true, payload });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('is an HMAC-SHA256 of the payload part, checkable independently', () => {
    // Prepare
    const token = signUnsubscribeToken(SECRET, payload);
    const [body, sig] = token.split('.');

    // Act
    const expected = createHmac('sha256', SECRET).update(`v1.${body}`).digest('base64url');

    // Assess
    expect(sig).toBe(expected);
    expect(JSON.parse(Buffer.from(body, 'base64url').toString())).toEqual({ v: 1, c: 'spring-2025', p: 'P#3f9a', ch: 'email' });
  });

  it('refuses another secret, an altered payload and a truncated signature', () => {
    // Prepare
    const token = signUnsubscribeToken(SECRET, payload);
    const [body, sig] = token.split('.');
    const otherBody = Buffer.from(JSON.stringify({ v: 1, c: 'spring-2025', p: 'someone-else', ch: 'email' })).toString('base64url');

    // Act / Assess
    expect(verifyUnsubscribeToken('another-secret-of-enough-length', token)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyUnsubscribeToken(SECRET, `${otherBody}.${sig}`)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyUnsubscribeToken(SECRET, `${body}.${sig.slice(0, 10)}`)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it.each(['', 'nodot', '.sig', 'a.b.c', 'bad body.sig', 'x'.repeat(3000)])('calls %j malformed', (token) => {
    expect(verifyUnsubscribeToken(SECRET, token)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a correctly signed payload of the wrong shape', () => {
    // Prepare
    const body = Buffer.from(JSON.stringify({ v: 1, c: 'x', p: 'y', ch: 'fax' })).toString('base64url');
    const sig = createHmac('sha256', SECRET).update(`v1.${body}`).digest('base64url');

    // Act / Assess
    expect(verifyUnsubscribeToken(SECRET, `${body}.${sig}`)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts a token signed with an older secret during rotation', () => {
    // Prepare
    const old = signUnsubscribeToken(SECRET, payload);

    // Act
    const r = verifyUnsubscribeToken(['the-new-secret-after-rotation', SECRET], old);

    // Assess
    expect(r.ok).toBe(true);
  });

  it('refuses a short secret', () => {
    expect(() => signUnsubscribeToken('short', payload)).toThrow(RangeError);
  });
});

describe('RFC 8058 headers', () => {
  it('lists the HTTPS one-click URL first, then mailto, with List-Unsubscribe-Post', () => {
    // Prepare
    const token = signUnsubscribeToken(SECRET, payload);

    // Act
    const h = buildUnsubscribeHeaders({ baseUrl: 'https://api.example.com/v1/unsubscribe', token, mailto: 'unsubscribe@example.com' });

    // Assess
    expect(h).toEqual({
      'List-Unsubscribe': `<https://api.example.com/v1/unsubscribe?token=${token}>, <mailto:unsubscribe@example.com?subject=unsubscribe>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it('keeps existing query parameters and works without mailto', () => {
    const h = buildUnsubscribeHeaders({ baseUrl: 'https://api.example.com/u?lang=fr', token: 'a.b' });
    expect(h['List-Unsubscribe']).toBe('<https://api.example.com/u?lang=fr&token=a.b>');
  });

  it('refuses plain http except on loopback, and a mailto with header characters', () => {
    expect(() => unsubscribeUrl('http://api.example.com/u', 't')).toThrow(RangeError);
    expect(unsubscribeUrl('http://127.0.0.1:4000/v1/unsubscribe', 't')).toBe('http://127.0.0.1:4000/v1/unsubscribe?token=t');
    expect(() => buildUnsubscribeHeaders({ baseUrl: 'https://x.test/u', token: 't', mailto: 'a@b>, <x@y' })).toThrow(RangeError);
  });
});
