/**
 * Pipeline health for the admin API, from the sources that exist where it runs
 * (ports.ts): events accepted per minute over the last hour, failed events by reason over
 * today and yesterday (UTC), and each stream consumer's iterator age.
 */
import type { Health } from '../../../schemas/api/admin.ts';
import type { FailedEventCounts, PipelineMetrics } from './ports.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export async function pipelineHealth(deps: { metrics: PipelineMetrics; failed: FailedEventCounts; now: () => Date }, windowMs = HOUR_MS): Promise<Health> {
  const to = deps.now();
  const from = new Date(to.getTime() - windowMs);
  const days = [new Date(to.getTime() - DAY_MS), to].map((d) => d.toISOString().slice(0, 10));
  const [events, failed, lag] = await Promise.all([deps.metrics.eventsPerMinute(from, to), deps.failed.countByReason(days), deps.metrics.consumerLag(from, to)]);
  return {
    source: deps.metrics.source,
    window: { from: from.toISOString(), to: to.toISOString() },
    eventsPerMinute: fillMinutes(events.points, from, to),
    eventsTruncated: events.truncated,
    failedByReason: Object.entries(failed.counts)
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    failedTruncated: failed.truncated,
    consumerLag: lag,
  };
}

/** One point per minute of the window (zeros where nothing arrived), so a chart's x axis is time. */
export function fillMinutes(points: { minute: string; count: number }[], from: Date, to: Date) {
  const byMinute = new Map(points.map((p) => [p.minute.slice(0, 16), p.count]));
  const out: { minute: string; count: number }[] = [];
  for (let t = Math.floor(from.getTime() / 60_000) * 60_000; t < to.getTime(); t += 60_000) {
    const minute = new Date(t).toISOString().slice(0, 16);
    out.push({ minute: `${minute}:00Z`, count: byMinute.get(minute) ?? 0 });
  }
  return out;
}

/** `YYYY-MM-DDTHH:MM:00Z` of an instant: the per-minute bucket. */
export const minuteOf = (d: Date) => `${d.toISOString().slice(0, 16)}:00Z`;
