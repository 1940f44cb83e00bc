import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ConflictException,
  InternalServerException,
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { isAccountLevelSmsFailure, isSmsOptOut, smsSender } from '../../../functions/adapters/sms-sender.ts';
import { RetryableSendError } from '../../../functions/adapters/send-errors.ts';
import type { SmsMessage } from '../../../functions/domain/campaigns/ports.ts';

const message = (over: Partial<SmsMessage> = {}): SmsMessage => ({
  channel: 'sms',
  campaignId: 'spring-sale',
  personId: 'p-1',
  variantId: 'B',
  to: '+447700900123',
  text: 'Spring sale: 20% off today. Reply STOP to opt out.',
  ...over,
});
const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('smsSender', () => {
  it('sends a promotional text from the configured identity, with campaign context', async () => {
    // Prepare
    const sms = mockClient(PinpointSMSVoiceV2Client);
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'sms-1' });
    const send = smsSender(sms as unknown as PinpointSMSVoiceV2Client, { originationIdentity: 'pool-123', configurationSetName: 'sightline-sms', maxPrice: '0.10' });
    // Act
    const result = await send(message());
    // Assess
    expect(result).toEqual({ ok: true, messageId: 'sms-1' });
    expect(sms.commandCalls(SendTextMessageCommand)[0].args[0].input).toEqual({
      DestinationPhoneNumber: '+447700900123',
      OriginationIdentity: 'pool-123',
      MessageBody: 'Spring sale: 20% off today. Reply STOP to opt out.',
      MessageType: 'PROMOTIONAL',
      ConfigurationSetName: 'sightline-sms',
      MaxPrice: '0.10',
      Context: { campaignId: 'spring-sale', personId: 'p-1', variantId: 'B' },
    });
  });

  it('prefers the message’s own sender id', async () => {
    const sms = mockClient(PinpointSMSVoiceV2Client);
    sms.on(SendTextMessageCommand).resolves({ MessageId: 'sms-2' });
    await smsSender(sms as unknown as PinpointSMSVoiceV2Client, { originationIdentity: 'pool-123', messageType: 'TRANSACTIONAL' })(message({ from: 'SHOP' }));
    expect(sms.commandCalls(SendTextMessageCommand)[0].args[0].input).toMatchObject({ OriginationIdentity: 'SHOP', MessageType: 'TRANSACTIONAL' });
  });

  it('throws throttling and server errors as retryable', async () => {
    // Prepare
    const sms = mockClient(PinpointSMSVoiceV2Client);
    sms
      .on(SendTextMessageCommand)
      .rejectsOnce(new ThrottlingException({ message: 'rate', ...meta(429) }))
      .rejectsOnce(new InternalServerException({ message: 'oops', ...meta(500) }));
    const send = smsSender(sms as unknown as PinpointSMSVoiceV2Client);
    // Act
    const errors = [await send(message()).catch((e) => e), await send(message()).catch((e) => e)];
    // Assess
    expect(errors.map((e: RetryableSendError) => [e instanceof RetryableSendError, e.code, e.notAccepted])).toEqual([
      [true, 'ThrottlingException', true],
      [true, 'InternalServerException', false],
    ]);
  });

  it('returns refusals with their reason: opt-out, validation, spend limit', async () => {
    // Prepare
    const sms = mockClient(PinpointSMSVoiceV2Client);
    sms
      .on(SendTextMessageCommand)
      .rejectsOnce(new ConflictException({ message: 'opted out', Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT', ...meta(409) }))
      .rejectsOnce(new ValidationException({ message: 'bad number', Reason: 'INVALID_PARAMETER', ...meta(400) }))
      .rejectsOnce(new ServiceQuotaExceededException({ message: 'spend', Reason: 'MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT', ...meta(402) }));
    const send = smsSender(sms as unknown as PinpointSMSVoiceV2Client);
    // Act
    const results = [await send(message()), await send(message()), await send(message())];
    // Assess
    expect(results).toEqual([
      { ok: false, error: 'ConflictException(DESTINATION_PHONE_NUMBER_OPTED_OUT): opted out' },
      { ok: false, error: 'ValidationException(INVALID_PARAMETER): bad number' },
      { ok: false, error: 'ServiceQuotaExceededException(MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT): spend' },
    ]);
    expect(results.map(isSmsOptOut)).toEqual([true, false, false]);
    expect(results.map(isAccountLevelSmsFailure)).toEqual([false, false, true]);
  });

  it('does not send other channels', async () => {
    const sms = mockClient(PinpointSMSVoiceV2Client);
    const r = await smsSender(sms as unknown as PinpointSMSVoiceV2Client)({ channel: 'webhook', campaignId: 'c', personId: 'p', variantId: 'A', url: 'https://x', body: {} });
    expect(r).toMatchObject({ ok: false });
    expect(sms.commandCalls(SendTextMessageCommand)).toHaveLength(0);
  });
});
