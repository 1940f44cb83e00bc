/**
 * The webhook `Sender`: an HTTPS POST of the message body as JSON, signed so the receiver can
 * tell it came from Sightline and was not replayed.
 *
 * Design:
 * - Signature (the Stripe/Svix shape, which receivers know how to check):
 *   `X-Sightline-Timestamp: <unix seconds>` and
 *   `X-Sightline-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`. The
 *   timestamp is inside the MAC so an old request cannot be replayed with a fresh header;
 *   receivers reject timestamps outside a tolerance (`verifyWebhookSignature`, 5 minutes by
 *   default) and compare in constant time. Every attempt is signed afresh (new timestamp).
 * - `X-Sightline-Delivery` is stable for a (campaign, person): a receiver that got an
 *   attempt whose answer was lost can de-duplicate the retry.
 * - Bounded retries inside one send: network errors, timeouts, 408, 429 and 5xx are retried
 *   with exponential backoff and full jitter (429/503 `Retry-After` honoured, capped); after
 *   the last attempt a `RetryableSendError` is thrown so the page is retried later. Any other
 *   4xx is the receiver's final word and is returned as a permanent failure. Redirects are not
 *   followed: a signed POST re-sent to another URL is not what the marketer configured.
 * - HTTPS only, except plain http to loopback (the local platform and tests), as for the
 *   unsubscribe URL.
 * - node's fetch (undici) only: no SDK; `fetch` and the clock are injectable for tests.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { OutboundMessage, Sender, SendResult } from '../domain/campaigns/ports.ts';
import { permanentError, RetryableSendError } from './send-errors.ts';

export const SIGNATURE_HEADER = 'X-Sightline-Signature';
export const TIMESTAMP_HEADER = 'X-Sightline-Timestamp';
export const DELIVERY_HEADER = 'X-Sightline-Delivery';

export interface WebhookSenderOptions {
  /** The signing secret (at least 16 characters); several receivers may share one. */
  secret: string;
  /** Attempts per message within one send (default 4). */
  maxAttempts?: number;
  /** First backoff (default 200 ms); doubled per attempt, with full jitter. */
  baseDelayMs?: number;
  /** Longest wait between attempts, also the cap on Retry-After (default 5 s). */
  maxDelayMs?: number;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  userAgent?: string;
}

export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export type WebhookVerification = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'bad_signature' };

/** For receivers: checks signature and timestamp (constant-time compare; tolerance in seconds, default 300). */
export function verifyWebhookSignature(input: {
  secret: string;
  body: string;
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  now?: Date;
  toleranceSeconds?: number;
}): WebhookVerification {
  const { signature, timestamp } = input;
  if (!signature || !timestamp) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(timestamp) || !/^sha256=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'malformed' };
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - Number(timestamp)) > (input.toleranceSeconds ?? 300)) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

/** Stable per (campaign, person): the receiver's de-duplication key. */
export const deliveryId = (campaignId: string, personId: string) =>
  `whd_${createHash('sha256').update(`${campaignId}\u0000${personId}`).digest('hex').slice(0, 32)}`;

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

function checkUrl(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `not a URL: ${raw.slice(0, 200)}`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return undefined;
  return `webhook URLs must be https (plain http only on loopback): ${url.protocol}//${url.host}`;
}

const RETRY_STATUS = (s: number) => s === 408 || s === 429 || s >= 500;

function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

export function webhookSender(opts: WebhookSenderOptions): Sender {
  if (opts.secret.length < 16) throw new RangeError('the webhook signing secret must be at least 16 characters');
  const maxAttempts = opts.maxAttempts ?? 4;
  const base = opts.baseDelayMs ?? 200;
  const maxDelay = opts.maxDelayMs ?? 5_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;

  return async (message: OutboundMessage): Promise<SendResult> => {
    if (message.channel !== 'webhook') return { ok: false, error: permanentError('WrongChannel', `the webhook sender posts webhooks, not ${message.channel}`) };
    const badUrl = checkUrl(message.url);
    if (badUrl) return { ok: false, error: permanentError('InvalidUrl', badUrl) };
    const body = JSON.stringify(message.body ?? null);
    const id = deliveryId(message.campaignId, message.personId);
    let last: { code: string; message: string; notAccepted: boolean; cause?: unknown } | undefined;

    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const timestamp = Math.floor(now().getTime() / 1000);
      let waitHint: number | undefined;
      try {
        const res = await doFetch(message.url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': opts.userAgent ?? 'Sightline-Webhook/1',
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: signWebhook(opts.secret, timestamp, body),
            [DELIVERY_HEADER]: id,
            'X-Sightline-Attempt': String(attempt),
          },
          body,
        });
        // The body is drained either way so the connection can be reused.
        const text = await res.text().catch(() => '');
        if (res.status >= 200 && res.status < 300) return { ok: true, messageId: id };
        if (!RETRY_STATUS(res.status)) return { ok: false, error: permanentError(`HTTP ${res.status}`, text.slice(0, 200) || res.statusText) };
        last = { code: `HTTP ${res.status}`, message: text.slice(0, 200) || res.statusText, notAccepted: res.status === 429 };
        waitHint = retryAfterMs(res.headers.get('retry-after'), now());
      } catch (err) {
        const e = err as { name?: string; cause?: { code?: string } };
        const code = e.cause?.code ?? e.name ?? 'FetchError';
        last = { code, message: (err as Error).message, notAccepted: code === 'ECONNREFUSED', cause: err };
      }
      if (attempt < maxAttempts) {
        const backoff = random() * Math.min(maxDelay, base * 2 ** (attempt - 1));
        await sleep(Math.min(maxDelay, Math.max(backoff, waitHint ?? 0)));
      }
    }
    throw new RetryableSendError(`webhook ${new URL(message.url).host}: ${maxAttempts} attempts failed, last ${last!.code}: ${last!.message}`, {
      code: last!.code,
      notAccepted: last!.notAccepted,
      cause: last!.cause,
    });
  };
}
