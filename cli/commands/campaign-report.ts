/**
 * `sightline campaign report <id> [--json]` and `sightline campaign feedback <id> --person
 * <id> --type bounce|complaint|click|delivery`: a campaign's results (schemas/campaign-report.ts,
 * built by functions/domain/campaigns/report.ts from its send records, stored on the campaigns
 * table and written as JSON for the dashboard), and — locally, where the SES emulator emits no
 * events — one SES event injected through the platform's record-feedback function.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServices, loopback, type Services } from '../../functions/shared/services.ts';
import { buildReport, DEFAULT_K } from '../../functions/domain/campaigns/report.ts';
import type { CampaignReport, ArmReport } from '../../schemas/campaign-report.ts';
import { adminAuthorization, readLocalConfig, STATE_DIR } from '../../local/config.ts';
import { sesFeedbackEvent, SES_FEEDBACK_TYPES, type SesFeedbackType } from '../../local/ses-feedback.ts';
import type { Shown } from '../output.ts';

export interface ReportFlags {
  table?: string;
  profilesTable?: string;
  services?: Services;
  k?: number;
  /** Where the dashboard JSON goes; default .sightline/reports/<id>.json locally, none against AWS. */
  out?: string;
  now?: Date;
}

function target(o: ReportFlags) {
  const local = o.table ? undefined : readLocalConfig();
  if (!o.table && !local) throw new Error('No local platform found: run `npm start` first, or pass --table (the CampaignsTableName output).');
  const services = o.services ?? (local?.endpoints ? createServices(loopback({ ...local.endpoints })) : createServices());
  const table = o.table ?? local?.resources?.CAMPAIGNS_TABLE_NAME;
  const profilesTable = o.profilesTable ?? local?.resources?.PROFILES_TABLE_NAME;
  if (!table) throw new Error('pass --table (the CampaignsTableName output)');
  return { services, table, profilesTable, local };
}

/** Builds the report from the records, stores it, writes the dashboard JSON. */
export async function campaignReportCommand(id: string, o: ReportFlags = {}): Promise<CampaignReport> {
  const t = target(o);
  const campaign = await t.services.campaignStore(t.table).getDefinition(id);
  if (!campaign) throw new Error(`campaign ${id} not found in ${t.table}`);
  const reports = t.services.campaignReports(t.table);
  const [records, storedWinner, previous] = await Promise.all([t.services.sendRecords(t.table).allRecords(id), reports.getWinner(id), reports.getReport(id)]);
  const startedAt = records.map((r) => r.claimedAt).sort()[0];
  const report = buildReport(campaign, records, { now: o.now ?? new Date(), k: o.k ?? DEFAULT_K, ...(startedAt ? { startedAt } : {}), ...(storedWinner ? { storedWinner } : {}), ...(previous ? { previous } : {}) });
  await reports.saveReport(report);
  const out = o.out ?? (t.local ? join(STATE_DIR, 'reports', `${id}.json`) : undefined);
  if (out) {
    mkdirSync(join(out, '..'), { recursive: true });
    writeFileSync(out, JSON.stringify(report, null, 2));
  }
  return report;
}

