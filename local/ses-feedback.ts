/**
 * SES feedback on the local platform, where aws-ses-v2-local emits no events
 * (../shared/CAMPAIGNS.md): events are built here in the shape SES v2 event publishing puts
 * on EventBridge, and go through the very record-feedback function that AWS invokes.
 *
 * - `sesFeedbackEvent` builds one EventBridge event (`source: aws.ses`, `detail-type` such as
 *   "Email Bounced", `detail.eventType` "Bounce", `detail.mail.tags` with the campaign, person
 *   and variant tags exactly as the SES sender sets them: functions/adapters/ses-email-sender.ts).
 * - `startDeliveryRecorder` is a loopback proxy in front of the emulator: every SendEmail it
 *   sees accepted (200 with a MessageId) becomes one Delivery event, as SES would publish one
 *   per delivered mail. Written here because nothing on npm adds event publishing to the
 *   emulator. The events are handed to `onEvent` in order; `drain()` waits for them.
 * - The route `POST /local/ses-events` (local/platform.ts, admin token) takes such an event
 *   from `sightline campaign feedback`, which runs in another process than the platform.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendTags } from '../functions/adapters/ses-email-sender.ts';

export const SES_FEEDBACK_TYPES = ['delivery', 'bounce', 'complaint', 'click', 'open'] as const;
export type SesFeedbackType = (typeof SES_FEEDBACK_TYPES)[number];

const SHAPE: Record<SesFeedbackType, { detailType: string; eventType: string }> = {
  delivery: { detailType: 'Email Delivered', eventType: 'Delivery' },
  bounce: { detailType: 'Email Bounced', eventType: 'Bounce' },
  complaint: { detailType: 'Email Complaint Received', eventType: 'Complaint' },
  click: { detailType: 'Email Clicked', eventType: 'Click' },
  open: { detailType: 'Email Opened', eventType: 'Open' },
};

export interface SesFeedbackInput {
  type: SesFeedbackType;
  campaignId: string;
  personId: string;
  variantId?: string;
  /** The recipient's address (bounces and complaints suppress it). */
  recipient: string;
  /** The provider's message id of the send. */
  messageId?: string;
  /** When it happened (ISO); default now. */
  at?: string;
  /** Bounces: Permanent (default: suppresses), Transient, Undetermined. */
  bounceType?: 'Permanent' | 'Transient' | 'Undetermined';
  /** Clicks: the link followed. */
  link?: string;
  /** The EventBridge event id: a second event with the same id is a no-op. Default: random. */
  eventId?: string;
  configurationSet?: string;
}

/** One SES v2 configuration-set event as EventBridge delivers it to the feedback function. */
export interface SesEventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: 'aws.ses';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown> & { eventType: string; mail: { timestamp: string; messageId: string; destination: string[]; tags: Record<string, string[]> } };
}

export function sesFeedbackEvent(f: SesFeedbackInput): SesEventBridgeEvent {
  const at = f.at ?? new Date().toISOString();
  const shape = SHAPE[f.type];
  const tags: Record<string, string[]> = { 'ses:configuration-set': [f.configurationSet ?? 'local'] };
  for (const t of sendTags({ campaignId: f.campaignId, personId: f.personId, variantId: f.variantId ?? '' })) tags[t.Name] = [t.Value];
  const mail = { timestamp: at, messageId: f.messageId ?? `local-${randomUUID()}`, destination: [f.recipient], tags };
  const detail: SesEventBridgeEvent['detail'] = { eventType: shape.eventType, mail };
  if (f.type === 'delivery') detail.delivery = { timestamp: at, recipients: [f.recipient], smtpResponse: '250 2.0.0 OK (local)' };
  if (f.type === 'bounce') detail.bounce = { timestamp: at, bounceType: f.bounceType ?? 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: f.recipient }] };
  if (f.type === 'complaint') detail.complaint = { timestamp: at, complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: f.recipient }] };
  if (f.type === 'click') detail.click = { timestamp: at, link: f.link ?? 'https://example.test/', ipAddress: '127.0.0.1' };
  if (f.type === 'open') detail.open = { timestamp: at, ipAddress: '127.0.0.1' };
  return { version: '0', id: f.eventId ?? randomUUID(), 'detail-type': shape.detailType, source: 'aws.ses', account: '000000000000', time: at, region: 'us-east-1', resources: [], detail };
}

