/**
 * The Campaign state machine's three operations (lib/constructs/campaigns.ts; "Step
 * Functions controls flow, Lambda handles operations"): start, one send step of a segment,
 * and the summary of a sweep. Only ids, cursors and counters travel in the execution's state
 * (256 KB per state, 25,000 history events per execution).
 *
 * 1. start: validate the definition (every wrong field named; nothing is sent), resolve a
 *    named segment, store the definition (an id is an execution name: the same id with a
 *    different definition is refused), rank a top N / top p % audience once and keep its cut
 *    (scan-audience.ts), and plan the sweep over `totalSegments` scan segments.
 * 2. step: honour the marketer's control (paused: wait and ask again; cancelled: end), then
 *    send one page (send-page.ts) and hand back the cursor and the running totals.
 * 3. summarise: add up the segments; when people were deferred (quiet hours, a local send time
 *    not reached), sweep the audience again once the first of them is due, up to MAX_SWEEPS.
 */
import type { CampaignDefinition } from '../../../schemas/campaign.ts';
import { validateCampaignDefinition } from './validate-campaign.ts';
import type { CampaignStore, CampaignSummary } from './campaign-store.ts';
import { addTotals, emptyTotals, sendPage, type PageTotals, type ResolvedCampaign, type SendPageDeps } from './send-page.ts';
import type { CampaignFieldError } from '../../../schemas/campaign.ts';
import { attributionHorizon, type GoalRegistry } from './attribution.ts';
import { audienceCutOf, scanSegmentPreview, type AudienceScanDeps } from './scan-audience.ts';

/** Scan segments swept in parallel (the Map's concurrency; ≤ 40 inline Map iterations run at once). */
export const CAMPAIGN_SEGMENTS = 8;
/**
 * A sweep per due instant, bounded. Local-time buckets span 26 hours of offsets (~27 instants,
 * half-hour zones included); a dated `sendTime: optimal` campaign across every zone needs ~50
 * (measured by the send-time session), so 72 leaves room. Each sweep is ~8 + 3 × pages history
 * events: far below AWS's 25,000 for the audiences one execution holds.
 */
export const MAX_SWEEPS = 72;

