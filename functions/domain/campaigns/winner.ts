/**
 * The automatic winner of a "test on x %, then send the winner to the rest" campaign
 * (schemas/campaign.ts `test`), and the decision in words for reports.
 *
 * - The test's arms are the variants' test-phase people (arms.ts `phaseOf`, recomputed from
 *   the stable hash: nothing stored per person); recipients and converted are intent to
 *   treat (results.ts). The decision is stats.ts `decideWinner`: the mixture SPRT's
 *   always-valid p-value per challenger against the default (the first variant), Bonferroni
 *   across challengers, no winner before the minimum runtime, none unless one is
 *   significantly better — then the default variant stays.
 * - τ, the mixing prior's scale, is the smallest difference worth detecting: one point of
 *   conversion rate (0.01) unless given. Smaller τ favours small effects at large n.
 * - The decision is stored once per campaign (`C#<id>` / `WINNER`): a retried Decide task
 *   or a restarted execution reads it back rather than deciding again on more data, so the
 *   remainder always gets the variant first chosen.
 */
import type { CampaignDefinition } from '../../../schemas/campaign.ts';
import type { WinnerReport } from '../../../schemas/campaign-report.ts';
import { phaseOf } from './arms.ts';
import type { CampaignStore } from './campaign-store.ts';
import { segmentTasks, type SegmentTask } from './run-campaign.ts';
import { conversion, countArms, type MeasuredRecord } from './results.ts';
import { decideWinner, type ArmResult, type WinnerDecision } from './stats.ts';

export const DEFAULT_TAU = 0.01;

