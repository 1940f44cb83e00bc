/**
 * PipelineMetrics (functions/domain/observe/ports.ts) in its two homes:
 * - AWS: CloudWatch. Events accepted per minute are the collect function's `AcceptedEvents`
 *   metric (namespace Sightline, dimension service=collect-events, Powertools EMF); consumer lag
 *   is each consumer function's `AWS/Lambda IteratorAge` (Maximum per minute, latest value).
 * - Locally there is no CloudWatch: events per minute are counted from the raw stream itself
 *   (each accepted event is one Kinesis record; ApproximateArrivalTimestamp per minute, read
 *   from AT_TIMESTAMP, at most 10,000 records per shard), and consumer lag is not measured
 *   (the local pollers keep their positions in their own process): null.
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { PipelineMetrics } from '../domain/observe/ports.ts';
import { minuteOf } from '../domain/observe/health.ts';

export class CloudWatchPipelineMetrics implements PipelineMetrics {
  readonly source = 'cloudwatch' as const;
  constructor(
    private readonly cw: CloudWatchClient,
    /** consumer name → Lambda function name */
    private readonly consumers: Record<string, string>,
    private readonly namespace = 'Sightline',
  ) {}

  private async query(queries: MetricDataQuery[], from: Date, to: Date) {
    const out = await this.cw.send(new GetMetricDataCommand({ StartTime: from, EndTime: to, MetricDataQueries: queries, ScanBy: 'TimestampAscending' }));
    return out.MetricDataResults ?? [];
  }

  async eventsPerMinute(from: Date, to: Date) {
    const [r] = await this.query(
      [{ Id: 'accepted', MetricStat: { Metric: { Namespace: this.namespace, MetricName: 'AcceptedEvents', Dimensions: [{ Name: 'service', Value: 'collect-events' }] }, Period: 60, Stat: 'Sum' } }],
      from,
      to,
    );
    const points = (r?.Timestamps ?? []).map((t, i) => ({ minute: minuteOf(new Date(t)), count: r!.Values?.[i] ?? 0 }));
    return { points, truncated: r?.StatusCode === 'PartialData' };
  }

  async consumerLag(from: Date, to: Date) {
    const names = Object.entries(this.consumers);
    if (names.length === 0) return [];
    const results = await this.query(
      names.map(([, fn], i) => ({ Id: `lag${i}`, MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Dimensions: [{ Name: 'FunctionName', Value: fn }] }, Period: 60, Stat: 'Maximum' } })),
      from,
      to,
    );
    return names.map(([consumer], i) => {
      const values = results.find((r) => r.Id === `lag${i}`)?.Values ?? [];
      return { consumer, iteratorAgeMs: values.length ? values[values.length - 1] : null };
    });
  }
}

const MAX_RECORDS_PER_SHARD = 10_000;

export class StreamPipelineMetrics implements PipelineMetrics {
  readonly source = 'streams' as const;
  constructor(
    private readonly kinesis: KinesisClient,
    private readonly rawStream: string,
    private readonly consumers: string[],
  ) {}

  async eventsPerMinute(from: Date, to: Date) {
    const counts = new Map<string, number>();
    let truncated = false;
    const shards = (await this.kinesis.send(new ListShardsCommand({ StreamName: this.rawStream }))).Shards ?? [];
    for (const shard of shards) {
      let iterator = (await this.kinesis.send(new GetShardIteratorCommand({ StreamName: this.rawStream, ShardId: shard.ShardId!, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: from }))).ShardIterator;
      let read = 0;
      while (iterator) {
        const page = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
        for (const r of page.Records ?? []) {
          const at = r.ApproximateArrivalTimestamp ? new Date(r.ApproximateArrivalTimestamp) : undefined;
          if (!at || at < from || at >= to) continue;
          counts.set(minuteOf(at), (counts.get(minuteOf(at)) ?? 0) + 1);
        }
        read += page.Records?.length ?? 0;
        if (read >= MAX_RECORDS_PER_SHARD) {
          truncated = true;
          break;
        }
        // At the tip of the shard: nothing more to read now.
        if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) break;
        iterator = page.NextShardIterator;
      }
    }
    return { points: [...counts].map(([minute, count]) => ({ minute, count })), truncated };
  }

  async consumerLag() {
    return this.consumers.map((consumer) => ({ consumer, iteratorAgeMs: null }));
  }
}