const pct = (v: number | undefined | null, d = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : `${(v * 100).toFixed(d)} %`);
const signed = (v: number, d = 1) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(d)}`;
const money = (m: Record<string, number> | null) => (m === null ? '-' : Object.entries(m).map(([c, v]) => `${v.toFixed(2)} ${c}`).join(', ') || '0');

function liftText(a: ArmReport): string {
  const l = a.liftVsHoldout;
  if (!l) return a.kind === 'holdout' ? '(control)' : '-';
  const abs = `${signed(l.absolute.estimate)} pt [${signed(l.absolute.lower)}, ${signed(l.absolute.upper)}]`;
  const rel = l.relative ? `, ${signed(l.relative.estimate, 0)} % [${signed(l.relative.lower, 0)}, ${signed(l.relative.upper, 0)}]` : '';
  return abs + rel;
}

/** A small terminal chart: cumulative converted people per arm over time (one row per arm, 40 columns of time). */
export function conversionChart(r: CampaignReport, width = 40): string[] {
  const points = r.timeline.flatMap((t) => t.points.map((p) => Date.parse(p.at)));
  if (points.length === 0) return ['  (no conversions yet)'];
  const t0 = Math.min(...points);
  const t1 = Math.max(...points, t0 + 1);
  const max = Math.max(...r.timeline.map((t) => t.points.at(-1)?.converted ?? 0), 1);
  const blocks = ' ▁▂▃▄▅▆▇█';
  const lines = r.timeline.map((t) => {
    let cells = '';
    for (let c = 0; c < width; c++) {
      const until = t0 + ((c + 1) / width) * (t1 - t0);
      const n = t.points.filter((p) => Date.parse(p.at) <= until).at(-1)?.converted ?? 0;
      cells += blocks[Math.round((n / max) * (blocks.length - 1))];
    }
    return `  ${t.arm.padEnd(10)} ${cells} ${t.points.at(-1)?.converted ?? 0}`;
  });
  const hours = (t1 - t0) / 3_600_000;
  return [...lines, `  ${''.padEnd(10)} ${new Date(t0).toISOString().slice(0, 16)}Z → +${hours >= 1 ? `${hours.toFixed(1)} h` : `${((t1 - t0) / 60_000).toFixed(1)} min`} (cumulative converted people)`];
}

export function formatCampaignReport(r: CampaignReport): Shown {
  const head = ['arm', 'recipients', 'delivered', 'bounced', 'complained', 'unsub', 'clicked', 'converted', 'rate [95 % CI]', 'revenue', 'per recipient', 'lift vs holdout (points; relative)'];
  const row = (a: ArmReport) => [
    a.arm,
    String(a.recipients),
    ...[a.delivered, a.bounced, a.complained, a.unsubscribed, a.clicked, a.converted].map((v) => (v === null ? `<${r.k}` : String(v))),
    a.conversionRate ? `${pct(a.conversionRate.estimate)} [${pct(a.conversionRate.lower)}, ${pct(a.conversionRate.upper)}]` : `fewer than ${r.k}`,
    money(a.revenue),
    money(a.revenuePerRecipient),
    liftText(a),
  ];
  const rows = [head, ...r.arms.map(row), ...(r.overall ? [row({ ...r.overall, arm: 'campaign' })] : [])];
  const widths = head.map((_, i) => Math.max(...rows.map((x) => x[i].length)));
  const table = rows.map((x) => `  ${x.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd());
  const w = r.winner;
  const lines = [
    `campaign ${r.campaignId}${r.name ? ` (${r.name})` : ''}: goal ${r.goal ? `${r.goal.event} within ${r.goal.windowHours} h of the send (holdout: of its would-be send)` : 'none'}; ${r.records} records; groups under ${r.k} not shown as rates`,
    ...table,
    `  winner: ${w ? `${w.outcome === 'winner' ? `${w.winner} wins` : `no winner, ${w.chosen} stays`} — ${w.explanation}` : 'one variant, nothing to decide'}`,
    ...(r.clickThrough ? [`  click-through vs its own baseline: ${r.clickThrough.below ? 'ALERT, ' : ''}${r.clickThrough.explanation}`] : []),
    ...conversionChart(r),
  ];
  return { text: lines.join('\n'), ok: true };
}

export interface FeedbackFlags extends ReportFlags {
  person: string;
  type: SesFeedbackType;
  bounceType?: 'Permanent' | 'Transient' | 'Undetermined';
  link?: string;
  /** The local API (default: .sightline/local.json's). */
  endpoint?: string;
}

/** Injects one SES event for a campaign's send, locally, through the platform's record-feedback function. */
export async function campaignFeedbackCommand(campaignId: string, o: FeedbackFlags): Promise<{ campaignId: string; personId: string; type: SesFeedbackType; result: unknown }> {
  if (!SES_FEEDBACK_TYPES.includes(o.type)) throw new Error(`--type must be one of ${SES_FEEDBACK_TYPES.join(', ')}`);
  const t = target(o);
  const apiUrl = o.endpoint ?? t.local?.apiUrl;
  if (!apiUrl) throw new Error('campaign feedback injects SES events into the local platform: run `npm start` first (in AWS, SES publishes them itself)');
  const record = await t.services.sendRecords(t.table).get({ campaignId, personId: o.person });
  if (!record) throw new Error(`no send record for ${o.person} in campaign ${campaignId}`);
  if (record.status !== 'SENT') throw new Error(`${o.person} was not sent campaign ${campaignId} (${record.status}${record.reason ? `: ${record.reason}` : ''}): SES has no event for it`);
  const profile = t.profilesTable ? await t.services.profileStore(t.profilesTable).getProfile(o.person) : undefined;
  const email = typeof profile?.traits.email === 'string' ? profile.traits.email : undefined;
  if (!email && (o.type === 'bounce' || o.type === 'complaint')) throw new Error(`${o.person} has no email address on their profile to bounce or complain from`);
  const event = sesFeedbackEvent({ type: o.type, campaignId, personId: o.person, ...(record.arm ? { variantId: record.arm } : {}), recipient: email ?? `${o.person}@unknown.invalid`, ...(record.messageId ? { messageId: record.messageId } : {}), ...(o.bounceType ? { bounceType: o.bounceType } : {}), ...(o.link ? { link: o.link } : {}) });
  const res = await fetch(`${apiUrl}/local/ses-events`, { method: 'POST', headers: { 'content-type': 'application/json', ...adminAuthorization(apiUrl) }, body: JSON.stringify(event) });
  const body = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`the local platform answered ${res.status}: ${JSON.stringify(body)}`);
  return { campaignId, personId: o.person, type: o.type, result: body };
}

export const formatFeedback = (r: Awaited<ReturnType<typeof campaignFeedbackCommand>>) => `${r.type} for ${r.personId} in ${r.campaignId}: ${JSON.stringify(r.result)}`;
