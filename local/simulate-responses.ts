/**
 * A seeded response simulator for the local platform and the benchmarks: it turns a
 * campaign's send records into what recipients would do — SES-shaped delivery, bounce,
 * complaint and click events (through the record-feedback function) and goal events
 * (`Order Completed` with revenue, through the event API) — with planted per-arm rates and
 * delays, so a campaign run locally ends with a report whose true effect is known.
 *
 * API (two layers; the first is pure, for benchmarks that need no platform):
 *
 *   drawResponses(recipients, plan) → SimulatedResponse[]
 *     recipients: { campaignId, personId, arm, start (ISO; sentAt, or the holdout's would-be
 *                   send time), sent (false for the holdout: no mail, so no SES events),
 *                   userId?, anonymousId?, email? }[]
 *     plan: { seed, goalEvent?, currency?, arms: { [arm]: PlantedArm }, default?: PlantedArm }
 *     PlantedArm: { conversion (P converts in the window), click?, delivery? (default 0.98),
 *                   bounce? (share of the undelivered that bounce hard; default 1),
 *                   complaint? (P of the delivered), revenue? (mean order value, default 50),
 *                   conversionDelayHours? (mean, exponential; default 24), clickDelayHours?
 *                   (default 2), windowHours? (conversions later than this are drawn but
 *                   marked `outsideWindow`, default: none) }
 *     Each person's draws come from sha256(seed, campaignId, personId) alone: the same seed
 *     gives the same responses in any order and at any scale; changing one person's plan
 *     moves nobody else. Holdout people only convert (at the holdout arm's rate).
 *
 *   emitResponses(responses, deps) → { feedback, conversions, pending }
 *     deps: { feedback(e: SesEventBridgeEvent): Promise<unknown>  (the record-feedback function),
 *             track(events: SegmentLikeEvent[]): Promise<void>   (the event API, e.g. sendEvents),
 *             now: Date, hourMs?: number, skipDeliveries?: boolean }
 *     hourMs compresses time: a planted hour lasts hourMs ms (default 3,600,000: real time).
 *     The API refuses events more than 10 minutes ahead of their receipt (Clean), so a
 *     response not yet due at `now` is not sent: it is counted in `pending` (run again later).
 *
 *   simulateCampaign(platform, campaignId, plan, opts) reads the records and profiles of a
 *   local campaign, draws, and emits through the platform (what npm start and the tests use).
 */
import { createHash } from 'node:crypto';
import type { SegmentLikeEvent } from '../schemas/events.ts';
import { sesFeedbackEvent, type SesEventBridgeEvent } from './ses-feedback.ts';

export interface PlantedArm {
  conversion: number;
  click?: number;
  delivery?: number;
  bounce?: number;
  complaint?: number;
  revenue?: number;
  conversionDelayHours?: number;
  clickDelayHours?: number;
  windowHours?: number;
}

export interface ResponsePlan {
  seed: number;
  /** Default 'Order Completed'. */
  goalEvent?: string;
  /** Default 'GBP'. */
  currency?: string;
  arms: Record<string, PlantedArm>;
  /** For arms the plan does not name. */
  default?: PlantedArm;
}

export interface SimRecipient {
  campaignId: string;
  personId: string;
  arm: string;
  /** ISO: sentAt, or the holdout's would-be send time. */
  start: string;
  sent: boolean;
  userId?: string;
  anonymousId?: string;
  email?: string;
  messageId?: string;
}

export type SimulatedResponse =
  | { kind: 'delivery' | 'bounce' | 'complaint' | 'click'; recipient: SimRecipient; afterHours: number }
  | { kind: 'conversion'; recipient: SimRecipient; afterHours: number; revenue: number; messageId: string; outsideWindow: boolean };

