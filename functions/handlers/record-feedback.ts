/**
 * SES configuration-set events (EventBridge, source aws.ses) → the send record, and hard
 * bounces and complaints → the suppression list (functions/domain/campaigns/record-feedback.ts).
 * A throw makes EventBridge retry; the event id makes the retry a no-op.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { metrics } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { readSendTags } from '../adapters/ses-email-sender.ts';
import { recordFeedback } from '../domain/campaigns/record-feedback.ts';
import type { FeedbackStore, SuppressionList } from '../domain/campaigns/ports.ts';

interface SesDetail {
  eventType: string;
  mail: { timestamp?: string; destination?: string[]; tags?: Record<string, string[]> };
  bounce?: { bounceType?: string; bounceSubType?: string; timestamp?: string; bouncedRecipients?: { emailAddress: string }[] };
  complaint?: { timestamp?: string; complaintFeedbackType?: string; complainedRecipients?: { emailAddress: string }[] };
  delivery?: { timestamp?: string };
  open?: { timestamp?: string };
  click?: { timestamp?: string; link?: string };
  reject?: { reason?: string };
}

export function makeRecordFeedback(deps: { records: FeedbackStore; suppressions: SuppressionList }) {
  return async (event: EventBridgeEvent<string, SesDetail>) => {
    const d = event.detail;
    const at = d.bounce?.timestamp ?? d.complaint?.timestamp ?? d.delivery?.timestamp ?? d.open?.timestamp ?? d.click?.timestamp ?? event.time;
    const recipients = d.bounce?.bouncedRecipients?.map((r) => r.emailAddress) ?? d.complaint?.complainedRecipients?.map((r) => r.emailAddress) ?? [];
    const result = await recordFeedback(
      { eventId: event.id, eventType: d.eventType, key: readSendTags(d.mail?.tags), recipients, at, bounceType: d.bounce?.bounceType, detail: d.bounce?.bounceSubType ?? d.complaint?.complaintFeedbackType ?? d.reject?.reason, link: d.click?.link },
      deps,
    );
    metrics.addMetric(`Ses${d.eventType.replace(/\s+/g, '')}`, MetricUnit.Count, 1);
    return { result };
  };
}

const env = loadEnv('record-feedback');
const services = createServices();
export const feedback = makeRecordFeedback({ records: services.sendRecords(env.CAMPAIGNS_TABLE_NAME), suppressions: services.suppressions(env.CAMPAIGNS_TABLE_NAME) });
export const handler = withPowertools(feedback);
