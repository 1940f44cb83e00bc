/**
 * Sends Segment events through the real `@segment/analytics-node` client (the SDK apps
 * use; only its host is changed), and counts what the API accepted from its responses.
 *
 * Design:
 * - The SDK builds its URL as `new URL(path, host)`, so an absolute `path` drops any path in
 *   `host` (an API Gateway stage such as `/prod`): the API's own path is moved into `path`.
 * - Every event gets the SDK's per-event callback, which reports delivered or failed after
 *   the SDK's retries: `failed` counts events the SDK gave up on (too big, 4xx, retries
 *   exhausted), so nothing is lost silently.
 * - Back-pressure: at most MAX_IN_FLIGHT events wait in the SDK; reading a 540,000-line file
 *   is faster than sending it, and without a bound the whole replay would sit in memory.
 * - Request size: analytics-node 3.1.0 means to keep a batch under 480 KB, but its size
 *   estimate (`encodeURI(json).split(/%..|i/).length`) counts only escaped characters and the
 *   letter i, a third of the real size or less: 100 Online Retail orders make a 570 KB request,
 *   which the API (like Segment) refuses with 413. So the HTTP client splits a request over
 *   REQUEST_BYTES_TARGET into several, and answers the SDK for all of them: the worst status,
 *   so a retryable failure retries the whole batch (harmless: the pipeline de-duplicates on
 *   messageId).
 */
import { Analytics } from '@segment/analytics-node';
import { SingleBar, Presets } from 'cli-progress';
import type { SegmentLikeEvent } from '../../schemas/events.ts';
import { MAX_REQUEST_BYTES } from '../../schemas/events.ts';

export interface SendReport {
  /** Events handed to the SDK. */
  sent: number;
  /** Events the API acknowledged as accepted (its `accepted` count per request). */
  accepted: number;
  /** Events the API answered as rejected (its `rejected` list per request). */
  rejected: number;
  /** HTTP answers ≥ 400 (the SDK retries 5xx and 429; each attempt counts). */
  httpErrors: number;
  /** Events the SDK reported as not delivered, after its retries. */
  failed: number;
  /** Requests made (`/v1/batch` calls, retries included). */
  requests: number;
  seconds: number;
}

export interface SendOptions {
  /** The API's base URL, e.g. http://127.0.0.1:4566 or https://…/prod. */
  apiUrl: string;
  writeKey: string;
  /** Events per `/v1/batch` request (the SDK's `maxEventsInBatch`); default 100. */
  batchSize?: number;
  /** How long the SDK waits to fill a batch before sending it anyway; default 300 ms. */
  flushInterval?: number;
  /** Show a progress bar of acknowledged events out of `total` (or out of those sent so far). */
  progress?: boolean;
  total?: number;
  /** Called after every answered request, for callers that draw their own progress. */
  onProgress?: (report: Readonly<SendReport>) => void;
}

/** How many events may wait in the SDK at once (50 batches of 100). */
export const MAX_IN_FLIGHT = 5000;
/** Requests are split above this size: the API's limit less room for the envelope. */
export const REQUEST_BYTES_TARGET = MAX_REQUEST_BYTES - 16 * 1024;

interface SdkRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  httpRequestTimeout: number;
}

/** Splits a `/v1/batch` body into bodies of at most `limit` bytes (an event over it goes alone). */
export function splitBatchBody(body: string, limit = REQUEST_BYTES_TARGET): string[] {
  if (Buffer.byteLength(body) <= limit) return [body];
  const { batch, ...rest } = JSON.parse(body) as { batch: unknown[] } & Record<string, unknown>;
  const overhead = Buffer.byteLength(JSON.stringify({ ...rest, batch: [] }));
  const bodies: string[] = [];
  let chunk: unknown[] = [];
  let size = overhead;
  for (const e of batch) {
    const bytes = Buffer.byteLength(JSON.stringify(e)) + 1;
    if (chunk.length > 0 && size + bytes > limit) {
      bodies.push(JSON.stringify({ ...rest, batch: chunk }));
      chunk = [];
      size = overhead;
    }
    chunk.push(e);
    size += bytes;
  }
  if (chunk.length > 0) bodies.push(JSON.stringify({ ...rest, batch: chunk }));
  return bodies;
}

