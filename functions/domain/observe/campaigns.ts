/**
 * Campaigns for the admin API: the list, one campaign's definition, live progress and
 * results, the marketer's controls and starting one from a definition. What
 * cli/commands/campaigns.ts does for a terminal, through ports, so the handler, the dashboard
 * and any other caller share one implementation.
 *
 * - Progress comes from the run summary the state machine stores after each sweep
 *   (CampaignStore) and the execution's status (CampaignRuns).
 * - Results per arm: the campaign report (schemas/campaign-report.ts, report.ts
 *   `buildReport`) built on each read from the send records, the conversions credited on them
 *   and the stored winner decision — so the page is as fresh as attribution, not as the last
 *   sweep. Read only: the stored report is used as the sequential test's previous look, never
 *   written from here (the state machine and `sightline campaign report` store it). Every rate
 *   of a group under k is null. Opens are left out of the summary: they decide nothing (Apple MPP).
 */
import type { CampaignControl, CampaignStore } from '../campaigns/campaign-store.ts';
import { validateCampaignDefinition } from '../campaigns/validate-campaign.ts';
import { InvalidRequestError, NotFoundError } from '../shared/errors.ts';
import type { CampaignProgress, CampaignResults } from '../../../schemas/api/admin.ts';
import type { CampaignReport, WinnerReport } from '../../../schemas/campaign-report.ts';
import { buildReport } from '../campaigns/report.ts';
import type { RecordReader } from '../campaigns/winner.ts';
import { DEFAULT_K, guardedRate } from './k-anonymity.ts';
import type { CampaignCatalog, CampaignRuns } from './ports.ts';

export interface CampaignDeps {
  store: Pick<CampaignStore, 'getDefinition' | 'getSummary' | 'getControl' | 'setControl'>;
  runs: CampaignRuns;
  catalog?: CampaignCatalog;
  records: RecordReader;
  /** The stored decision and report (functions/adapters/dynamo-conversion-store.ts). */
  reports: { getWinner(id: string): Promise<WinnerReport | undefined>; getReport(id: string): Promise<CampaignReport | undefined> };
  now: () => Date;
  k?: number;
}

/** Campaigns with an execution or a stored definition, newest execution first. */
export async function listCampaigns(deps: Pick<CampaignDeps, 'runs' | 'catalog'>) {
  const [runs, ids] = await Promise.all([deps.runs.list(), deps.catalog?.listCampaignIds() ?? Promise.resolve([])]);
  const byId = new Map(runs.map((r) => [r.campaignId, { campaignId: r.campaignId, status: r.status, ...(r.startedAt ? { startedAt: r.startedAt } : {}) }]));
  for (const id of ids) if (!byId.has(id)) byId.set(id, { campaignId: id, status: 'NO_EXECUTION' });
  return { campaigns: [...byId.values()].sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '') || a.campaignId.localeCompare(b.campaignId)) };
}

export async function campaignProgress(id: string, deps: Pick<CampaignDeps, 'store' | 'runs'>): Promise<CampaignProgress> {
  const [summary, control, run] = await Promise.all([deps.store.getSummary(id), deps.store.getControl(id), deps.runs.describe(id)]);
  const t = summary?.totals;
  const decided = t ? t.sent + t.holdout + t.failed + Object.values(t.skipped).reduce((a, b) => a + (b ?? 0), 0) : 0;
  return {
    campaignId: id,
    ...(run ? { execution: { status: run.status, ...(run.startedAt ? { startedAt: run.startedAt } : {}), ...(run.stoppedAt ? { stoppedAt: run.stoppedAt } : {}), ...(run.error ? { error: run.error } : {}) } } : {}),
    control,
    state: summary?.state ?? 'not started',
    sweeps: summary?.sweeps ?? 0,
    ...(t ? { totals: { ...t, skipped: Object.fromEntries(Object.entries(t.skipped).map(([k, v]) => [k, v ?? 0])) } } : {}),
    decided,
    pending: t?.deferred ?? 0,
    ...(summary ? { updatedAt: summary.updatedAt } : {}),
  };
}

/** The campaign's report as of now, and its per-arm summary (counts and k-guarded rates). */
export async function campaignResults(definition: Parameters<typeof buildReport>[0], deps: Pick<CampaignDeps, 'records' | 'reports' | 'now' | 'k'>): Promise<CampaignResults> {
  const k = deps.k ?? DEFAULT_K;
  const [records, storedWinner, previous] = await Promise.all([deps.records.allRecords(definition.id), deps.reports.getWinner(definition.id), deps.reports.getReport(definition.id)]);
  // The test started with the first claim (the same origin `sightline campaign report` uses).
  const startedAt = records.reduce<string | undefined>((min, r) => (min === undefined || r.claimedAt < min ? r.claimedAt : min), undefined);
  const report = buildReport(definition, records, { now: deps.now(), k, ...(startedAt ? { startedAt } : {}), ...(storedWinner ? { storedWinner } : {}), ...(previous ? { previous } : {}) });
  return {
    k,
    source: 'report',
    arms: report.arms.map((a) => {
      // A suppressed arm (under k) shows neither rate nor count; the holdout is never mailed, so it has no click-through.
      const none = (suppressed: boolean) => ({ count: null, of: a.recipients, rate: null, suppressed });
      return {
        arm: a.arm,
        recipients: a.recipients,
        delivered: a.delivered,
        bounced: a.bounced,
        complained: a.complained,
        clicked: a.suppressed ? none(true) : a.kind === 'holdout' ? none(false) : guardedRate(a.clicked ?? 0, a.recipients, k),
        converted: a.suppressed ? none(true) : guardedRate(a.converted ?? 0, a.recipients, k),
      };
    }),
    report,
  };
}

export async function campaignDetail(id: string, deps: CampaignDeps) {
  const definition = await deps.store.getDefinition(id);
  if (!definition) throw new NotFoundError(`no campaign ${id}`);
  const [progress, results] = await Promise.all([campaignProgress(id, deps), campaignResults(definition, deps)]);
  return { definition, progress, results };
}

export async function setCampaignControl(id: string, control: CampaignControl, deps: Pick<CampaignDeps, 'store' | 'now'>) {
  if (!(await deps.store.getDefinition(id))) throw new NotFoundError(`no campaign ${id}`);
  await deps.store.setControl(id, control, deps.now().toISOString());
  return { campaignId: id, control };
}

/** Validates the definition (every wrong field named, nothing started) and starts its execution. */
export async function startCampaignRun(body: unknown, deps: Pick<CampaignDeps, 'runs'>) {
  const v = validateCampaignDefinition(body);
  if (!v.ok) throw new InvalidRequestError('validation_failed', v.errors.map((e) => ({ field: e.path || '(root)', rule: e.message })));
  const r = await deps.runs.start(v.campaign.id, JSON.stringify(body));
  return { campaignId: v.campaign.id, ...r };
}