export class InvalidCampaignError extends Error {
  constructor(readonly errors: CampaignFieldError[]) {
    super(errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; '));
    this.name = 'InvalidCampaignError';
  }
}
export class CampaignConflictError extends Error {
  constructor(id: string) {
    super(`campaign ${id} already exists with a different definition; give the new one its own id`);
    this.name = 'CampaignConflictError';
  }
}
export class UnknownSegmentError extends Error {
  constructor(id: string) {
    super(`segment ${id} does not exist (sightline segment create <file>)`);
    this.name = 'UnknownSegmentError';
  }
}

export interface SegmentTask {
  campaignId: string;
  segment: number;
  totalSegments: number;
  sweep: number;
  cursor?: string;
  totals?: PageTotals;
  nextDueAt?: string;
  /** Winner-then-remainder (`test`): which people this sweep sends; absent without a test. */
  phase?: 'test' | 'remainder';
  /** The remainder's variant (winner.ts), sent to every non-holdout person of the remainder. */
  winnerVariantId?: string;
}

export interface StartResult {
  campaignId: string;
  startAt: string;
  sweep: number;
  segments: SegmentTask[];
}

/** What every sweep of one phase carries: the phase and, for the remainder, its variant. */
export type PhaseOfSweep = Pick<SegmentTask, 'phase' | 'winnerVariantId'>;

async function segmentOf(campaign: CampaignDefinition, store: Pick<CampaignStore, 'getSegment'>) {
  const segment = campaign.audience.segment ?? (await store.getSegment(campaign.audience.segmentId!));
  if (!segment) throw new UnknownSegmentError(campaign.audience.segmentId!);
  return segment;
}

/** The definition with its segment and, for a top audience, the cut Start took. */
export async function resolveCampaign(campaign: CampaignDefinition, store: Pick<CampaignStore, 'getSegment' | 'getAudienceCut'>): Promise<ResolvedCampaign> {
  const segment = await segmentOf(campaign, store);
  if (!segment.top) return { ...campaign, segment };
  const cut = await store.getAudienceCut(campaign.id);
  if (!cut) throw new Error(`campaign ${campaign.id} has a top audience but no cut: Start ranks it before the first page`);
  return { ...campaign, segment, cut };
}

export const segmentTasks = (campaignId: string, sweep: number, phase: PhaseOfSweep = {}): SegmentTask[] =>
  Array.from({ length: CAMPAIGN_SEGMENTS }, (_, segment) => ({ campaignId, segment, totalSegments: CAMPAIGN_SEGMENTS, sweep, ...phase }));

export async function startCampaign(input: unknown, deps: AudienceScanDeps & { store: CampaignStore; now: () => Date; goals?: Pick<GoalRegistry, 'register'> }): Promise<StartResult> {
  const v = validateCampaignDefinition(input);
  if (!v.ok) throw new InvalidCampaignError(v.errors);
  const campaign = v.campaign;
  const segment = await segmentOf(campaign, deps.store);
  const at = deps.now().toISOString();
  if ((await deps.store.saveDefinition(campaign, at)) === 'conflict') throw new CampaignConflictError(campaign.id);
  // A restarted execution keeps the first ranking: the same people stay the audience.
  if (segment.top && !(await deps.store.getAudienceCut(campaign.id))) {
    const preview = await scanSegmentPreview(segment, deps, { sampleSize: 0, totalSegments: CAMPAIGN_SEGMENTS, now: deps.now() });
    await deps.store.saveAudienceCut(campaign.id, audienceCutOf(preview, at));
  }
  await deps.store.saveSummary({ campaignId: campaign.id, state: 'sending', sweeps: 0, totals: emptyTotals(), updatedAt: at });
  const startAt = campaign.schedule.type === 'at' && Date.parse(campaign.schedule.at) > Date.parse(at) ? new Date(campaign.schedule.at).toISOString() : at;
  // Before the first send: the attribution consumer credits this goal from now on.
  if (campaign.goal) await deps.goals?.register({ campaignId: campaign.id, event: campaign.goal.event, windowHours: campaign.goal.windowHours, until: attributionHorizon(startAt, campaign.goal.windowHours) }, at);
  return { campaignId: campaign.id, startAt, sweep: 0, segments: segmentTasks(campaign.id, 0, campaign.test ? { phase: 'test' } : {}) };
}

export type StepResult = SegmentTask & { done: boolean; paused: boolean; throttled: boolean; totals: PageTotals };

export async function sendStep(task: SegmentTask, deps: SendPageDeps & { store: CampaignStore }): Promise<StepResult> {
  const totals = task.totals ?? emptyTotals();
  const control = await deps.store.getControl(task.campaignId);
  if (control === 'cancelled') return { ...task, totals, done: true, paused: false, throttled: false };
  if (control === 'paused') return { ...task, totals, done: false, paused: true, throttled: false };
  const stored = await deps.store.getDefinition(task.campaignId);
  if (!stored) throw new Error(`campaign ${task.campaignId} has no stored definition`);
  const campaign = await resolveCampaign(stored, deps.store);
  const r = await sendPage(campaign, task, deps);
  const due = [task.nextDueAt, r.nextDueAt].filter((x): x is string => x !== undefined).sort()[0];
  const { cursor: _old, nextDueAt: _due, ...rest } = task;
  return { ...rest, ...(r.cursor ? { cursor: r.cursor } : {}), ...(due ? { nextDueAt: due } : {}), totals: addTotals(totals, r.totals), done: r.done, paused: false, throttled: r.throttled };
}

export interface SweepSummary extends CampaignSummary {
  /** Sweep again (after waiting until `waitUntil`). */
  again: boolean;
  waitUntil?: string;
  segments?: SegmentTask[];
  /** The next sweep's number (the Summarise payload reads `$.sweep`). */
  sweep?: number;
  /** The test phase has been sent: wait until `decideAt` (its minimum runtime), decide, send the remainder. */
  decide: boolean;
  decideAt?: string;
  startAt?: string;
}

export async function summariseSweep(input: { campaignId: string; sweep: number; results: StepResult[]; startAt?: string }, deps: { store: CampaignStore; now: () => Date }): Promise<SweepSummary> {
  const sweepTotals = input.results.reduce((t, r) => addTotals(t, r.totals), emptyTotals());
  // A later sweep re-reads the audience: what it finds already decided was counted before.
  // The stored summary is the running total; a retried summary of the same sweep starts from
  // the totals before it, so it adds the sweep once.
  const stored = input.sweep > 0 ? await deps.store.getSummary(input.campaignId) : undefined;
  const before = (stored?.sweeps === input.sweep + 1 ? stored.baseTotals : stored?.totals) ?? emptyTotals();
  const totals = input.sweep === 0 ? sweepTotals : { ...addTotals(before, { ...sweepTotals, scanned: 0, audience: 0, alreadyDone: 0 }), deferred: sweepTotals.deferred };
  const cancelled = (await deps.store.getControl(input.campaignId)) === 'cancelled';
  const due = input.results.map((r) => r.nextDueAt).filter((x): x is string => x !== undefined).sort()[0];
  const again = !cancelled && totals.deferred > 0 && due !== undefined && input.sweep + 1 < MAX_SWEEPS;
  const phase: PhaseOfSweep = { ...(input.results[0]?.phase ? { phase: input.results[0].phase } : {}), ...(input.results[0]?.winnerVariantId ? { winnerVariantId: input.results[0].winnerVariantId } : {}) };
  // The test phase is sent: the remainder waits for the test's minimum runtime and the winner.
  const testSent = !again && !cancelled && phase.phase === 'test';
  const summary: CampaignSummary = {
    campaignId: input.campaignId,
    state: cancelled ? 'cancelled' : again || testSent ? 'waiting' : 'done',
    sweeps: input.sweep + 1,
    totals,
    baseTotals: before,
    ...(due ? { nextDueAt: due } : {}),
    updatedAt: deps.now().toISOString(),
  };
  await deps.store.saveSummary(summary);
  const startAt = input.startAt ? { startAt: input.startAt } : {};
  if (!again) {
    if (!testSent) return { ...summary, ...startAt, again: false, decide: false };
    const test = (await deps.store.getDefinition(input.campaignId))?.test;
    const from = Date.parse(input.startAt ?? summary.updatedAt);
    const decideAt = new Date(Math.max(from + (test?.minRuntimeHours ?? 0) * 3_600_000, deps.now().getTime())).toISOString();
    return { ...summary, ...startAt, again: false, decide: true, decideAt, sweep: input.sweep + 1 };
  }
  const waitUntil = new Date(Math.max(Date.parse(due!), deps.now().getTime())).toISOString();
  return { ...summary, ...startAt, again: true, decide: false, waitUntil, sweep: input.sweep + 1, segments: segmentTasks(input.campaignId, input.sweep + 1, phase) };
}