export function explainDecision(d: WinnerDecision, o: { alpha: number; minRuntimeHours: number; ranHours: number }): string {
  const challengers = d.comparisons.length - 1;
  const control = d.comparisons[0]?.id;
  const fmt = (p: number | undefined) => (p === undefined ? '?' : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
  const bonferroni = `α ${o.alpha}${challengers > 1 ? ` / ${challengers} challengers` : ''}`;
  switch (d.reason) {
    case 'significant': {
      const w = d.comparisons.find((c) => c.id === d.winner)!;
      return `${d.winner} beats ${control}: always-valid p = ${fmt(w.pValue)} ≤ ${fmt(w.threshold)} (${bonferroni})`;
    }
    case 'min_runtime':
      return `too early to decide: the test has run ${o.ranHours.toFixed(1)} h of its minimum ${o.minRuntimeHours} h; ${d.keep} stays`;
    case 'no_challengers':
      return `one variant: nothing to decide; ${d.keep} is sent`;
    case 'no_data':
      return `an arm of the test has no recipients; ${d.keep} stays`;
    case 'default_better':
      return `a challenger differs significantly but converts worse than ${control}; ${d.keep} stays`;
    case 'not_significant': {
      const best = d.comparisons.slice(1).sort((a, b) => (a.pValue ?? 1) - (b.pValue ?? 1))[0];
      return `no challenger is significantly better (smallest always-valid p = ${fmt(best?.pValue)}, needs ≤ ${fmt(best?.threshold)}, ${bonferroni}); the default ${d.keep} stays`;
    }
  }
}

export interface DecideOptions {
  now: Date;
  /** When the test started (the campaign's start). */
  startedAt: Date;
  alpha: number;
  minRuntimeHours: number;
  tau?: number;
  /** Always-valid p-values of earlier looks, by variant (the running minimum continues). */
  previous?: Record<string, number>;
  /** Only test-phase people count (a campaign with `test`); default: everyone. */
  testPercent?: number;
  campaignId: string;
}

/** The winner decision over the variants' records. */
export function decideFromRecords(variants: readonly string[], records: readonly MeasuredRecord[], o: DecideOptions): WinnerReport {
  const inTest = o.testPercent === undefined ? records : records.filter((r) => phaseOf(o.campaignId, r.personId, o.testPercent) === 'test');
  const counts = countArms(inTest, variants).filter((c) => variants.includes(c.arm));
  const arms: ArmResult[] = counts.map((c, i) => ({ id: c.arm, recipients: c.recipients, conversions: conversion(c).successes, default: i === 0, ...(o.previous?.[c.arm] !== undefined ? { previousPValue: o.previous[c.arm] } : {}) }));
  const tau = o.tau ?? DEFAULT_TAU;
  const d = decideWinner(arms, { alpha: o.alpha, tau, minRuntimeHours: o.minRuntimeHours, now: o.now, startedAt: o.startedAt });
  const ranHours = (o.now.getTime() - o.startedAt.getTime()) / 3_600_000;
  return {
    outcome: d.outcome,
    chosen: d.outcome === 'winner' ? d.winner : d.keep,
    winner: d.outcome === 'winner' ? d.winner : null,
    reason: d.reason,
    explanation: explainDecision(d, { alpha: o.alpha, minRuntimeHours: o.minRuntimeHours, ranHours }),
    alpha: o.alpha,
    tau,
    minRuntimeHours: o.minRuntimeHours,
    comparisons: d.comparisons.map((c) => ({
      id: c.id,
      rate: Number.isFinite(c.rate) ? c.rate : null,
      difference: c.difference !== undefined && Number.isFinite(c.difference) ? c.difference : null,
      pValue: c.pValue ?? null,
      threshold: c.threshold ?? null,
      significant: c.significant,
    })),
    decidedAt: o.now.toISOString(),
  };
}

/** Where the test phase's decision is kept, so a retry or a restart sends the remainder the same variant. */
export interface WinnerStore {
  getWinner(campaignId: string): Promise<WinnerReport | undefined>;
  /** Stores the decision unless one exists; returns the one that stands. */
  saveWinner(campaignId: string, decision: WinnerReport): Promise<WinnerReport>;
}

export interface RecordReader {
  /** Every send record of the campaign (all pages). */
  allRecords(campaignId: string): Promise<MeasuredRecord[]>;
}

/** The Decide state: the stored decision, or decide now and store it. */
export async function decideTestPhase(campaign: Pick<CampaignDefinition, 'id' | 'variants' | 'test'>, startedAt: string, deps: { records: RecordReader; winners: WinnerStore; now: () => Date }): Promise<WinnerReport> {
  const stored = await deps.winners.getWinner(campaign.id);
  if (stored) return stored;
  if (!campaign.test) throw new Error(`campaign ${campaign.id} has no test phase to decide`);
  const records = await deps.records.allRecords(campaign.id);
  const decision = decideFromRecords(
    campaign.variants.map((v) => v.id),
    records,
    { now: deps.now(), startedAt: new Date(startedAt), alpha: campaign.test.alpha, minRuntimeHours: campaign.test.minRuntimeHours, testPercent: campaign.test.percent, campaignId: campaign.id },
  );
  return deps.winners.saveWinner(campaign.id, decision);
}

export interface DecideInput {
  campaignId: string;
  /** When the test started sending (Start's `startAt`). */
  startAt: string;
  /** The remainder's sweep number (Summarise's `sweep`). */
  sweep: number;
}

export interface DecideResult {
  campaignId: string;
  startAt: string;
  sweep: number;
  winner: WinnerReport;
  /** The remainder's sweep: every segment again, sending the chosen variant. */
  segments: SegmentTask[];
}

/** The Decide state of the Campaign state machine: the winner (decided once), then the remainder's segments. */
export async function decideAndPlanRemainder(input: DecideInput, deps: { store: Pick<CampaignStore, 'getDefinition'>; records: RecordReader; winners: WinnerStore; now: () => Date }): Promise<DecideResult> {
  const campaign = await deps.store.getDefinition(input.campaignId);
  if (!campaign) throw new Error(`campaign ${input.campaignId} has no stored definition`);
  const winner = await decideTestPhase(campaign, input.startAt, deps);
  return { campaignId: input.campaignId, startAt: input.startAt, sweep: input.sweep, winner, segments: segmentTasks(input.campaignId, input.sweep, { phase: 'remainder', winnerVariantId: winner.chosen }) };
}
