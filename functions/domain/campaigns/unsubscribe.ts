/**
 * One-click unsubscribe (RFC 8058): the signed token in the List-Unsubscribe URL, and the two
 * headers every campaign email carries.
 *
 * Design:
 * - The one-click POST carries no cookie or login (RFC 8058 §3), so the token is the whole
 *   authentication: HMAC-SHA256 over the payload with a secret only the platform holds,
 *   verified with a constant-time compare (`timingSafeEqual`), so a forged or altered token
 *   (someone unsubscribing a stranger) is refused and timing reveals nothing.
 * - Token = base64url(JSON payload) "." base64url(HMAC). The payload names campaign, person and
 *   channel, with a version so the format can change; no expiry, because mailbox providers
 *   expect an unsubscribe link to keep working long after the mail was sent (Gmail: honoured
 *   within two days of the click, whenever that is).
 * - Verification accepts several secrets, newest first: rotating the secret does not break
 *   the links in mail already delivered.
 * - The URL must be HTTPS (RFC 8058 §3.1); plain http is accepted only on loopback, for the
 *   local platform.
 * - node:crypto only (not an AWS SDK): the same code signs in Lambda, the local platform and
 *   tests.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CampaignChannel } from '../../../schemas/campaign.ts';

export interface UnsubscribePayload {
  campaignId: string;
  personId: string;
  channel: CampaignChannel;
}

const TOKEN_VERSION = 1;
const CHANNELS: readonly string[] = ['email', 'sms', 'webhook'];

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`v${TOKEN_VERSION}.${body}`).digest();
}

export function signUnsubscribeToken(secret: string, payload: UnsubscribePayload): string {
  if (secret.length < 16) throw new RangeError('the unsubscribe secret must be at least 16 characters');
  const body = Buffer.from(JSON.stringify({ v: TOKEN_VERSION, c: payload.campaignId, p: payload.personId, ch: payload.channel })).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

export type UnsubscribeVerification = { ok: true; payload: UnsubscribePayload } | { ok: false; reason: 'malformed' | 'bad_signature' };

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Checks the token against each secret (newest first); the payload only when one signed it. */
export function verifyUnsubscribeToken(secret: string | readonly string[], token: string): UnsubscribeVerification {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (typeof token !== 'string' || token.length > 2048) return { ok: false, reason: 'malformed' };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
  const body = token.slice(0, dot);
  const sig = token.slice(dot + 1);
  if (!BASE64URL.test(body) || !BASE64URL.test(sig)) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(sig, 'base64url');
  // Every secret is tried (no early exit), so time does not tell which one matched.
  let valid = false;
  for (const s of secrets) {
    const expected = mac(s, body);
    if (given.length === expected.length && timingSafeEqual(given, expected)) valid = true;
  }
  if (!valid) return { ok: false, reason: 'bad_signature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const p = parsed as Record<string, unknown>;
  if (p?.v !== TOKEN_VERSION || typeof p.c !== 'string' || typeof p.p !== 'string' || typeof p.ch !== 'string' || !CHANNELS.includes(p.ch)) {
    return { ok: false, reason: 'malformed' };
  }
  return { ok: true, payload: { campaignId: p.c, personId: p.p, channel: p.ch as CampaignChannel } };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The one-click URL: `base` with `token` added to its query. */
export function unsubscribeUrl(base: string, token: string): string {
  const url = new URL(base);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new RangeError('the unsubscribe URL must be https (RFC 8058), or http on loopback for local runs');
  }
  url.searchParams.set('token', token);
  return url.toString();
}

export interface UnsubscribeHeadersInput {
  /** The POST /v1/unsubscribe endpoint, e.g. https://api.example.com/v1/unsubscribe. */
  baseUrl: string;
  token: string;
  /** A mailbox that unsubscribes the sender of any mail it receives (for clients without one-click). */
  mailto?: string;
}

/** List-Unsubscribe (HTTPS first, then mailto) and List-Unsubscribe-Post, per RFC 8058 / RFC 2369. */
export function buildUnsubscribeHeaders(input: UnsubscribeHeadersInput): { 'List-Unsubscribe': string; 'List-Unsubscribe-Post': string } {
  const links = [`<${unsubscribeUrl(input.baseUrl, input.token)}>`];
  if (input.mailto) {
    if (!/^[^\s@<>,]+@[^\s@<>,]+$/.test(input.mailto)) throw new RangeError('mailto must be a plain address');
    links.push(`<mailto:${input.mailto}?subject=unsubscribe>`);
  }
  return { 'List-Unsubscribe': links.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
