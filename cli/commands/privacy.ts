/**
 * `sightline privacy export <id>` and `sightline privacy erase <id>`: the right of access and
 * erasure (functions/domain/privacy/). Locally they reach the platform of .sightline/local.json
 * (its tables, buckets and Step Functions API); against AWS they take the stack outputs as
 * flags and the SDK's credentials. Export runs the same domain code as
 * `GET /v1/privacy/{id}/export`; erase starts (or joins) the same Erasure execution as
 * `POST /v1/privacy/{id}/erase` and, with --wait, prints its receipt.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { exportPerson, type PersonExport } from '../../functions/domain/privacy/export-person.ts';
import { checkPrivacyId, requestErasure, staticNotes, type ErasureRequest } from '../../functions/domain/privacy/erasure.ts';
import { resolveSubject } from '../../functions/domain/privacy/resolve-subject.ts';
import type { ErasureReceipt } from '../../functions/domain/privacy/ports.ts';
import { readLocalConfig } from '../../local/config.ts';
import { createServices, loopback, type Services } from '../../functions/shared/services.ts';
import type { Shown } from '../output.ts';

export interface PrivacyFlags {
  profilesTable?: string;
  campaignsTable?: string;
  failedEventsBucket?: string;
  interactionsBucket?: string;
  privacyTable?: string;
  stateMachineArn?: string;
  /** Personalize is deployed (AWS): the receipt's notes say so. */
  personalize?: boolean;
  services?: Services;
}

function target(o: PrivacyFlags) {
  const local = o.profilesTable ? undefined : readLocalConfig();
  const services = o.services ?? (local?.endpoints ? createServices(loopback({ ...local.endpoints })) : createServices());
  const need = (flag: string | undefined, variable: string, name: string) => {
    const v = flag ?? local?.resources?.[variable];
    if (!v) throw new Error(`pass --${name} (a stack output), or run \`npm start\` for the local platform`);
    return v;
  };
  return { services, local, need };
}

const notesOf = (o: PrivacyFlags) => staticNotes({ kinesisRetentionHours: 168, dedupTtlHours: 24, personalize: o.personalize ?? false });

export interface ExportResult {
  doc: PersonExport;
  files: string[];
}

/** Everything held about the person: one JSON document (and the CSV of their events) in `out`. */
export async function privacyExportCommand(id: string, o: PrivacyFlags & { out?: string }): Promise<ExportResult> {
  const t = target(o);
  const profilesTable = t.need(o.profilesTable, 'PROFILES_TABLE_NAME', 'profiles-table');
  const s = t.services.privacyStores({
    profilesTable,
    campaignsTable: t.need(o.campaignsTable, 'CAMPAIGNS_TABLE_NAME', 'campaigns-table'),
    failedEventsBucket: t.need(o.failedEventsBucket, 'FAILED_EVENTS_BUCKET', 'failed-events-bucket'),
    interactionsBucket: t.need(o.interactionsBucket, 'INTERACTIONS_BUCKET', 'interactions-bucket'),
  });
  const graph = t.services.profileStore(profilesTable);
  const doc = await exportPerson(checkPrivacyId(id), { resolve: (x) => resolveSubject(x, graph), stores: [s.profiles!, s.campaigns!, s.suppression!, s.failedEvents!, s.archive!], notes: notesOf(o), now: () => new Date() });
  const files: string[] = [];
  if (o.out) {
    mkdirSync(o.out, { recursive: true });
    const base = join(o.out, `export-${id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)}`);
    const { eventsCsv, ...rest } = doc;
    writeFileSync(`${base}.json`, JSON.stringify(rest, null, 2), { mode: 0o600 });
    writeFileSync(`${base}-events.csv`, eventsCsv, { mode: 0o600 });
    files.push(`${base}.json`, `${base}-events.csv`);
  }
  return { doc, files };
}

export function formatExport(r: ExportResult): string {
  const lines = r.doc.stores.map((s) => `  ${s.store.padEnd(14)} ${s.searched ? String(s.count).padStart(6) : '     –'}  ${s.searched ? '' : s.notes.join('; ')}`);
  return [
    `export of ${r.doc.requestedId}: ${r.doc.profileFound ? `${r.doc.subject.profileIds.length} profile(s)` : 'no profile'}`,
    `  store           count`,
    ...lines,
    ...(r.files.length ? [`written: ${r.files.join(', ')}`] : ['(pass --out <dir> to write the JSON document and the CSV of events)']),
  ].join('\n');
}

export interface EraseResult {
  request: ErasureRequest;
  status: string;
  receipt?: ErasureReceipt;
  error?: string;
}

/** Starts (or joins) the person's Erasure execution; with `wait`, until it ends, and its receipt. */
export async function privacyEraseCommand(id: string, o: PrivacyFlags & { wait?: boolean; pollMs?: number }): Promise<EraseResult> {
  const t = target(o);
  const privacyTable = t.need(o.privacyTable, 'PRIVACY_TABLE_NAME', 'privacy-table');
  const arn = o.stateMachineArn ?? t.local?.stateMachines?.PrivacyErasure;
  if (!arn) throw new Error('pass --state-machine-arn (the ErasureStateMachineArn output)');
  const jobs = t.services.erasureJobs(privacyTable);
  const request = await requestErasure(checkPrivacyId(id), { jobs, workflow: t.services.erasureWorkflow(arn), now: () => new Date() });
  if (request.receipt || !o.wait || !request.executionArn) return { request, status: request.status, receipt: request.receipt };
  const sfn = t.services.clients.sfn();
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: request.executionArn }));
    if (d.status !== 'RUNNING') {
      const job = await jobs.get(request.job);
      return { request, status: String(d.status), receipt: job?.receipt, ...(d.error ? { error: `${d.error}: ${d.cause ?? ''}` } : {}) };
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
  }
}

export function formatErase(r: EraseResult): Shown {
  if (!r.receipt) {
    const failed = r.status !== 'running' && r.status !== 'RUNNING' && r.status !== 'SUCCEEDED';
    return { text: `erasure ${r.request.executionName}: ${r.status}${r.error ? ` (${r.error}); erase again to resume` : ''}`, ok: !failed };
  }
  const lines = r.receipt.stores.map((s) => `  ${s.store.padEnd(14)} ${s.searched ? `found ${s.found}, removed ${s.removed}${s.kept ? `, kept ${s.kept}` : ''}` : 'not searched'}  ${s.notes.join('; ')}`);
  return { text: [`erasure ${r.request.executionName}: completed ${r.receipt.completedAt}`, ...lines].join('\n'), ok: true };
}
