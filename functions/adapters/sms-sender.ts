/**
 * The SMS `Sender` on AWS End User Messaging SMS (`pinpoint-sms-voice-v2` SendTextMessage).
 *
 * Design:
 * - One SendTextMessage per recipient; `Context` carries campaign, person and variant so
 *   the configuration set's events (delivered, failed, opted out) lead back to the send
 *   record. Campaign messages are PROMOTIONAL unless configured otherwise: carriers and
 *   some countries route and filter by type, and sending marketing as TRANSACTIONAL breaks
 *   their rules.
 * - Errors (the `Sender` contract): ThrottlingException, 429 and 5xx (InternalServerException)
 *   are thrown as `RetryableSendError`; ValidationException, ConflictException (among them
 *   DESTINATION_PHONE_NUMBER_OPTED_OUT), AccessDenied, ResourceNotFound and
 *   ServiceQuotaExceeded are returned with their `Reason` in the text. An opted-out number
 *   is worth suppressing (`isSmsOptOut`); a monthly spend limit or a denied role stops
 *   every later message too (`isAccountLevelSmsFailure`), so the send page can stop.
 * - The client is injected (services.ts builds it).
 */
import { SendTextMessageCommand, type PinpointSMSVoiceV2Client, type SendTextMessageCommandInput } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import type { OutboundMessage, Sender, SendResult, SmsMessage } from '../domain/campaigns/ports.ts';
import { classifyAwsError, permanentError, RetryableSendError } from './send-errors.ts';

export interface SmsSenderOptions {
  /** Phone number, sender id, pool (id or ARN) used when a message names no `from`. */
  originationIdentity?: string;
  configurationSetName?: string;
  /** Default PROMOTIONAL: campaign messages are marketing. */
  messageType?: 'PROMOTIONAL' | 'TRANSACTIONAL';
  /** Largest price per segment (USD, as a string: `"0.10"`); refuse dearer destinations. */
  maxPrice?: string;
  /** Seconds the service may keep trying to deliver (5–259200). */
  timeToLive?: number;
  /** Test without sending or paying (`DryRun`). */
  dryRun?: boolean;
}

const SMS_THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException']);

/** The SendTextMessage input for one message (exported for tests). */
export function sendTextInput(m: SmsMessage, opts: SmsSenderOptions = {}): SendTextMessageCommandInput {
  const origin = m.from ?? opts.originationIdentity;
  return {
    DestinationPhoneNumber: m.to,
    ...(origin ? { OriginationIdentity: origin } : {}),
    MessageBody: m.text,
    MessageType: opts.messageType ?? 'PROMOTIONAL',
    ...(opts.configurationSetName ? { ConfigurationSetName: opts.configurationSetName } : {}),
    ...(opts.maxPrice ? { MaxPrice: opts.maxPrice } : {}),
    ...(opts.timeToLive !== undefined ? { TimeToLive: opts.timeToLive } : {}),
    ...(opts.dryRun ? { DryRun: true } : {}),
    Context: { campaignId: m.campaignId, personId: m.personId, variantId: m.variantId },
  };
}

export function smsSender(client: PinpointSMSVoiceV2Client, opts: SmsSenderOptions = {}): Sender {
  return async (message: OutboundMessage): Promise<SendResult> => {
    if (message.channel !== 'sms') return { ok: false, error: permanentError('WrongChannel', `the SMS sender sends sms, not ${message.channel}`) };
    try {
      const out = await client.send(new SendTextMessageCommand(sendTextInput(message, opts)));
      if (!out.MessageId) throw new RetryableSendError('SendTextMessage answered without a MessageId', { code: 'NoMessageId', notAccepted: false });
      return { ok: true, messageId: out.MessageId };
    } catch (err) {
      if (err instanceof RetryableSendError) throw err;
      const c = classifyAwsError(err, SMS_THROTTLING);
      if (c.kind === 'retryable') throw new RetryableSendError(`SMS SendTextMessage: ${(err as Error).message}`, { code: c.code, notAccepted: c.notAccepted, cause: err });
      if (c.kind === 'permanent') {
        const reason = (err as { Reason?: string }).Reason;
        return { ok: false, error: permanentError(reason ? `${c.code}(${reason})` : c.code, (err as Error).message) };
      }
      throw err;
    }
  };
}

/** The destination opted out (STOP): suppress the number. */
export const isSmsOptOut = (r: SendResult) => !r.ok && r.error.startsWith('ConflictException(DESTINATION_PHONE_NUMBER_OPTED_OUT)');

/** Refusals that every later message would get too: a spend limit, a denied role. */
export const isAccountLevelSmsFailure = (r: SendResult) =>
  !r.ok && (/^ServiceQuotaExceededException\(MONTHLY_SPEND_LIMIT/.test(r.error) || r.error.startsWith('AccessDeniedException'));