/** 32-bit state from the digest, then mulberry32: a small, fast, well-mixed stream per person. */
function personStream(seed: number, campaignId: string, personId: string): () => number {
  let a = createHash('sha256').update(`${seed}\u0000${campaignId}\u0000${personId}`).digest().readUInt32BE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const exponential = (u: number, mean: number) => -Math.log(1 - u) * mean;

export function drawResponses(recipients: readonly SimRecipient[], plan: ResponsePlan): SimulatedResponse[] {
  const out: SimulatedResponse[] = [];
  for (const r of recipients) {
    const arm = plan.arms[r.arm] ?? plan.default;
    if (!arm) throw new RangeError(`the plan has no rates for arm ${r.arm} (and no default)`);
    const u = personStream(plan.seed, r.campaignId, r.personId);
    // A fixed number of draws per person, in a fixed order, whatever the outcome: one rate's
    // change never shifts another draw.
    const [uDeliver, uBounce, uComplain, uClick, uClickDelay, uConvert, uConvertDelay, uRevenue] = Array.from({ length: 8 }, u);
    let delivered = !r.sent;
    if (r.sent) {
      delivered = uDeliver < (arm.delivery ?? 0.98);
      if (delivered) out.push({ kind: 'delivery', recipient: r, afterHours: 0.01 });
      else if (uBounce < (arm.bounce ?? 1)) out.push({ kind: 'bounce', recipient: r, afterHours: 0.01 });
      if (delivered && uComplain < (arm.complaint ?? 0)) out.push({ kind: 'complaint', recipient: r, afterHours: 0.5 });
      if (delivered && uClick < (arm.click ?? 0)) out.push({ kind: 'click', recipient: r, afterHours: exponential(uClickDelay, arm.clickDelayHours ?? 2) });
    }
    // An undelivered mail still leaves its person free to buy: conversions are intent to treat.
    if (uConvert < arm.conversion) {
      const afterHours = exponential(uConvertDelay, arm.conversionDelayHours ?? 24);
      const revenue = Math.round(exponential(uRevenue, arm.revenue ?? 50) * 100 + 100) / 100;
      const messageId = `sim-${createHash('sha256').update(`${plan.seed}:${r.campaignId}:${r.personId}:conversion`).digest('hex').slice(0, 24)}`;
      out.push({ kind: 'conversion', recipient: r, afterHours, revenue, messageId, outsideWindow: arm.windowHours !== undefined && afterHours > arm.windowHours });
    }
  }
  return out;
}

export interface EmitDeps {
  feedback: (e: SesEventBridgeEvent) => Promise<unknown>;
  track: (events: SegmentLikeEvent[]) => Promise<void>;
  now: Date;
  hourMs?: number;
  goalEvent?: string;
  currency?: string;
  /** The local platform already records a delivery per accepted mail (local/ses-feedback.ts): do not send them again. */
  skipDeliveries?: boolean;
}

export interface EmitReport {
  feedback: Record<'delivery' | 'bounce' | 'complaint' | 'click', number>;
  conversions: number;
  /** Responses not yet due at `now` (not sent). */
  pending: number;
}

/** Clean accepts events at most 10 minutes ahead of their receipt; stay well inside that. */
const AHEAD_MS = 5 * 60_000;

export async function emitResponses(responses: readonly SimulatedResponse[], deps: EmitDeps): Promise<EmitReport> {
  const hourMs = deps.hourMs ?? 3_600_000;
  const report: EmitReport = { feedback: { delivery: 0, bounce: 0, complaint: 0, click: 0 }, conversions: 0, pending: 0 };
  const track: SegmentLikeEvent[] = [];
  const timed = responses.map((r) => ({ r, at: Date.parse(r.recipient.start) + r.afterHours * hourMs })).sort((a, b) => a.at - b.at);
  for (const { r, at } of timed) {
    if (at > deps.now.getTime() + AHEAD_MS) {
      report.pending += 1;
      continue;
    }
    const iso = new Date(at).toISOString();
    if (r.kind === 'conversion') {
      const who = r.recipient.userId ? { userId: r.recipient.userId } : { anonymousId: r.recipient.anonymousId ?? r.recipient.personId };
      track.push({
        type: 'track',
        messageId: r.messageId,
        ...who,
        event: deps.goalEvent ?? 'Order Completed',
        timestamp: iso,
        properties: { order_id: r.messageId, revenue: r.revenue, currency: deps.currency ?? 'GBP', products: [{ product_id: 'sim-1', price: r.revenue, quantity: 1 }] },
      });
      report.conversions += 1;
      continue;
    }
    if (r.kind === 'delivery' && deps.skipDeliveries) continue;
    const p = r.recipient;
    // The event id is derived, so emitting twice records once (record-feedback keys on it).
    const eventId = createHash('sha256').update(`${p.campaignId}:${p.personId}:${r.kind}`).digest('hex').slice(0, 32);
    await deps.feedback(sesFeedbackEvent({ type: r.kind, campaignId: p.campaignId, personId: p.personId, variantId: p.arm, recipient: p.email ?? `${p.personId}@example.test`, messageId: p.messageId, at: iso, eventId, ...(r.kind === 'click' ? { link: 'https://shop.example.test/spring' } : {}) }));
    report.feedback[r.kind] += 1;
  }
  if (track.length > 0) await deps.track(track);
  return report;
}

/** A local campaign's recipients as the simulator needs them (send records and profiles). */
export interface RecipientSource {
  listRecords(campaignId: string, opts: { cursor?: string; limit?: number }): Promise<{ records: { personId: string; status: string; arm?: string; reason?: string; sentAt?: string; claimedAt: string; messageId?: string }[]; cursor?: string }>;
  getProfiles(ids: string[]): Promise<Map<string, { identities: { userIds: string[]; anonymousIds: string[] }; traits: Record<string, unknown> }>>;
}

export async function campaignRecipients(campaignId: string, src: RecipientSource): Promise<SimRecipient[]> {
  const out: SimRecipient[] = [];
  let cursor: string | undefined;
  do {
    const page = await src.listRecords(campaignId, { cursor, limit: 500 });
    const mine = page.records.filter((r) => r.arm !== undefined && (r.status === 'SENT' || (r.status === 'SKIPPED' && r.reason === 'holdout')));
    const profiles = mine.length ? await src.getProfiles(mine.map((r) => r.personId)) : new Map();
    for (const r of mine) {
      const p = profiles.get(r.personId);
      const email = typeof p?.traits.email === 'string' ? p.traits.email : undefined;
      out.push({
        campaignId,
        personId: r.personId,
        arm: r.arm!,
        start: r.sentAt ?? r.claimedAt,
        sent: r.status === 'SENT',
        ...(p?.identities.userIds[0] ? { userId: p.identities.userIds[0] } : {}),
        ...(p?.identities.anonymousIds[0] ? { anonymousId: p.identities.anonymousIds[0] } : {}),
        ...(email ? { email } : {}),
        ...(r.messageId ? { messageId: r.messageId } : {}),
      });
    }
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Draws and emits a campaign's responses: recipients from `src`, SES events to `feedback`, goal events to `track`. */
export async function simulateCampaign(campaignId: string, plan: ResponsePlan, deps: Omit<EmitDeps, 'goalEvent' | 'currency'> & { src: RecipientSource }): Promise<EmitReport & { recipients: number }> {
  const recipients = await campaignRecipients(campaignId, deps.src);
  const report = await emitResponses(drawResponses(recipients, plan), { ...deps, goalEvent: plan.goalEvent, currency: plan.currency });
  return { ...report, recipients: recipients.length };
}
