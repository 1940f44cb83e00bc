/**
 * Campaigns for the admin API: the list, one campaign's definition, live progress and
 * results, the marketer's controls and starting one from a definition. What
 * cli/commands/campaigns.ts does for a terminal, through ports, so the handler, the dashboard
 * and any other caller share one implementation.
 *
 * - Progress comes from the run summary the state machine stores after each sweep
 *   (CampaignStore) and the execution's status (CampaignRuns).
 * - Results per arm: the campaign report (schemas/campaign-report.ts) when one is stored;
 *   until then counted from the send records (recipients, delivery, bounces, complaints,
 *   clicks), each rate k-guarded. Opens are left out: they decide nothing (Apple MPP).
 */
import type { CampaignControl, CampaignStore } from '../campaigns/campaign-store.ts';
import { validateCampaignDefinition } from '../campaigns/validate-campaign.ts';
import { InvalidRequestError, NotFoundError } from '../shared/errors.ts';
import type { CampaignProgress, CampaignResults } from '../../../schemas/api/admin.ts';
import { DEFAULT_K, guardedRate } from './k-anonymity.ts';
import type { CampaignCatalog, CampaignRuns, SendRecordPages } from './ports.ts';

export interface CampaignDeps {
  store: Pick<CampaignStore, 'getDefinition' | 'getSummary' | 'getControl' | 'setControl'>;
  runs: CampaignRuns;
  catalog?: CampaignCatalog;
  records: Pick<SendRecordPages, 'listRecords'>;
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

/** Per-arm counts from the send records (one Query of the campaign's partition, page by page). */
export async function resultsFromRecords(id: string, deps: Pick<CampaignDeps, 'records' | 'k'>): Promise<CampaignResults> {
  const k = deps.k ?? DEFAULT_K;
  const arms = new Map<string, { recipients: number; delivered: number; bounced: number; complained: number; clicked: number }>();
  let cursor: string | undefined;
  do {
    const page = await deps.records.listRecords(id, { cursor, limit: 1000 });
    for (const r of page.records) {
      const isHoldout = r.status === 'SKIPPED' && r.reason === 'holdout';
      if (r.status !== 'SENT' && !isHoldout) continue;
      const arm = isHoldout ? 'holdout' : (r.arm ?? '(unassigned)');
      const a = arms.get(arm) ?? { recipients: 0, delivered: 0, bounced: 0, complained: 0, clicked: 0 };
      a.recipients++;
      if (r.deliveredAt) a.delivered++;
      if (r.bouncedAt) a.bounced++;
      if (r.complainedAt) a.complained++;
      if (r.firstClickAt) a.clicked++;
      arms.set(arm, a);
    }
    cursor = page.cursor;
  } while (cursor);
  return {
    k,
    source: 'send-records',
    arms: [...arms]
      .sort((a, b) => (a[0] === 'holdout' ? 1 : b[0] === 'holdout' ? -1 : a[0].localeCompare(b[0])))
      .map(([arm, a]) => ({ arm, recipients: a.recipients, delivered: a.delivered, bounced: a.bounced, complained: a.complained, clicked: guardedRate(a.clicked, a.recipients, k) })),
  };
}

export async function campaignDetail(id: string, deps: CampaignDeps) {
  const definition = await deps.store.getDefinition(id);
  if (!definition) throw new NotFoundError(`no campaign ${id}`);
  const [progress, results] = await Promise.all([campaignProgress(id, deps), resultsFromRecords(id, deps)]);
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
