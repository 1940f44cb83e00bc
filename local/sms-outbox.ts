/**
 * The local SMS outbox: a `Sender` for the sms channel that records messages instead of
 * sending them (there is no SMS emulator), and `list()` for the local platform to serve on
 * loopback, as aws-ses-v2-local's `/store` does for mail.
 *
 * It checks what End User Messaging SMS would refuse outright — a destination that is not
 * E.164, an empty body, a body over the 1,600-character limit — and answers those as
 * permanent failures, so local runs exercise the same failure paths. It also records the
 * number of segments the message would be billed as (GSM-7: 160 characters, 153 per part;
 * otherwise UCS-2: 70, 67 per part), which is what an SMS campaign costs.
 * Kept in memory (bounded; the oldest are dropped past `limit`), lost on restart.
 */
import type { OutboundMessage, Sender, SendResult } from '../functions/domain/campaigns/ports.ts';

export interface OutboxSms {
  messageId: string;
  campaignId: string;
  personId: string;
  variantId: string;
  to: string;
  from?: string;
  text: string;
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  /** ISO 8601. */
  at: string;
}

export interface SmsOutbox {
  send: Sender;
  /** Recorded messages, oldest first; optionally only since an instant or to one number. */
  list(filter?: { since?: Date; to?: string; campaignId?: string }): OutboxSms[];
  /** Messages recorded since start (including any dropped past the limit). */
  total(): number;
  clear(): void;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_BODY = 1600;
// GSM 03.38 basic set and its extension table (extension characters count double).
const GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXT = '^{}\\[~]|€\f';

export function smsSegments(text: string): { encoding: 'GSM-7' | 'UCS-2'; segments: number } {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXT.includes(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: 'GSM-7', segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  // UCS-2 counts UTF-16 code units: an emoji (a surrogate pair) takes two.
  const units = text.length;
  return { encoding: 'UCS-2', segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

export function createSmsOutbox(opts: { limit?: number; now?: () => Date } = {}): SmsOutbox {
  const limit = opts.limit ?? 10_000;
  const now = opts.now ?? (() => new Date());
  let messages: OutboxSms[] = [];
  let total = 0;

  const send: Sender = async (m: OutboundMessage): Promise<SendResult> => {
    if (m.channel !== 'sms') return { ok: false, error: `WrongChannel: the SMS outbox records sms, not ${m.channel}` };
    if (!E164.test(m.to)) return { ok: false, error: `ValidationException(INVALID_PARAMETER): destination ${m.to} is not an E.164 number` };
    if (m.text.length === 0) return { ok: false, error: 'ValidationException(INVALID_PARAMETER): empty message body' };
    if (m.text.length > MAX_BODY) return { ok: false, error: `ValidationException(INVALID_PARAMETER): message body longer than ${MAX_BODY} characters` };
    total++;
    const record: OutboxSms = {
      messageId: `local-sms-${total}`,
      campaignId: m.campaignId,
      personId: m.personId,
      variantId: m.variantId,
      to: m.to,
      ...(m.from !== undefined ? { from: m.from } : {}),
      text: m.text,
      ...smsSegments(m.text),
      at: now().toISOString(),
    };
    messages.push(record);
    if (messages.length > limit) messages = messages.slice(messages.length - limit);
    return { ok: true, messageId: record.messageId };
  };

  return {
    send,
    list(filter = {}) {
      return messages.filter(
        (s) =>
          (filter.since === undefined || Date.parse(s.at) >= filter.since.getTime()) &&
          (filter.to === undefined || s.to === filter.to) &&
          (filter.campaignId === undefined || s.campaignId === filter.campaignId),
      );
    },
    total: () => total,
    clear() {
      messages = [];
    },
  };
}
