/**
 * Sends Segment events through the real `@segment/analytics-node` client (the SDK apps
 * use; only its host is changed), and counts what the API accepted from its responses.
 */
import { Analytics } from '@segment/analytics-node';
import { SingleBar, Presets } from 'cli-progress';
import type { SegmentLikeEvent } from '../../functions/domain/retail/online-retail.ts';

export interface SendReport {
  sent: number;
  accepted: number;
  rejected: number;
  httpErrors: number;
  seconds: number;
}

export async function sendEvents(
  events: AsyncIterable<SegmentLikeEvent> | Iterable<SegmentLikeEvent>,
  opts: { apiUrl: string; writeKey: string; total?: number; progress?: boolean; batchSize?: number },
): Promise<SendReport> {
  const started = Date.now();
  const report: SendReport = { sent: 0, accepted: 0, rejected: 0, httpErrors: 0, seconds: 0 };
  const bar = opts.progress ? new SingleBar({ format: ' {bar} {percentage}% | {value}/{total} events acknowledged | {eta_formatted} left', hideCursor: true }, Presets.shades_classic) : undefined;
  bar?.start(opts.total ?? 0, 0);
  // The SDK's own fetch client, wrapped only to read the API's answer (accepted, rejected by
  // index): the SDK's events expose the status but not the response body.
  const httpClient = {
    async makeRequest(req: { url: string; method: string; headers: Record<string, string>; body: string; httpRequestTimeout: number }) {
      const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(req.httpRequestTimeout) });
      const text = await res.text();
      if (res.status >= 400) report.httpErrors += 1;
      else {
        const body = JSON.parse(text) as { accepted?: number; rejected?: unknown[] };
        report.accepted += body.accepted ?? 0;
        report.rejected += body.rejected?.length ?? 0;
        bar?.update(report.accepted + report.rejected);
      }
      return { status: res.status, statusText: res.statusText, headers: Object.fromEntries(res.headers), text: async () => text };
    },
  };
  const analytics = new Analytics({ writeKey: opts.writeKey, host: opts.apiUrl, path: '/v1/batch', maxEventsInBatch: opts.batchSize ?? 100, flushInterval: 300, maxRetries: 10, httpRequestTimeout: 60_000, httpClient });
  for await (const e of events) {
    report.sent += 1;
    if (bar && !opts.total) bar.setTotal(report.sent);
    const { type, ...rest } = e as SegmentLikeEvent & Record<string, unknown>;
    const params = { ...rest, timestamp: e.timestamp ? new Date(e.timestamp) : undefined } as never;
    if (type === 'identify') analytics.identify(params);
    else if (type === 'track') analytics.track(params);
    else if (type === 'page') analytics.page(params);
    else if (type === 'screen') analytics.screen(params);
    else if (type === 'group') analytics.group(params);
    else if (type === 'alias') analytics.alias(params);
  }
  await analytics.closeAndFlush({ timeout: 30 * 60_000 });
  bar?.update(report.accepted + report.rejected);
  bar?.stop();
  report.seconds = (Date.now() - started) / 1000;
  return report;
}
