/**
 * `sightline segment create|list|preview` and `sightline campaign start|status|pause|resume|
 * cancel|preview`: the marketer's commands. Locally they reach the platform of
 * .sightline/local.json (its Step Functions API and tables); against AWS they take the
 * stack outputs as flags (--state-machine-arn, --table) and the SDK's credentials.
 */
import { readFileSync } from 'node:fs';
import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { createServices, loopback, type Services } from '../../functions/shared/services.ts';
import { findProfile } from '../../functions/domain/profiles/find-profile.ts';
import type { SegmentPreview } from '../../functions/domain/campaigns/segments.ts';
import { scanSegmentPreview } from '../../functions/domain/campaigns/scan-audience.ts';
import { buildRenderContext, renderVariant, type RenderedVariant } from '../../functions/domain/campaigns/render.ts';
import type { CampaignControl, CampaignSummary } from '../../functions/domain/campaigns/campaign-store.ts';
import { validateCampaignDefinition } from '../../functions/domain/campaigns/validate-campaign.ts';
import { segmentDefinitionSchema, type SegmentDefinition } from '../../schemas/segment.ts';
import type { CampaignDefinition } from '../../schemas/campaign.ts';
import { readLocalConfig } from '../../local/config.ts';
import type { Shown } from '../output.ts';

export interface CampaignFlags {
  stateMachineArn?: string;
  table?: string;
  profilesTable?: string;
  /** Adapters to use (the local platform passes its own); default: from the target. */
  services?: Services;
}

interface Target {
  services: Services;
  sfn: SFNClient;
  campaignsTable: string;
  profilesTable: string;
  stateMachineArn?: string;
}

function targetOf(o: CampaignFlags): Target {
  const local = o.table ? undefined : readLocalConfig();
  if (!o.table && !local) throw new Error('No local platform found: run `npm start` first, or pass --table (and --state-machine-arn) of a deployment.');
  const services = o.services ?? (local?.endpoints ? createServices(loopback({ ...local.endpoints })) : createServices());
  const campaignsTable = o.table ?? local?.resources?.CAMPAIGNS_TABLE_NAME;
  const profilesTable = o.profilesTable ?? local?.resources?.PROFILES_TABLE_NAME;
  if (!campaignsTable || !profilesTable) throw new Error('pass --table and --profiles-table (the CampaignsTableName and ProfilesTableName outputs)');
  return { services, sfn: services.clients.sfn(), campaignsTable, profilesTable, stateMachineArn: o.stateMachineArn ?? local?.stateMachines?.Campaign };
}

const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

/** A campaign file, validated here too, so a typo is named before an execution starts. */
function readCampaign(file: string): CampaignDefinition {
  const v = validateCampaignDefinition(readJson(file));
  if (!v.ok) throw new Error(`${file} is not a valid campaign:\n${v.errors.map((e) => `  ${e.path || '(root)'}: ${e.message}`).join('\n')}`);
  return v.campaign;
}

// ---- segments ------------------------------------------------------------------------------

export async function segmentCreateCommand(file: string, o: CampaignFlags): Promise<SegmentDefinition> {
  const segment = segmentDefinitionSchema.parse(readJson(file));
  const t = targetOf(o);
  await t.services.campaignStore(t.campaignsTable).saveSegment(segment, new Date().toISOString());
  return segment;
}

export async function segmentListCommand(o: CampaignFlags): Promise<SegmentDefinition[]> {
  const t = targetOf(o);
  return t.services.campaignStore(t.campaignsTable).listSegments();
}

/** Size, a sample and the breakdowns in one scan of the profiles (and their scores). */
export async function segmentPreviewCommand(fileOrId: string, o: CampaignFlags & { sample?: number }): Promise<SegmentPreview> {
  const t = targetOf(o);
  const def = fileOrId.endsWith('.json') ? segmentDefinitionSchema.parse(readJson(fileOrId)) : await t.services.campaignStore(t.campaignsTable).getSegment(fileOrId);
  if (!def) throw new Error(`no segment ${fileOrId}`);
  const store = t.services.profileStore(t.profilesTable);
  return scanSegmentPreview(def, { profiles: store, scores: store }, { sampleSize: o.sample ?? 10 });
}

export const formatSegments = (s: SegmentDefinition[]) => (s.length ? s.map((x) => `${x.id.padEnd(24)} ${x.name}`).join('\n') : 'no segments yet (sightline segment create <file.json>)');
export const formatSegment = (s: SegmentDefinition) => `segment ${s.id} saved (${s.name})`;

export function formatSegmentPreview(p: SegmentPreview): string {
  const bd = (xs: { value: string; count: number }[]) => xs.slice(0, 8).map((x) => `${x.value} ${x.count}`).join(', ') || '-';
  return [
    `segment ${p.segmentId}: ${p.size} people (matched ${p.matched} of ${p.scanned} profiles read${p.merged ? `, ${p.merged} merged` : ''})`,
    `  lifecycle  ${bd(p.breakdown.lifecycle)}`,
    `  country    ${bd(p.breakdown.country)}`,
    `  sample     ${p.sample.map((s) => s.profileId).join(', ') || '-'}`,
  ].join('\n');
}

// ---- campaigns ---------------------------------------------------------------------------

export const executionArnOf = (stateMachineArn: string, name: string) => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

export async function campaignStartCommand(file: string, o: CampaignFlags): Promise<{ campaignId: string; executionArn: string }> {
  const campaign = readCampaign(file);
  const t = targetOf(o);
  if (!t.stateMachineArn) throw new Error('pass --state-machine-arn (the CampaignStateMachineArn output of Sightline-Campaigns)');
  // The execution name is the campaign id: starting it twice sends nothing twice.
  const out = await t.sfn.send(new StartExecutionCommand({ stateMachineArn: t.stateMachineArn, name: campaign.id, input: readFileSync(file, 'utf8') }));
  return { campaignId: campaign.id, executionArn: out.executionArn! };
}

