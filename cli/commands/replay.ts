/**
 * `sightline replay online-retail <file.csv.gz>` and `sightline replay demo`: turn a
 * dataset (or the seeded demo shop) into Segment events and send them to the API.
 *
 * Design:
 * - Streaming end to end: readCsv (gunzip → csv-parse) → RetailConverter → SDK, one invoice in memory
 *   and at most MAX_IN_FLIGHT events waiting in the SDK (see send-events.ts).
 * - The progress bar of a file replay counts bytes of the file read (the number of events is
 *   known only at the end), and shows the events sent and acknowledged beside it.
 * - `dryRun` converts and reconciles without sending: a measurement of the file and of the
 *   converter, with no platform running.
 */
import { existsSync, statSync } from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { RetailConverter, type Reconciliation, type RetailRow } from '../../datasets/online-retail.ts';
import type { SegmentLikeEvent } from '../../schemas/events.ts';
import { demoShop } from '../../datasets/demo-shop.ts';
import { sendEvents, type SendReport } from './send-events.ts';
import { bankEvents } from '../../datasets/bank-marketing.ts';
import { loadBank } from '../../datasets/scoring-data.ts';
import { readCsv } from '../../datasets/read-csv.ts';
import { localTarget } from '../config.ts';
import type { Shown } from '../output.ts';

export interface ReplayResult {
  file: string;
  reconciliation: Reconciliation;
  /** The largest event produced, in bytes of JSON (Segment's limit is 32 KB). */
  largestEventBytes: number;
  /** Absent in a dry run. */
  send?: SendReport;
  seconds: number;
}

export interface ReplayOptions {
  /** Required unless `dryRun`. */
  apiUrl?: string;
  writeKey?: string;
  /** Read only the first N lines of the file. */
  limit?: number;
  dryRun?: boolean;
  progress?: boolean;
  batchSize?: number;
  flushInterval?: number;
}

async function* retailEvents(
  file: string,
  converter: RetailConverter,
  limit: number | undefined,
  onRead: (bytes: number) => void,
): AsyncGenerator<SegmentLikeEvent> {
  const rows = readCsv<RetailRow>(file);
  let n = 0;
  for await (const row of rows) {
    if (limit !== undefined && n++ >= limit) break;
    yield* converter.push(row);
    onRead(rows.bytesRead());
  }
  yield* converter.end();
}

