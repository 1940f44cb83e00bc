/**
 * The campaigns piece's ports: what the domain needs from storage and delivery, as small
 * interfaces that DynamoDB / SES / SMS / HTTP adapters implement and in-memory fakes replace
 * in tests and the local platform.
 *
 * Design:
 * - Exactly once is the send record's job. A record per (campaign, person) is claimed with
 *   a condition (`attribute_not_exists`) before any provider is called, then moved
 *   CLAIMED → SENT | SKIPPED(reason) | FAILED with a condition on CLAIMED. A retried page, a
 *   crashed Lambda or a restarted execution finds the record and sends nothing. A record left
 *   CLAIMED by a crash between the claim and the provider's answer is never re-sent
 *   automatically: whether the provider accepted the message is unknown, and a missed
 *   message is better than a duplicate (the summary counts such records as `unknown`).
 * - The frequency cap is a conditional counter per person and window in the store
 *   (`ADD n :1` under `n < :cap`), shared by every campaign, so two campaigns running at once
 *   never exceed it; `reserve` is all-or-nothing over the windows and `release` gives a
 *   reservation back when the send fails terminally.
 * - The suppression list is looked up a page at a time (DynamoDB BatchGetItem), not per person.
 * - `Sender` is a function type (Dittofeed's seam): retryable errors (throttling, 5xx,
 *   timeouts) are thrown so the page is retried; errors that can never succeed are returned,
 *   recorded on the send record, and the page goes on.
 */
import type { CampaignChannel } from '../../../schemas/campaign.ts';

/** Why a person got no message. `holdout` is recorded (not sent) so the control group can be measured. */
export type SkipReason =
  | 'merged'
  | 'no_consent'
  | 'unsubscribed'
  | 'suppressed'
  | 'no_address'
  | 'frequency_cap'
  | 'holdout';

export type SendStatus = 'CLAIMED' | 'SENT' | 'SKIPPED' | 'FAILED';

export interface SendKey {
  campaignId: string;
  personId: string;
}

export interface SendRecord extends SendKey {
  status: SendStatus;
  /** 'holdout' or the variant id; absent until assigned. */
  arm?: string;
  reason?: SkipReason;
  /** The provider's message id once SENT. */
  messageId?: string;
  /** Why it FAILED (non-retryable provider answer, rendering error). */
  error?: string;
  claimedAt: string;
  updatedAt: string;
  /** When the message went (SENT) or would have gone (holdout): attribution starts here. */
  sentAt?: string;
}

export type SendOutcome =
  | { status: 'SENT'; messageId: string; sentAt: string }
  | { status: 'SKIPPED'; reason: SkipReason; sentAt?: string }
  | { status: 'FAILED'; error: string };

export type ClaimResult = { claimed: true; record: SendRecord } | { claimed: false; existing: SendRecord };

export interface SendRecordStore {
  /** Creates the record as CLAIMED only if none exists (a condition, never read-then-write). */
  claim(key: SendKey, at: string, arm?: string): Promise<ClaimResult>;
  /** Moves a CLAIMED record to its outcome; throws if it is not CLAIMED (a condition on status). */
  complete(key: SendKey, outcome: SendOutcome, at: string): Promise<void>;
  get(key: SendKey): Promise<SendRecord | undefined>;
  /**
   * Records an outcome decided without sending (a skip with its reason, the holdout) in one
   * conditional write: false when a record already exists (a retried page), which is kept.
   */
  recordSkip(key: SendKey, outcome: Extract<SendOutcome, { status: 'SKIPPED' }>, at: string, arm?: string): Promise<boolean>;
  /**
   * Removes a CLAIMED record whose message the provider certainly did not take (throttled
   * before acceptance), so the retried page sends it; a record in any other state is kept.
   */
  unclaim(key: SendKey): Promise<void>;
}

export type SuppressionReason = 'unsubscribe' | 'bounce' | 'complaint' | 'manual';

export interface SuppressionEntry {
  channel: CampaignChannel;
  /** Normalised address: lower-cased email, E.164 phone. */
  address: string;
  reason: SuppressionReason;
  at: string;
}

export interface SuppressionList {
  /** The entries among `addresses` for the channel, keyed by normalised address. */
  findMany(channel: CampaignChannel, addresses: readonly string[]): Promise<ReadonlyMap<string, SuppressionEntry>>;
  add(entry: SuppressionEntry): Promise<void>;
}

export interface CapWindow {
  /** `day` or `week`; part of the counter's key with `key`. */
  window: 'day' | 'week';
  /** The calendar window in the person's zone: `2025-03-30`, `2025-W13`. */
  key: string;
  /** Reserve only while the counter is below this. */
  cap: number;
}

export interface FrequencyCapStore {
  /** Adds one to every window's counter if all stay within their caps; false (and nothing held) otherwise. */
  reserve(personId: string, windows: readonly CapWindow[]): Promise<boolean>;
  /** Gives back a reservation made for a send that failed terminally. */
  release(personId: string, windows: readonly CapWindow[]): Promise<void>;
}

interface MessageBase {
  campaignId: string;
  personId: string;
  variantId: string;
}
export interface EmailMessage extends MessageBase {
  channel: 'email';
  to: string;
  from: string;
  fromName?: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** List-Unsubscribe and List-Unsubscribe-Post (RFC 8058), per recipient. */
  headers: Record<string, string>;
}
export interface SmsMessage extends MessageBase {
  channel: 'sms';
  to: string;
  from?: string;
  text: string;
}
export interface WebhookMessage extends MessageBase {
  channel: 'webhook';
  url: string;
  body: unknown;
}
export type OutboundMessage = EmailMessage | SmsMessage | WebhookMessage;

/** A non-retryable failure is returned; a retryable one is thrown. */
export type SendResult = { ok: true; messageId: string } | { ok: false; error: string };

export type Sender = (message: OutboundMessage) => Promise<SendResult>;

/** One Sender over every channel: adding a channel is a new entry here, no state-machine change. */
export function channelSender(senders: Partial<Record<OutboundMessage['channel'], Sender>>): Sender {
  return async (message) => {
    const send = senders[message.channel];
    if (!send) return { ok: false, error: `no sender configured for channel ${message.channel}` };
    return send(message);
  };
}

/** `unsubscribe`: the one-click unsubscribe of this send's token (functions/domain/campaigns/unsubscribe-person.ts), not an SES event. */
export const SEND_EVENT_TYPES = ['delivery', 'bounce', 'complaint', 'open', 'click', 'reject', 'delivery_delay', 'rendering_failure', 'unsubscribe'] as const;
export type SendEventType = (typeof SEND_EVENT_TYPES)[number];

/** One piece of provider feedback about a send (SES event destinations: DELIVERY, BOUNCE, …). */
export interface SendEvent {
  type: SendEventType;
  /** When the provider says it happened (ISO 8601). */
  at: string;
  /** The event's own id (EventBridge `id`): applied once however often it is delivered. */
  eventId?: string;
  /** Bounces: SES `bounceType` (Permanent, Transient, Undetermined). */
  bounceType?: string;
  /** Bounces, complaints, rejects: SES's sub-type or reason, kept short. */
  detail?: string;
  /** Clicks: the link followed. */
  link?: string;
}

export type RecordEventResult = 'recorded' | 'duplicate' | 'no_record';

/** Provider feedback recorded on the send record (SES configuration-set events). */
export interface FeedbackStore {
  recordEvent(key: SendKey, event: SendEvent): Promise<RecordEventResult>;
}