export interface CampaignStatus {
  campaignId: string;
  execution?: { status?: string; error?: string; cause?: string };
  summary?: CampaignSummary;
  control: CampaignControl;
}

export async function campaignStatusCommand(id: string, o: CampaignFlags): Promise<CampaignStatus> {
  const t = targetOf(o);
  const store = t.services.campaignStore(t.campaignsTable);
  const [summary, control] = await Promise.all([store.getSummary(id), store.getControl(id)]);
  const execution = t.stateMachineArn
    ? await t.sfn
        .send(new DescribeExecutionCommand({ executionArn: executionArnOf(t.stateMachineArn, id) }))
        .then((d) => ({ status: d.status, ...(d.error ? { error: d.error, cause: d.cause } : {}) }))
        .catch(() => undefined)
    : undefined;
  return { campaignId: id, ...(execution ? { execution } : {}), ...(summary ? { summary } : {}), control };
}

/** Waits until the execution ends, printing its progress; what `campaign start --wait` does. */
export async function waitForCampaign(id: string, o: CampaignFlags, onProgress: (s: CampaignStatus) => void = () => {}): Promise<CampaignStatus> {
  for (;;) {
    const s = await campaignStatusCommand(id, o);
    onProgress(s);
    if (s.execution?.status && s.execution.status !== 'RUNNING') return s;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function formatCampaignStatus(s: CampaignStatus): Shown {
  const t = s.summary?.totals;
  const bar = (n: number, of: number) => {
    const w = 30;
    const full = of > 0 ? Math.round((w * n) / of) : 0;
    return `[${'#'.repeat(full)}${'.'.repeat(w - full)}]`;
  };
  const decided = t ? t.sent + t.holdout + t.failed + Object.values(t.skipped).reduce((a, b) => a + (b ?? 0), 0) : 0;
  const lines = [
    `campaign ${s.campaignId}: ${s.execution?.status ?? 'no execution found'}${s.control !== 'running' ? ` (${s.control})` : ''}${s.summary ? `, ${s.summary.state}, ${s.summary.sweeps} sweep(s)` : ''}`,
    ...(t
      ? [
          `  ${bar(decided, decided + t.deferred)} ${decided} of ${decided + t.deferred} decided`,
          `  audience ${t.audience}   sent ${t.sent}   holdout ${t.holdout}   failed ${t.failed}   deferred ${t.deferred}`,
          `  skipped  ${Object.entries(t.skipped).map(([k, v]) => `${k} ${v}`).join(', ') || '-'}`,
        ]
      : []),
    ...(s.execution?.error ? [`  error    ${s.execution.error}: ${s.execution.cause}`] : []),
  ];
  return { text: lines.join('\n'), ok: s.execution?.status !== 'FAILED' };
}

export async function campaignControlCommand(id: string, control: CampaignControl, o: CampaignFlags): Promise<{ campaignId: string; control: CampaignControl }> {
  const t = targetOf(o);
  await t.services.campaignStore(t.campaignsTable).setControl(id, control, new Date().toISOString());
  return { campaignId: id, control };
}

export const formatControl = (r: { campaignId: string; control: CampaignControl }) =>
  `campaign ${r.campaignId}: ${r.control === 'running' ? 'resumed (the send loop picks up where it paused; nobody is sent twice)' : r.control === 'paused' ? 'paused (the send loop stops between pages)' : 'cancelled (the send loop ends at its next page)'}`;

/** Each variant rendered for one person; `testTo` also sends them as proofs to that address. */
export async function campaignPreviewCommand(file: string, o: CampaignFlags & { profile: string; testTo?: string }): Promise<{ profileId: string; variants: (RenderedVariant & { id: string })[]; proofs: number }> {
  const campaign = readCampaign(file);
  const t = targetOf(o);
  const store = t.services.profileStore(t.profilesTable);
  const profile = await findProfile(store, o.profile);
  if (!profile) throw new Error(`no profile for ${o.profile}`);
  const scores = (await store.getScores([profile.profileId])).get(profile.profileId);
  const context = buildRenderContext({ profile, scores, campaign: { id: campaign.id, name: campaign.name }, unsubscribeUrl: 'https://example.invalid/unsubscribe?token=preview' });
  const variants = campaign.variants.map((v) => ({ id: v.id, ...renderVariant(campaign.channel, v, context) }));
  let proofs = 0;
  if (o.testTo && campaign.channel === 'email') {
    const send = t.services.emailSender();
    for (const v of variants) {
      if (v.channel !== 'email') continue;
      const r = await send({ channel: 'email', campaignId: campaign.id, personId: profile.profileId, variantId: v.id, to: o.testTo, from: campaign.from, subject: `[proof ${v.id}] ${v.subject}`, html: v.html, text: v.text, headers: {} });
      if (!r.ok) throw new Error(`proof of ${v.id} refused: ${r.error}`);
      proofs += 1;
    }
  }
  return { profileId: profile.profileId, variants, proofs };
}

export function formatPreview(r: Awaited<ReturnType<typeof campaignPreviewCommand>>): string {
  return [
    ...r.variants.map((v) => `── variant ${v.id} for ${r.profileId}\n${v.channel === 'email' ? `subject: ${v.subject}\n\n${v.text}` : v.channel === 'sms' ? v.text : JSON.stringify(v.body, null, 2)}`),
    ...(r.proofs ? [`${r.proofs} proof(s) sent`] : []),
  ].join('\n\n');
}