function fileBar(total: number) {
  const bar = new SingleBar(
    { format: ' {bar} {percentage}% of the file | {sent} events sent, {acked} acknowledged | {eta_formatted} left', hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(total, 0, { sent: 0, acked: 0 });
  return bar;
}

export async function replayOnlineRetail(file: string, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const started = Date.now();
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  const converter = new RetailConverter();
  let largestEventBytes = 0;
  let read = 0;
  const bar = opts.progress ? fileBar(statSync(file).size) : undefined;
  let sent = 0;
  let acked = 0;
  const events = (async function* () {
    for await (const e of retailEvents(file, converter, opts.limit, (b) => (read = b))) {
      largestEventBytes = Math.max(largestEventBytes, Buffer.byteLength(JSON.stringify(e)));
      sent += 1;
      if (sent % 500 === 0) bar?.update(read, { sent, acked });
      yield e;
    }
  })();
  let send: SendReport | undefined;
  if (opts.dryRun) {
    for await (const _ of events) void _;
  } else {
    if (!opts.apiUrl || !opts.writeKey) throw new Error('replayOnlineRetail: apiUrl and writeKey are required unless dryRun');
    send = await sendEvents(events, {
      apiUrl: opts.apiUrl,
      writeKey: opts.writeKey,
      batchSize: opts.batchSize,
      flushInterval: opts.flushInterval,
      onProgress: (r) => {
        acked = r.accepted + r.rejected;
        bar?.update(read, { sent, acked });
      },
    });
  }
  bar?.update(bar.getTotal(), { sent, acked });
  bar?.stop();
  return { file, reconciliation: converter.reconcile(), largestEventBytes, ...(send ? { send } : {}), seconds: (Date.now() - started) / 1000 };
}

export interface DemoReplayOptions {
  apiUrl: string;
  writeKey: string;
  seed?: number;
  /** The last instant of the simulated history; default now (so a demo looks current). */
  end?: Date;
  progress?: boolean;
  batchSize?: number;
  flushInterval?: number;
}

export async function replayDemo(opts: DemoReplayOptions): Promise<{ seed: number; end: string; events: number; send: SendReport }> {
  const seed = opts.seed ?? 7;
  const end = opts.end ?? new Date();
  const events = demoShop({ seed, end });
  const send = await sendEvents(events, { ...opts, total: events.length });
  return { seed, end: end.toISOString(), events: events.length, send };
}

/**
 * `replay bank-marketing`: UCI Bank Marketing as identify + "Campaign Contacted" per row
 * (datasets/bank-marketing.ts), so propensity trains from profiles.
 */
export async function replayBankMarketing(file: string, opts: { apiUrl: string; writeKey: string; limit?: number; progress?: boolean; batchSize?: number; flushInterval?: number }): Promise<{ rows: number; events: number; send: SendReport }> {
  const rows = (await loadBank(file)).slice(0, opts.limit);
  const events = [...bankEvents(rows)];
  const send = await sendEvents(events, { ...opts, total: events.length });
  return { rows: rows.length, events: events.length, send };
}

/** The cleaning report as a two-column table: input lines = accepted + corrected + rejected. */
export function formatReconciliation(r: Reconciliation): string {
  const rows: [string, number][] = [
    ['input lines', r.lines],
    ['  accepted as is', r.accepted],
    ['  accepted after correction', r.corrected],
    ...Object.entries(r.byCorrection).map(([k, v]) => [`    ${k}`, v] as [string, number]),
    ['  rejected', r.rejected],
    ...Object.entries(r.byRule).map(([k, v]) => [`    ${k}`, v] as [string, number]),
    ['guest lines (no CustomerID → anonymousId)', r.guestLines],
    ['invoices (with an accepted line)', r.invoices],
    ['  interrupted, sent as late parts', r.reopenedInvoices],
    ['customers', r.customers],
    ['events: identify', r.events.identify],
    ['events: Order Completed', r.events.orderCompleted],
    ['events: Order Refunded', r.events.orderRefunded],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [
    ...rows.map(([k, v]) => `${k.padEnd(width)}  ${v.toLocaleString('en-GB').padStart(9)}`),
    `check: ${r.lines} = ${r.accepted} + ${r.corrected} + ${r.rejected}`,
  ].join('\n');
}

/** The send report in one line. */
export function formatSendReport(s: SendReport): string {
  return `sent ${s.sent} events in ${s.seconds.toFixed(1)} s (${s.requests} requests): accepted ${s.accepted}, rejected ${s.rejected}, not delivered ${s.failed}, HTTP errors ${s.httpErrors}`;
}

// ---- the CLI's actions (cli/sightline.ts routes here) ------------------------------------

interface TargetFlags {
  endpoint?: string;
  writeKey?: string;
  json?: boolean;
}

export function replayOnlineRetailCommand(file: string, o: TargetFlags & { limit?: number; dryRun?: boolean }): Promise<ReplayResult> {
  const target = o.dryRun ? undefined : localTarget(o);
  return replayOnlineRetail(file, { apiUrl: target?.apiUrl, writeKey: target?.writeKey, limit: o.limit, dryRun: o.dryRun, progress: !o.json && process.stderr.isTTY });
}

export function formatOnlineRetailReplay(r: ReplayResult): Shown {
  const text = [`\nCleaning report (reconciliation)\n${formatReconciliation(r.reconciliation)}`, `largest event: ${r.largestEventBytes.toLocaleString('en-GB')} bytes`, ...(r.send ? [formatSendReport(r.send)] : [])].join('\n');
  return { text, ok: !r.send || (r.send.failed === 0 && r.send.rejected === 0) };
}

export function replayBankMarketingCommand(file: string, o: TargetFlags & { limit?: number }) {
  const target = localTarget(o);
  return replayBankMarketing(file, { apiUrl: target.apiUrl, writeKey: target.writeKey, limit: o.limit, progress: !o.json && process.stderr.isTTY });
}

export function formatBankReplay(r: Awaited<ReturnType<typeof replayBankMarketing>>): Shown {
  return { text: `\nbank marketing: ${r.rows.toLocaleString('en-GB')} contacts as ${r.events.toLocaleString('en-GB')} events; ${formatSendReport(r.send)}`, ok: r.send.failed === 0 && r.send.rejected === 0 };
}

export function replayDemoCommand(o: TargetFlags & { seed: number; end?: Date }) {
  const target = localTarget(o);
  return replayDemo({ apiUrl: target.apiUrl, writeKey: target.writeKey, seed: o.seed, end: o.end, progress: !o.json && process.stderr.isTTY });
}

export function formatDemoReplay(r: Awaited<ReturnType<typeof replayDemo>>): Shown {
  return { text: `\ndemo shop (seed ${r.seed}, ending ${r.end}): ${formatSendReport(r.send)}`, ok: r.send.failed === 0 };
}
