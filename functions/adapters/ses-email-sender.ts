/**
 * The email `Sender` on Amazon SES v2 (SendEmail with Simple content), and the account's
 * send quota for pacing.
 *
 * Design:
 * - One SendEmail per recipient with Simple content: subject, HTML and text bodies and the
 *   per-recipient headers (`Content.Simple.Headers`: RFC 8058 List-Unsubscribe and
 *   List-Unsubscribe-Post, which must differ per person because the URL holds that person's
 *   signed token). SES signs them with DKIM like every other header, which RFC 8058 requires.
 * - The configuration set (when configured) is what routes SES's feedback events to
 *   EventBridge; each message carries EmailTags naming campaign, person and variant so the
 *   feedback handler can find the send record without an index on message ids
 *   (`readSendTags`). SES tag values allow only `[A-Za-z0-9_-]`: ids outside that set travel
 *   base64url-encoded under a `_b64` tag name, so nothing is lost or ambiguous.
 * - Errors (the `Sender` contract): throttling (`ThrottlingException`, `TooManyRequests`,
 *   429 — "Maximum sending rate exceeded"; SES did not send) and 5xx are thrown as
 *   `RetryableSendError`; SES's refusals (MessageRejected, MailFromDomainNotVerified,
 *   AccountSuspended, SendingPaused, NotFound, BadRequest …) are returned. The account-level
 *   ones mean every later message fails too: `isAccountLevelSesFailure` lets the send page
 *   stop the campaign instead of failing a million people one at a time.
 * - Headers are checked before the call: a CR or LF in a header would be header injection,
 *   and SES refuses more than 15 custom headers or a value over 870 characters; all three
 *   are returned as permanent failures, naming the header.
 * - The client is injected (services.ts builds it); the SDK's own retry strategy runs first,
 *   so a throttling error seen here has already been retried with backoff.
 */
import { GetAccountCommand, SendEmailCommand, type SendEmailCommandInput, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailMessage, OutboundMessage, Sender, SendResult } from '../domain/campaigns/ports.ts';
import { classifyAwsError, permanentError, RetryableSendError } from './send-errors.ts';

export interface SesEmailSenderOptions {
  /** The configuration set whose event destination carries feedback (absent: no events). */
  configurationSetName?: string;
  /** The verified identity's ARN, when sending authorised from another account. */
  fromEmailAddressIdentityArn?: string;
  /** Extra tags on every message (e.g. `stage`), besides campaign, person and variant. */
  tags?: Record<string, string>;
}

const SES_THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'TooManyRequests']);

/** Refusals that concern the account or identity, not the message: every later send fails too. */
export const ACCOUNT_LEVEL_SES_ERRORS = ['AccountSuspendedException', 'SendingPausedException', 'MailFromDomainNotVerifiedException'] as const;

export function isAccountLevelSesFailure(result: SendResult): boolean {
  return !result.ok && ACCOUNT_LEVEL_SES_ERRORS.some((code) => result.error.startsWith(`${code}:`));
}

/** SES custom headers: at most 15, values at most 870 characters (SES SendEmail limits). */
const MAX_HEADERS = 15;
const MAX_HEADER_VALUE = 870;
const HEADER_NAME = /^[!-9;-~]+$/; // RFC 5322 ftext: printable ASCII except ':'

const TAG_VALUE = /^[A-Za-z0-9_-]{1,256}$/;
const TAG_NAMES = { campaignId: 'sl_campaign', personId: 'sl_person', variantId: 'sl_variant' } as const;

/** The EmailTags of one message: campaign, person and variant, raw when SES allows it, else base64url under `<name>_b64`. */
export function sendTags(m: Pick<EmailMessage, 'campaignId' | 'personId' | 'variantId'>, extra: Record<string, string> = {}): { Name: string; Value: string }[] {
  const tags: { Name: string; Value: string }[] = [];
  for (const [field, name] of Object.entries(TAG_NAMES) as [keyof typeof TAG_NAMES, string][]) {
    const value = m[field];
    if (TAG_VALUE.test(value)) tags.push({ Name: name, Value: value });
    else {
      const encoded = Buffer.from(value, 'utf8').toString('base64url');
      if (encoded.length > 256) throw new RangeError(`${field} is too long for an SES message tag (${value.length} characters)`);
      tags.push({ Name: `${name}_b64`, Value: encoded });
    }
  }
  for (const [Name, Value] of Object.entries(extra)) tags.push({ Name, Value });
  return tags;
}