export interface DeliveryRecorder {
  /** The endpoint to give the SES clients (AWS_ENDPOINT_URL_SESV2) instead of the emulator's. */
  url: string;
  /** Resolves when every delivery seen so far has been handed to `onEvent` and settled. */
  drain(): Promise<void>;
  /** Deliveries recorded, and those whose recording threw (kept with their error). */
  stats: { recorded: number; errors: { error: string; event: SesEventBridgeEvent }[] };
  stop(): Promise<void>;
}

interface SendEmailBody {
  Destination?: { ToAddresses?: string[] };
  EmailTags?: { Name: string; Value: string }[];
  ConfigurationSetName?: string;
}

const readAll = (s: IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', reject);
  });

/** Proxies every request to `target`; an accepted SendEmail (SES v2 `POST /v2/email/outbound-emails`) becomes a Delivery event. */
export async function startDeliveryRecorder(opts: { target: string; onEvent: (e: SesEventBridgeEvent) => Promise<unknown> }): Promise<DeliveryRecorder> {
  const target = new URL(opts.target);
  const stats: DeliveryRecorder['stats'] = { recorded: 0, errors: [] };
  // One chain keeps the events in send order and gives drain() one thing to wait for.
  let chain: Promise<void> = Promise.resolve();
  const deliver = (e: SesEventBridgeEvent) => {
    chain = chain.then(() =>
      opts.onEvent(e).then(
        () => void (stats.recorded += 1),
        (err: Error) => void stats.errors.push({ error: err.message, event: e }),
      ),
    );
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const body = await readAll(req);
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, async (up) => {
        const answer = await readAll(up);
        res.writeHead(up.statusCode ?? 502, up.headers);
        res.end(answer);
        if (req.method !== 'POST' || !req.url?.startsWith('/v2/email/outbound-emails') || up.statusCode !== 200) return;
        try {
          const sent = JSON.parse(body.toString('utf8')) as SendEmailBody;
          const { MessageId } = JSON.parse(answer.toString('utf8')) as { MessageId?: string };
          const tags = Object.fromEntries((sent.EmailTags ?? []).map((t) => [t.Name, [t.Value]]));
          const to = sent.Destination?.ToAddresses ?? [];
          const at = new Date().toISOString();
          const e = sesFeedbackEvent({ type: 'delivery', campaignId: '', personId: '', recipient: to[0] ?? '', messageId: MessageId, at, configurationSet: sent.ConfigurationSetName });
          // The tags exactly as sent (raw or base64url), not rebuilt: the feedback function reads them back.
          e.detail.mail.tags = { 'ses:configuration-set': [sent.ConfigurationSetName ?? 'local'], ...tags };
          e.detail.mail.destination = to;
          deliver(e);
        } catch {
          // Not a SendEmail JSON body (another SES call on the same path prefix): nothing to record.
        }
      });
      upstream.on('error', (err) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`SES emulator unreachable: ${err.message}`);
      });
      upstream.end(body);
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    async drain() {
      let seen: Promise<void>;
      do {
        seen = chain;
        await seen;
      } while (seen !== chain);
    },
    async stop() {
      await new Promise<void>((r) => server.close(() => r()));
      await chain;
    },
  };
}

/**
 * `POST /local/ses-events` on the local API: one SES EventBridge event (the body) handed to
 * the record-feedback function, answered with its result. Local only (no such route in AWS,
 * where SES publishes the events itself); loopback hosts only, and the admin token when the
 * platform has one, because it can suppress addresses.
 */
export function sesEventsRoute(feedback: () => { invoke<R = unknown>(e: unknown): Promise<R> } | undefined, adminToken: string | undefined) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (!req.url?.startsWith('/local/ses-events')) return false;
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return true;
    };
    if (req.method !== 'POST') return answer(405, { message: 'POST an SES EventBridge event' });
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) return answer(403, { message: 'loopback only' });
    if (adminToken !== undefined) {
      const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
      const want = Buffer.from(adminToken);
      if (given.length !== want.length || !timingSafeEqual(given, want)) return answer(401, { message: 'send Authorization: Bearer <adminToken> (.sightline/local.json)' });
    }
    let event: SesEventBridgeEvent;
    try {
      event = JSON.parse((await readAll(req)).toString('utf8')) as SesEventBridgeEvent;
      if (event.source !== 'aws.ses' || typeof event.detail?.eventType !== 'string') throw new Error('not an SES event');
    } catch (err) {
      return answer(400, { message: `the body must be an SES EventBridge event: ${(err as Error).message}` });
    }
    const fn = feedback();
    if (!fn) return answer(503, { message: 'record-feedback is not running' });
    return answer(200, await fn.invoke(event));
  };
}
