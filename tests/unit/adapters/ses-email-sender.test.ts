import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AccountSuspendedException,
  GetAccountCommand,
  InternalServiceErrorException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  SendEmailCommand,
  SESv2Client,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { formatFromAddress, getSendQuota, isAccountLevelSesFailure, readSendTags, sesEmailSender } from '../../../functions/adapters/ses-email-sender.ts';
import { RetryableSendError } from '../../../functions/adapters/send-errors.ts';
import type { EmailMessage } from '../../../functions/domain/campaigns/ports.ts';

const message = (over: Partial<EmailMessage> = {}): EmailMessage => ({
  channel: 'email',
  campaignId: 'spring-sale',
  personId: 'p-1',
  variantId: 'A',
  to: 'ann@example.com',
  from: 'news@shop.example',
  fromName: 'Shop',
  replyTo: 'help@shop.example',
  subject: 'Spring is here',
  html: '<p>Hi Ann</p>',
  text: 'Hi Ann',
  headers: {
    'List-Unsubscribe': '<https://shop.example/v1/unsubscribe?token=abc>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
  ...over,
});

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('sesEmailSender', () => {
  it('sends Simple content with the unsubscribe headers, tags and configuration set', async () => {
    // Prepare
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const send = sesEmailSender(ses as unknown as SESv2Client, { configurationSetName: 'sightline-campaigns' });
    // Act
    const result = await send(message());
    // Assess
    expect(result).toEqual({ ok: true, messageId: 'ses-1' });
    expect(ses.commandCalls(SendEmailCommand)[0].args[0].input).toEqual({
      FromEmailAddress: '"Shop" <news@shop.example>',
      Destination: { ToAddresses: ['ann@example.com'] },
      ReplyToAddresses: ['help@shop.example'],
      Content: {
        Simple: {
          Subject: { Data: 'Spring is here', Charset: 'UTF-8' },
          Body: { Html: { Data: '<p>Hi Ann</p>', Charset: 'UTF-8' }, Text: { Data: 'Hi Ann', Charset: 'UTF-8' } },
          Headers: [
            { Name: 'List-Unsubscribe', Value: '<https://shop.example/v1/unsubscribe?token=abc>' },
            { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          ],
        },
      },
      EmailTags: [
        { Name: 'sl_campaign', Value: 'spring-sale' },
        { Name: 'sl_person', Value: 'p-1' },
        { Name: 'sl_variant', Value: 'A' },
      ],
      ConfigurationSetName: 'sightline-campaigns',
    });
  });

  it('omits the configuration set when none is configured and encodes ids SES tags cannot hold', async () => {
    // Prepare
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-2' });
    // Act
    await sesEmailSender(ses as unknown as SESv2Client)(message({ personId: 'user:ann@example.com', fromName: undefined }));
    // Assess
    const input = ses.commandCalls(SendEmailCommand)[0].args[0].input;
    expect(input.ConfigurationSetName).toBeUndefined();
    expect(input.FromEmailAddress).toBe('news@shop.example');
    const tags = Object.fromEntries(input.EmailTags!.map((t) => [t.Name!, [t.Value!]]));
    expect(tags.sl_person_b64).toBeDefined();
    expect(readSendTags(tags)).toEqual({ campaignId: 'spring-sale', personId: 'user:ann@example.com', variantId: 'A' });
  });

  it('throws throttling and 5xx as retryable, saying whether SES took the message', async () => {
    // Prepare
    const ses = mockClient(SESv2Client);
    const throttled = Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'ThrottlingException', $fault: 'client', ...meta(400) });
    ses
      .on(SendEmailCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(new TooManyRequestsException({ message: 'slow down', ...meta(429) }))
      .rejectsOnce(new InternalServiceErrorException({ message: 'oops', ...meta(500) }));
    const send = sesEmailSender(ses as unknown as SESv2Client);
    // Act
    const errors = [await send(message()).catch((e) => e), await send(message()).catch((e) => e), await send(message()).catch((e) => e)];
    // Assess
    for (const e of errors) expect(e).toBeInstanceOf(RetryableSendError);
    expect(errors.map((e: RetryableSendError) => [e.code, e.notAccepted])).toEqual([
      ['ThrottlingException', true],
      ['TooManyRequestsException', true],
      ['InternalServiceErrorException', false],
    ]);
  });

  it('returns SES refusals as permanent failures, account-level ones recognisable', async () => {
    // Prepare
    const ses = mockClient(SESv2Client);
    ses
      .on(SendEmailCommand)
      .rejectsOnce(new MessageRejected({ message: 'Email address is not verified.', ...meta(400) }))
      .rejectsOnce(new MailFromDomainNotVerifiedException({ message: 'not verified', ...meta(400) }))
      .rejectsOnce(new AccountSuspendedException({ message: 'suspended', ...meta(400) }));
    const send = sesEmailSender(ses as unknown as SESv2Client);
    // Act
    const results = [await send(message()), await send(message()), await send(message())];
    // Assess
    expect(results).toEqual([
      { ok: false, error: 'MessageRejected: Email address is not verified.' },
      { ok: false, error: 'MailFromDomainNotVerifiedException: not verified' },
      { ok: false, error: 'AccountSuspendedException: suspended' },
    ]);
    expect(results.map(isAccountLevelSesFailure)).toEqual([false, true, true]);
  });

  it('refuses header injection and the wrong channel without calling SES', async () => {
    const ses = mockClient(SESv2Client);
    const send = sesEmailSender(ses as unknown as SESv2Client);
    expect(await send(message({ headers: { 'List-Unsubscribe': '<https://x>\r\nBcc: all@example.com' } }))).toEqual({
      ok: false,
      error: 'InvalidHeader: header List-Unsubscribe contains a line break',
    });
    expect(await send({ channel: 'sms', campaignId: 'c', personId: 'p', variantId: 'A', to: '+447700900123', text: 'hi' })).toMatchObject({ ok: false });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('rethrows errors that are not SES answers', async () => {
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).rejects(new TypeError('bug'));
    await expect(sesEmailSender(ses as unknown as SESv2Client)(message())).rejects.toThrow(TypeError);
  });
});

describe('formatFromAddress', () => {
  it('quotes ASCII names and encodes others as RFC 2047 words', () => {
    expect(formatFromAddress('a@x.io', 'Café Shop')).toBe(`=?UTF-8?B?${Buffer.from('Café Shop').toString('base64')}?= <a@x.io>`);
    expect(formatFromAddress('a@x.io', 'Say "hi"')).toMatch(/^=\?UTF-8\?B\?/);
    expect(formatFromAddress('a@x.io', 'Shop & Co')).toBe('"Shop & Co" <a@x.io>');
  });
});

describe('getSendQuota', () => {
  it('reads MaxSendRate and the daily quota from GetAccount', async () => {
    // Prepare
    const ses = mockClient(SESv2Client);
    ses.on(GetAccountCommand).resolvesOnce({ SendQuota: { MaxSendRate: 14, Max24HourSend: 50_000, SentLast24Hours: 12 }, SendingEnabled: true, ProductionAccessEnabled: true }).resolvesOnce({});
    // Act
    const quota = await getSendQuota(ses as unknown as SESv2Client);
    // Assess
    expect(quota).toEqual({ maxSendRate: 14, max24HourSend: 50_000, sentLast24Hours: 12, sendingEnabled: true, productionAccessEnabled: true });
    await expect(getSendQuota(ses as unknown as SESv2Client)).rejects.toThrow(/without a SendQuota/);
  });
});
