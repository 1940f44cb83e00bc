/**
 * A loopback stand-in for AWS End User Messaging SMS (`pinpoint-sms-voice-v2`), so the send
 * Lambda's real `PinpointSMSVoiceV2Client` and `SendTextMessage` run unchanged locally: its
 * workers get `AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2` pointing here. Written by hand because
 * no emulator of this service exists on npm (aws-ses-v2-local covers mail only). It speaks the
 * service's AWS JSON 1.0 protocol for the one operation campaigns use, records each message in
 * the outbox (local/sms-outbox.ts: E.164, empty and over-long bodies refused as the service
 * does, segments counted) and serves what it holds at `GET /store` (JSON), as
 * aws-ses-v2-local serves mail. Any other operation answers a 400 naming it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSmsOutbox, type SmsOutbox } from './sms-outbox.ts';

export interface SmsApi {
  url: string;
  outbox: SmsOutbox;
  stop(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

function answer(res: ServerResponse, status: number, body: unknown, type = 'application/x-amz-json-1.0') {
  res.writeHead(status, { 'content-type': type });
  res.end(JSON.stringify(body));
}

/** AWS JSON error shape: the SDK reads `__type` (or the x-amzn-errortype header) and `message`. */
const awsError = (res: ServerResponse, status: number, type: string, message: string) => {
  res.setHeader('x-amzn-errortype', type);
  answer(res, status, { __type: type, message });
};

export async function startSmsApi(opts: { port?: number; limit?: number } = {}): Promise<SmsApi> {
  const outbox = createSmsOutbox({ limit: opts.limit });
  const server = createServer(async (req, res) => {
    try {
      if (req.method === 'GET' && req.url?.startsWith('/store')) {
        const campaignId = new URL(req.url, 'http://127.0.0.1').searchParams.get('campaignId') ?? undefined;
        return answer(res, 200, { messages: outbox.list(campaignId ? { campaignId } : {}), total: outbox.total() }, 'application/json');
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method !== 'POST' || target !== 'PinpointSMSVoiceV2.SendTextMessage') return awsError(res, 400, 'UnknownOperationException', `the local SMS API answers SendTextMessage only, not ${target || req.method}`);
      const input = JSON.parse((await readBody(req)) || '{}') as { DestinationPhoneNumber?: string; OriginationIdentity?: string; MessageBody?: string; Context?: Record<string, string> };
      const ctx = input.Context ?? {};
      const result = await outbox.send({
        channel: 'sms',
        to: String(input.DestinationPhoneNumber ?? ''),
        ...(input.OriginationIdentity ? { from: input.OriginationIdentity } : {}),
        text: String(input.MessageBody ?? ''),
        campaignId: ctx.campaignId ?? '',
        personId: ctx.personId ?? '',
        variantId: ctx.variantId ?? '',
      });
      if (!result.ok) return awsError(res, 400, 'ValidationException', result.error);
      return answer(res, 200, { MessageId: result.messageId });
    } catch (err) {
      return awsError(res, 400, 'ValidationException', (err as Error).message);
    }
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    outbox,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
