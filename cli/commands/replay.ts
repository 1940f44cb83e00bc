/**
 * `sightline replay online-retail <file.csv.gz>` and `sightline replay demo`: turn a
 * dataset (or the seeded demo shop) into Segment events and send them to the API.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse';
import { RetailConverter, type Reconciliation, type RetailRow, type SegmentLikeEvent } from '../../functions/domain/retail/online-retail.ts';
import { demoShop } from '../../functions/domain/demo/demo-shop.ts';
import { sendEvents, type SendReport } from './send-events.ts';

export interface ReplayResult {
  reconciliation: Reconciliation;
  send?: SendReport;
}

async function* retailEvents(file: string, converter: RetailConverter, limit?: number): AsyncGenerator<SegmentLikeEvent> {
  const rows = createReadStream(file).pipe(file.endsWith('.gz') ? createGunzip() : new PassThrough()).pipe(parse({ columns: true, relax_quotes: true }));
  let n = 0;
  for await (const row of rows as AsyncIterable<RetailRow>) {
    if (limit !== undefined && n++ >= limit) break;
    yield* converter.push(row);
  }
  yield* converter.end();
}

export async function replayOnlineRetail(file: string, opts: { apiUrl?: string; writeKey?: string; limit?: number; dryRun?: boolean; progress?: boolean }): Promise<ReplayResult> {
  const converter = new RetailConverter();
  const events = retailEvents(file, converter, opts.limit);
  if (opts.dryRun) {
    for await (const _ of events) void _;
    return { reconciliation: converter.reconcile() };
  }
  // 27,895 events for the full file (dry run): the bar's total when the whole file is replayed.
  const send = await sendEvents(events, { apiUrl: opts.apiUrl!, writeKey: opts.writeKey!, total: opts.limit === undefined ? 27_895 : undefined, progress: opts.progress });
  return { reconciliation: converter.reconcile(), send };
}

export async function replayDemo(opts: { apiUrl: string; writeKey: string; seed?: number; end?: Date; progress?: boolean }) {
  const events = demoShop({ seed: opts.seed ?? 7, end: opts.end ?? new Date() });
  return { events: events.length, send: await sendEvents(events, { ...opts, total: events.length }) };
}

export function formatReconciliation(r: Reconciliation): string {
  const rows: [string, number][] = [
    ['input lines', r.lines],
    ['  accepted as is', r.accepted],
    ['  accepted after correction', r.corrected],
    ...Object.entries(r.byCorrection).map(([k, v]) => [`    ${k}`, v] as [string, number]),
    ['  rejected', r.rejected],
    ...Object.entries(r.byRule).map(([k, v]) => [`    ${k}`, v] as [string, number]),
    ['guest lines (no CustomerID → anonymousId)', r.guestLines],
    ['invoices', r.invoices],
    ['customers', r.customers],
    ['events: identify', r.events.identify],
    ['events: Order Completed', r.events.orderCompleted],
    ['events: Order Refunded', r.events.orderRefunded],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return [...rows.map(([k, v]) => `${k.padEnd(width)}  ${v.toLocaleString('en-GB').padStart(9)}`), `check: ${r.lines} = ${r.accepted} + ${r.corrected} + ${r.rejected}`].join('\n');
}