/** Campaign, person and variant from an SES event's `mail.tags`; undefined when it was not a campaign send. */
export function readSendTags(tags: Readonly<Record<string, readonly string[] | undefined>> | undefined): { campaignId: string; personId: string; variantId?: string } | undefined {
  if (!tags) return undefined;
  const read = (name: string) => {
    const raw = tags[name]?.[0];
    if (raw !== undefined) return raw;
    const b64 = tags[`${name}_b64`]?.[0];
    return b64 !== undefined ? Buffer.from(b64, 'base64url').toString('utf8') : undefined;
  };
  const campaignId = read(TAG_NAMES.campaignId);
  const personId = read(TAG_NAMES.personId);
  if (campaignId === undefined || personId === undefined) return undefined;
  const variantId = read(TAG_NAMES.variantId);
  return { campaignId, personId, ...(variantId !== undefined ? { variantId } : {}) };
}

/**
 * `"Name" <address>`; a name outside printable ASCII (or with quotes or backslashes) as an
 * RFC 2047 encoded word, which SES requires for non-ASCII display names.
 */
export function formatFromAddress(address: string, name?: string): string {
  if (!name) return address;
  if (/^[ !#-[\]-~]*$/.test(name)) return `"${name}" <${address}>`;
  return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?= <${address}>`;
}

function checkHeaders(headers: Record<string, string>): string | undefined {
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) return `SES accepts at most ${MAX_HEADERS} custom headers, got ${entries.length}`;
  for (const [name, value] of entries) {
    if (!HEADER_NAME.test(name)) return `header name ${JSON.stringify(name)} is not a valid header name`;
    if (/[\r\n]/.test(value)) return `header ${name} contains a line break`;
    if (value.length > MAX_HEADER_VALUE) return `header ${name} is longer than ${MAX_HEADER_VALUE} characters`;
  }
  return undefined;
}

/** The SendEmail input for one message (exported for tests and the proof-send command). */
export function sendEmailInput(m: EmailMessage, opts: SesEmailSenderOptions = {}): SendEmailCommandInput {
  const headers = Object.entries(m.headers).map(([Name, Value]) => ({ Name, Value }));
  return {
    FromEmailAddress: formatFromAddress(m.from, m.fromName),
    ...(opts.fromEmailAddressIdentityArn ? { FromEmailAddressIdentityArn: opts.fromEmailAddressIdentityArn } : {}),
    Destination: { ToAddresses: [m.to] },
    ...(m.replyTo ? { ReplyToAddresses: [m.replyTo] } : {}),
    Content: {
      Simple: {
        Subject: { Data: m.subject, Charset: 'UTF-8' },
        Body: { Html: { Data: m.html, Charset: 'UTF-8' }, Text: { Data: m.text, Charset: 'UTF-8' } },
        ...(headers.length > 0 ? { Headers: headers } : {}),
      },
    },
    EmailTags: sendTags(m, opts.tags),
    ...(opts.configurationSetName ? { ConfigurationSetName: opts.configurationSetName } : {}),
  };
}

export function sesEmailSender(client: SESv2Client, opts: SesEmailSenderOptions = {}): Sender {
  return async (message: OutboundMessage): Promise<SendResult> => {
    if (message.channel !== 'email') return { ok: false, error: permanentError('WrongChannel', `the SES sender sends email, not ${message.channel}`) };
    const bad = checkHeaders(message.headers);
    if (bad) return { ok: false, error: permanentError('InvalidHeader', bad) };
    try {
      const out = await client.send(new SendEmailCommand(sendEmailInput(message, opts)));
      if (!out.MessageId) throw new RetryableSendError('SES answered SendEmail without a MessageId', { code: 'NoMessageId', notAccepted: false });
      return { ok: true, messageId: out.MessageId };
    } catch (err) {
      if (err instanceof RetryableSendError) throw err;
      const c = classifyAwsError(err, SES_THROTTLING);
      if (c.kind === 'retryable') throw new RetryableSendError(`SES SendEmail: ${(err as Error).message}`, { code: c.code, notAccepted: c.notAccepted, cause: err });
      if (c.kind === 'permanent') return { ok: false, error: permanentError(c.code, (err as Error).message) };
      throw err;
    }
  };
}

export interface SendQuota {
  /** Messages per second the account may send (pacing shares this across shards). */
  maxSendRate: number;
  max24HourSend: number;
  sentLast24Hours: number;
  sendingEnabled: boolean;
  productionAccessEnabled: boolean;
}

/** The account's sending limits (GetAccount). Throws when SES answers without a quota. */
export async function getSendQuota(client: SESv2Client): Promise<SendQuota> {
  const out = await client.send(new GetAccountCommand({}));
  const q = out.SendQuota;
  if (!q || q.MaxSendRate === undefined) throw new Error('SES GetAccount answered without a SendQuota');
  return {
    maxSendRate: q.MaxSendRate,
    // SES reports an unlimited daily quota as -1.
    max24HourSend: q.Max24HourSend === undefined || q.Max24HourSend < 0 ? Number.POSITIVE_INFINITY : q.Max24HourSend,
    sentLast24Hours: q.SentLast24Hours ?? 0,
    sendingEnabled: out.SendingEnabled ?? true,
    productionAccessEnabled: out.ProductionAccessEnabled ?? false,
  };
}