/** Splits an API base URL into the SDK's `host` and `path` (see the design note above). */
export function sdkTarget(apiUrl: string): { host: string; path: string } {
  const url = new URL(apiUrl);
  return { host: url.origin, path: `${url.pathname.replace(/\/+$/, '')}/v1/batch` };
}

export async function sendEvents(events: AsyncIterable<SegmentLikeEvent> | Iterable<SegmentLikeEvent>, opts: SendOptions): Promise<SendReport> {
  const started = Date.now();
  const report: SendReport = { sent: 0, accepted: 0, rejected: 0, httpErrors: 0, failed: 0, requests: 0, seconds: 0 };
  const bar = opts.progress ? new SingleBar({ format: ' {bar} {percentage}% | {value}/{total} events acknowledged | {eta_formatted} left', hideCursor: true }, Presets.shades_classic) : undefined;
  bar?.start(opts.total ?? 0, 0);
  const progressed = () => {
    bar?.update(report.accepted + report.rejected);
    opts.onProgress?.(report);
  };
  // The SDK's own fetch client, wrapped to read the API's answer (accepted, rejected by
  // index: the SDK's events expose the status but not the body) and to split oversized
  // requests (see the design note).
  const post = async (req: SdkRequest, body: string) => {
    report.requests += 1;
    const res = await fetch(req.url, { method: req.method, headers: req.headers, body, signal: AbortSignal.timeout(req.httpRequestTimeout) });
    const text = await res.text();
    if (res.status >= 400) report.httpErrors += 1;
    else {
      const answer = (text ? JSON.parse(text) : {}) as { accepted?: number; rejected?: unknown[] };
      report.accepted += answer.accepted ?? 0;
      report.rejected += answer.rejected?.length ?? 0;
    }
    progressed();
    return { res, text };
  };
  const httpClient = {
    async makeRequest(req: SdkRequest) {
      let worst: Awaited<ReturnType<typeof post>> | undefined;
      for (const body of splitBatchBody(req.body)) {
        const r = await post(req, body);
        if (!worst || r.res.status > worst.res.status) worst = r;
      }
      const { res, text } = worst!;
      return { status: res.status, statusText: res.statusText, headers: headersObject(res.headers), text: async () => text };
    },
  };
  const analytics = new Analytics({
    writeKey: opts.writeKey,
    ...sdkTarget(opts.apiUrl),
    maxEventsInBatch: opts.batchSize ?? 100,
    flushInterval: opts.flushInterval ?? 300,
    maxRetries: 10,
    httpRequestTimeout: 60_000,
    httpClient,
  });

  let inFlight = 0;
  let wake: (() => void) | undefined;
  const done = (err?: unknown) => {
    if (err) report.failed += 1;
    inFlight -= 1;
    wake?.();
  };
  for await (const e of events) {
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
    wake = undefined;
    report.sent += 1;
    inFlight += 1;
    if (bar && !opts.total) bar.setTotal(report.sent);
    const { type, ...rest } = e;
    const params = { ...rest, timestamp: new Date(e.timestamp) } as never;
    if (type === 'identify') analytics.identify(params, done);
    else if (type === 'track') analytics.track(params, done);
    else if (type === 'page') analytics.page(params, done);
    else if (type === 'screen') analytics.screen(params, done);
    else if (type === 'group') analytics.group(params, done);
    else analytics.alias(params, done);
  }
  await analytics.closeAndFlush({ timeout: 30 * 60_000 });
  progressed();
  bar?.stop();
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

/** A fetch Response's headers as a plain object (forEach: the DOM lib some test files load has no Headers iterator). */
function headersObject(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((value, key) => (out[key] = value));
  return out;
}
