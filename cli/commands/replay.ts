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
import { clickstreamRequests, type ClickstreamProduct, type ClickstreamSummary } from '../../datasets/clickstream.ts';
import { readCatalogFile } from './recommender.ts';
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

export interface ClickstreamReplayOptions {
  apiUrl: string;
  writeKey: string;
  users?: number;
  days: number;
  seed: number;
  end?: Date;
  /** The Online Retail file (or an item list) to take products from; default the demo catalog. */
  catalogFile?: string;
  /** Products already read (readCatalogFile): benchmarks read the file before their clock starts. */
  catalog?: ClickstreamProduct[];
  /** Browsers posting at once; default 16. */
  clients?: number;
  progress?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `replay clickstream`: the seeded clickstream (datasets/clickstream.ts), each request as a
 * browser SDK posts it (`POST /v1/batch` of ≤ 10 events of one session, the write key as
 * Basic auth), from `clients` concurrent senders. Not through analytics-node: it batches
 * across all the events it is given, where a browser batches only its own. 5xx, 429 and
 * network errors are retried with the same body (the pipeline de-duplicates on messageId),
 * up to 10 attempts; what is still not delivered counts as `failed`.
 */
export async function replayClickstream(opts: ClickstreamReplayOptions): Promise<{ summary: ClickstreamSummary; send: SendReport; catalog: string }> {
  const started = Date.now();
  let catalog = opts.catalog;
  if (!catalog && opts.catalogFile) catalog = (await readCatalogFile(opts.catalogFile)).catalog.items;
  const summary: ClickstreamSummary = { users: 0, sessions: 0, events: 0, requests: 0, byKind: { page: 0, 'Product Viewed': 0, 'Product Added': 0, 'Order Completed': 0, identify: 0 } };
  const requests = clickstreamRequests({ seed: opts.seed, users: opts.users, days: opts.days, end: opts.end, catalog }, summary);
  const send: SendReport = { sent: 0, accepted: 0, rejected: 0, httpErrors: 0, failed: 0, requests: 0, seconds: 0 };
  const url = `${opts.apiUrl.replace(/\/+$/, '')}/v1/batch`;
  const headers = { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${opts.writeKey}:`).toString('base64')}` };
  const bar = opts.progress ? new SingleBar({ format: ' {value} events acknowledged ({requests} requests)', hideCursor: true }, Presets.shades_classic) : undefined;
  bar?.start(0, 0, { requests: 0 });
  const post = async (batch: unknown[]) => {
    const body = JSON.stringify({ batch, sentAt: new Date().toISOString() });
    for (let attempt = 1; ; attempt++) {
      send.requests += 1;
      let status = 0;
      let text = '';
      try {
        const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(60_000) });
        status = res.status;
        text = await res.text();
      } catch {
        status = 0;
      }
      if (status >= 200 && status < 300) {
        const answer = (text ? JSON.parse(text) : {}) as { accepted?: number; rejected?: unknown[] };
        send.accepted += answer.accepted ?? 0;
        send.rejected += answer.rejected?.length ?? 0;
        return;
      }
      if (status >= 400 || status === 0) send.httpErrors += 1;
      const retryable = status === 0 || status === 429 || status >= 500;
      if (!retryable || attempt >= 10) {
        send.failed += batch.length;
        return;
      }
      await sleep(Math.min(5000, 50 * 2 ** attempt));
    }
  };
  const worker = async () => {
    for (;;) {
      const next = requests.next();
      if (next.done) return;
      send.sent += next.value.length;
      await post(next.value);
      bar?.update(send.accepted + send.rejected, { requests: send.requests });
    }
  };
  await Promise.all(Array.from({ length: opts.clients ?? 16 }, worker));
  bar?.stop();
  send.seconds = (Date.now() - started) / 1000;
  return { summary, send, catalog: opts.catalogFile ?? 'the demo shop catalog' };
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

export function replayClickstreamCommand(o: TargetFlags & { users: number; days: number; seed: number; end?: Date; catalog?: string; clients?: number }) {
  const target = localTarget(o);
  return replayClickstream({ apiUrl: target.apiUrl, writeKey: target.writeKey, users: o.users, days: o.days, seed: o.seed, end: o.end, catalogFile: o.catalog, clients: o.clients, progress: !o.json && process.stderr.isTTY });
}

export function formatClickstreamReplay(r: Awaited<ReturnType<typeof replayClickstream>>): Shown {
  const k = r.summary.byKind;
  const text = [
    `\nclickstream: ${r.summary.users.toLocaleString('en-GB')} users, ${r.summary.sessions.toLocaleString('en-GB')} sessions, ${r.summary.events.toLocaleString('en-GB')} events in ${r.summary.requests.toLocaleString('en-GB')} requests (products: ${r.catalog})`,
    `  page ${k.page}, Product Viewed ${k['Product Viewed']}, Product Added ${k['Product Added']}, Order Completed ${k['Order Completed']}, identify ${k.identify}`,
    formatSendReport(r.send),
  ].join('\n');
  return { text, ok: r.send.failed === 0 && r.send.rejected === 0 };
}
