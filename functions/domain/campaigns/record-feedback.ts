/**
 * SES feedback (configuration-set events through EventBridge) onto the send record: delivery,
 * bounce, complaint, open, click, reject, delivery delay, rendering failure — each applied
 * once per event id. A permanent bounce or a complaint also puts the address on the
 * suppression list at once, so no later campaign mails it (Gmail and Yahoo expect complaints
 * under 0.3 %; a hard bounce repeated hurts the sender's reputation). Opens are recorded and
 * reported, never used to decide anything (Apple Mail Privacy Protection opens every mail).
 */
import type { FeedbackStore, RecordEventResult, SendEventType, SendKey, SuppressionList } from './ports.ts';

/** The part of an SES event this needs (EventBridge `detail`, SES v2 event publishing). */
export interface SesFeedback {
  eventId: string;
  eventType: string;
  key: SendKey | undefined;
  /** The recipient the event is about (bounced / complained / delivered). */
  recipients: string[];
  at: string;
  bounceType?: string;
  detail?: string;
  link?: string;
}

const TYPES: Record<string, SendEventType> = {
  Delivery: 'delivery',
  Bounce: 'bounce',
  Complaint: 'complaint',
  Open: 'open',
  Click: 'click',
  Reject: 'reject',
  DeliveryDelay: 'delivery_delay',
  'Rendering Failure': 'rendering_failure',
};

export async function recordFeedback(f: SesFeedback, deps: { records: FeedbackStore; suppressions: SuppressionList }): Promise<RecordEventResult | 'ignored'> {
  const type = TYPES[f.eventType];
  // Send and Subscription events, and mail that was not a campaign send (a proof), carry nothing to record.
  if (!type || !f.key) return 'ignored';
  const result = await deps.records.recordEvent(f.key, { type, at: f.at, eventId: f.eventId, ...(f.bounceType ? { bounceType: f.bounceType } : {}), ...(f.detail ? { detail: f.detail } : {}), ...(f.link ? { link: f.link } : {}) });
  const suppress = (type === 'bounce' && f.bounceType === 'Permanent') || type === 'complaint';
  if (suppress) {
    for (const address of f.recipients) await deps.suppressions.add({ channel: 'email', address, reason: type === 'complaint' ? 'complaint' : 'bounce', at: f.at });
  }
  return result;
}
