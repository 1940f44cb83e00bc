/**
 * The ingest-to-profile path end to end through the local platform, metered, on two
 * workloads in the same run, each on a fresh platform (so its units are its own):
 * - the clickstream the cost targets are set for (datasets/clickstream.ts: browser sessions,
 *   requests of ≤ 10 events of one session), sent by `replayClickstream`;
 * - the Online Retail replay (a year of orders; @segment/analytics-node, batches of 100).
 * For each: events/s into the profiles (first event sent → Clean and Tag drained, every event
 * counted) and until every consumer drained (Score waits up to its 30 s batching window); CPU
 * per event by thread (is the run CPU-bound?); DynamoDB write and
 * read units per event (the emulator's ConsumedCapacity, seen by a metering proxy); Kinesis
 * records and billed KB per stream (each record rounded up to 1 KB, read back from the
 * streams after the run); Lambda invocations and handler time; then the cost per million
 * events from those units and public list prices; and the reconciliation (every accepted
 * event counted once in a profile or kept in the failed-events store with its reason).
 *
 * With --scores, churn and lifetime value are trained from the Online Retail file and made
 * current before each replay, so the Score consumer re-scores every profile Tag touches.
 *
 *   npx tsx bench/pipeline-replay.ts [--file ../shared/datasets/online-retail.csv.gz] [--limit N]
 *     [--users 10000 --days 7 --seed 1] [--workloads clickstream,retail] [--scores] [--containers N] [--no-write]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { startPlatform } from '../local/platform.ts';
import { threadCpuMs } from '../local/thread-cpu.ts';
import { readCatalogFile } from '../cli/commands/recommender.ts';
import { startEmulators } from '../local/emulators.ts';
import { startFaultProxy } from '../local/fault-proxy.ts';
import { replayClickstream, replayDemo, replayOnlineRetail, formatReconciliation } from '../cli/commands/replay.ts';
import { sendEvents, type SendReport } from '../cli/commands/send-events.ts';
import { scanProfiles } from '../cli/commands/profiles.ts';
import { fmt, machine, writeSection } from './lib/report.ts';
import { trainScoreArtifact } from '../cli/commands/train-scores.ts';
import { S3ModelRegistry } from '../functions/adapters/s3-model-registry.ts';
import { publishScoreModel } from '../functions/domain/score/publish-score-model.ts';

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: '../shared/datasets/online-retail.csv.gz' },
    limit: { type: 'string' },
    users: { type: 'string', default: '10000' },
    days: { type: 'string', default: '7' },
    seed: { type: 'string', default: '1' },
    workloads: { type: 'string', default: 'clickstream,retail' },
    write: { type: 'boolean', default: true },
    scores: { type: 'boolean', default: false },
    label: { type: 'string' },
    /** Containers for the API's functions (collect, the authorizer), as Lambda scales them out; 1 = the local platform's default. */
    containers: { type: 'string', default: '1' },
  },
  allowNegative: true,
});
const limit = values.limit ? Number(values.limit) : undefined;
const useRetail = existsSync(values.file!);
const loadAtStart = loadavg()[0];
const apiContainers = Number(values.containers);
if (!(apiContainers >= 1)) throw new Error('--containers must be a positive number');
const workloads = values.workloads!.split(',');
const users = Number(values.users);
const days = Number(values.days);
const seed = Number(values.seed);

/** Public list prices, us-east-1 (pages cited in the report). */
const PRICE = {
  httpApiPerMillionRequests: 1.0,
  lambdaPerMillionRequests: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  kinesisPerGbIn: 0.08,
  kinesisPerGbOut: 0.04,
  kinesisPerStreamHour: 0.04,
  ddbPerMillionWrite: 0.625,
  ddbPerMillionRead: 0.125,
  s3PerThousandPuts: 0.005,
  xrayPerMillionTraces: 5.0,
};
/** Memory of each function (lib/constructs), for GB-s. */
const MEM_GB: Record<string, number> = { 'collect-events': 0.5, 'clean-events': 0.5, 'tag-profiles': 1.0, 'score-profiles': 1.0, 'archive-interactions': 0.5 };
/** Batch sizes of the event-source mappings (lib/constructs): invocations per record at full batches. */
const BATCH: Record<string, number> = { 'clean-events': 100, 'tag-profiles': 1000, 'archive-interactions': 2000, 'score-profiles': 2000 };

interface StreamUse {
  records: number;
  bytes: number;
  billedKb: number;
}

/** Every record of every shard of a stream, from the start: counts, bytes, KB billed (1 KB rounding). */
async function streamUse(kinesis: KinesisClient, stream: string): Promise<StreamUse> {
  const use: StreamUse = { records: 0, bytes: 0, billedKb: 0 };
  if (!stream) return use;
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  for (const shard of shards) {
    let it = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (it) {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
      for (const r of out.Records ?? []) {
        const size = (r.Data?.length ?? 0) + Buffer.byteLength(r.PartitionKey ?? '');
        use.records += 1;
        use.bytes += size;
        use.billedKb += Math.ceil(size / 1024);
      }
      if ((out.Records ?? []).length === 0 && (out.MillisBehindLatest ?? 0) === 0) break;
      it = out.NextShardIterator;
    }
  }
  return use;
}

async function countObjects(s3: S3Client, bucket: string, prefix: string, filter: (k: string) => boolean = () => true): Promise<number> {
  let n = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    n += (page.Contents ?? []).filter((o) => filter(o.Key!)).length;
    token = page.NextContinuationToken;
  } while (token);
  return n;
}

interface Run {
  name: string;
  data: string;
  send: SendReport;
  extra?: string;
  wallSeconds: number;
  drainSeconds: number;
  /** First event sent → every event through Clean and Tag (counted in the profiles), seconds. */
  profiledSeconds: number;
  /** CPU seconds of the whole process (all threads) from the first event sent to drained. */
  cpuSeconds: number;
  /** Of it, the main thread's: the emulators, the HTTP API, the stream pollers and the senders. */
  mainCpuSeconds: number;
  /** The main thread's event-loop delay over the same time (perf_hooks, 10 ms resolution). */
  mainLoopDelayMs: { p50: number; p99: number; max: number };
  writeUnits: number;
  readUnits: number;
  ddbRequests: Record<string, number>;
  streams: Record<'raw' | 'clean' | 'changes', StreamUse>;
  fnStats: Record<string, { invocations: number; totalMs: number; cpuMs: number }>;
  msPerRequest: number;
  requestsPerEvent: number;
  profiles: number;
  counted: number;
  failedAfterAccept: number;
  toDestination: number;
  archivePuts: number;
  heavyItems: { over1kb: number; largest: number };
  cost: Record<string, number>;
  total: number;
  /** The Lambda GB-s part of `total` (from wall times). */
  gbSeconds: number;
}

async function measure(name: string, data: string, send: (apiUrl: string, writeKey: string) => Promise<{ send: SendReport; extra?: string; requests?: number }>): Promise<Run> {
  // Emulators on fixed free ports; a metering proxy in front of DynamoDB for the functions (its consumed capacity). Kinesis is read back from the streams after the run, so it needs none.
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-bench-'));
  const probe = await startEmulators({ dataDir: join(dataDir, 'probe') });
  const ports = { dynamodb: Number(new URL(probe.dynamodb).port), kinesis: Number(new URL(probe.kinesis).port), s3: Number(new URL(probe.s3).port) };
  await probe.stop();
  const ddb = await startFaultProxy(`http://127.0.0.1:${ports.dynamodb}`);
  // A start can time out when other work loads the machine (an emulator not up in its 20 s): tried 3 times.
  let platform: Awaited<ReturnType<typeof startPlatform>> | undefined;
  for (let attempt = 1; !platform; attempt++) {
    try {
      platform = await startPlatform({ dataDir: join(dataDir, `data-${attempt}`), ports, functionEnv: { AWS_ENDPOINT_URL_DYNAMODB: ddb.url }, containers: { 'collect-events': apiContainers, 'authorize-write-key': apiContainers } });
    } catch (err) {
      if (attempt >= 3) throw err;
      console.log(`platform start failed (${(err as Error).message.split('\n')[0]}); trying again`);
    }
  }
  const { writeKey } = await platform.createSource('bench');
  if (values.scores && useRetail) {
    const registry = new S3ModelRegistry(platform.clients.s3, platform.resource('score-profiles', 'MODELS_BUCKET'));
    for (const model of ['churn', 'clv'] as const) await publishScoreModel(registry, await trainScoreArtifact(model, values.file!), { at: new Date() });
  }
  console.log(`${name}: sending to ${platform.apiUrl}…`);
  const started = Date.now();
  // The whole process's CPU (every thread: emulators, API, pollers, function workers, senders).
  const cpuAtStart = process.cpuUsage();
  const mainAtStart = threadCpuMs();
  // How long a callback waits on the main thread, whose one event loop every request crosses several times.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const sent = await send(platform.apiUrl, writeKey);
  const sentAt = Date.now();
  // In the profiles: Clean and Tag have delivered everything. Then the rest of the pipeline
  // (archive, attribution, and Score behind its 30 s batching window) drains.
  await platform.waitForIdle(60 * 60_000, ['clean-events', 'tag-profiles']);
  const profiledSeconds = (Date.now() - started) / 1000;
  await platform.waitForIdle(60 * 60_000);
  const wallSeconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const mainCpuSeconds = (threadCpuMs() - mainAtStart) / 1000;
  loopDelay.disable();
  const mainLoopDelayMs = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
  const drainSeconds = (Date.now() - sentAt) / 1000;
  const meter = structuredClone(ddb.meter);
  const fnStats = Object.fromEntries([...platform.functions].map(([k, f]) => [k, { invocations: f.stats.invocations, totalMs: f.stats.totalMs, cpuMs: f.stats.cpuMs }]));

  const table = platform.resource('tag-profiles', 'PROFILES_TABLE_NAME');
  const all = await scanProfiles(platform.services, table);
  const profiles = all.filter((p) => !p.mergedInto);
  const counted = profiles.reduce((s, p) => s + p.aggregates.events, 0);
  // Item size as DynamoDB bills it is close to its JSON without the quoting; JSON length is an upper bound.
  const sizes = all.map((p) => Buffer.byteLength(JSON.stringify(p)));
  const bucket = platform.resource('clean-events', 'FAILED_EVENTS_BUCKET');
  // Refusals after acceptance (clean and tag stages); collect-stage refusals were never accepted.
  const failedAfterAccept = await countObjects(platform.clients.s3, bucket, 'failed/', (k) => /\/(clean|tag)-[^/]*$/.test(k));
  const toDestination = await countObjects(platform.clients.s3, bucket, 'aws/lambda/');
  const archivePuts = await countObjects(platform.clients.s3, platform.resource('archive-interactions', 'INTERACTIONS_BUCKET'), '');
  const streams = {
    raw: await streamUse(platform.clients.kinesis, platform.resource('collect-events', 'RAW_STREAM_NAME')),
    clean: await streamUse(platform.clients.kinesis, platform.resource('clean-events', 'CLEAN_STREAM_NAME')),
    changes: await streamUse(platform.clients.kinesis, platform.resource('tag-profiles', 'CHANGES_STREAM_NAME')),
  };

  // Collect time per request of the cost workload's shape: the clickstream's own requests;
  // for Online Retail (batches of 100), 5,000 extra events sent 10 per request.
  let msPerRequest: number;
  const collect = () => platform.functions.get('collect-events')!.stats;
  if (sent.requests !== undefined) msPerRequest = fnStats['collect-events'].totalMs / fnStats['collect-events'].invocations;
  else {
    const before = { ...collect() };
    const small = Array.from({ length: 5000 }, (_, i) => ({ type: 'track' as const, messageId: `cost-${i}`, userId: `cost-user-${i % 500}`, event: 'Product Viewed', timestamp: new Date(Date.UTC(2011, 11, 1, 0, 0, i)).toISOString(), properties: { product_id: `p${i % 97}` } }));
    await sendEvents(small, { apiUrl: platform.apiUrl, writeKey, batchSize: 10 });
    await platform.waitForIdle(10 * 60_000);
    msPerRequest = (collect().totalMs - before.totalMs) / (collect().invocations - before.invocations);
  }
  await platform.stop();
  await ddb.stop();
  rmSync(dataDir, { recursive: true, force: true });

  const events = sent.send.accepted;
  // The clickstream's requests as generated (sessions end in part-filled ones); Online Retail at 10 per request.
  const requestsPerEvent = sent.requests !== undefined ? sent.requests / events : 0.1;
  const perMillion = 1_000_000;
  const requests = perMillion * requestsPerEvent;
  const seconds = perMillion / 10_000; // at 1,000 requests/s × 10 events
  const ms = (fn: string) => (fnStats[fn]?.totalMs ?? 0) / events;
  const lambda = (fn: string, invocationsPerMillion: number) => (invocationsPerMillion / 1e6) * PRICE.lambdaPerMillionRequests + perMillion * (ms(fn) / 1000) * MEM_GB[fn] * PRICE.lambdaArmPerGbSecond;
  const per = (n: number) => n / events;
  const gb = (kb: number) => (perMillion * per(kb)) / 2 ** 20;
  const cost: Record<string, number> = {
    'API Gateway HTTP API requests': (requests / 1e6) * PRICE.httpApiPerMillionRequests,
    'Lambda collect (requests + GB-s)': (requests / 1e6) * PRICE.lambdaPerMillionRequests + requests * (msPerRequest / 1000) * MEM_GB['collect-events'] * PRICE.lambdaArmPerGbSecond,
    'Lambda clean (full batches of 100 records + GB-s)': lambda('clean-events', (perMillion * per(streams.raw.records)) / BATCH['clean-events']),
    'Lambda tag (full batches of 1,000 records + GB-s)': lambda('tag-profiles', (perMillion * per(streams.clean.records)) / BATCH['tag-profiles']),
    'Lambda archive (full batches of 2,000 records + GB-s)': lambda('archive-interactions', (perMillion * per(streams.clean.records)) / BATCH['archive-interactions']),
    'Lambda score (its batches + GB-s)': lambda('score-profiles', perMillion * per(fnStats['score-profiles']?.invocations ?? 0)),
    'Kinesis data in (3 streams, each record rounded up to 1 KB)': gb(streams.raw.billedKb + streams.clean.billedKb + streams.changes.billedKb) * PRICE.kinesisPerGbIn,
    'Kinesis data out (raw ×1, clean ×2 consumers, changes ×1)': gb(streams.raw.billedKb + 2 * streams.clean.billedKb + streams.changes.billedKb) * PRICE.kinesisPerGbOut,
    'Kinesis stream-hours (3 streams for the duration)': 3 * (seconds / 3600) * PRICE.kinesisPerStreamHour,
    'DynamoDB on-demand writes': (perMillion * per(meter.writeUnits) / 1e6) * PRICE.ddbPerMillionWrite,
    'DynamoDB on-demand reads': (perMillion * per(meter.readUnits) / 1e6) * PRICE.ddbPerMillionRead,
    // The archive puts an object per invocation: counted at its full batches, as its Lambda is.
    'S3 puts (failed events, destination, interactions archive at full batches)': ((perMillion * per(failedAfterAccept + toDestination) + (perMillion * per(streams.clean.records) / BATCH['archive-interactions']) * (archivePuts / Math.max(1, fnStats['archive-interactions']?.invocations ?? 1))) / 1000) * PRICE.s3PerThousandPuts,
    'X-Ray traces (1/s + 5 % of requests sampled)': ((seconds * 1 + requests * 0.05) / 1e6) * PRICE.xrayPerMillionTraces,
  };
  const total = Object.values(cost).reduce((a, b) => a + b, 0);
  // Lambda's GB-s come from handler wall times, which the machine's load inflates; the rest are counted units.
  const gbSeconds = Object.keys(MEM_GB).reduce((sum, fn) => sum + perMillion * (ms(fn) / 1000) * MEM_GB[fn] * PRICE.lambdaArmPerGbSecond, 0) - perMillion * (ms('collect-events') / 1000) * MEM_GB['collect-events'] * PRICE.lambdaArmPerGbSecond + requests * (msPerRequest / 1000) * MEM_GB['collect-events'] * PRICE.lambdaArmPerGbSecond;
  return {
    name,
    data,
    send: sent.send,
    extra: sent.extra,
    wallSeconds,
    drainSeconds,
    profiledSeconds,
    cpuSeconds,
    mainCpuSeconds,
    mainLoopDelayMs,
    writeUnits: meter.writeUnits,
    readUnits: meter.readUnits,
    ddbRequests: meter.requests,
    streams,
    fnStats,
    msPerRequest,
    requestsPerEvent,
    profiles: profiles.length,
    counted,
    failedAfterAccept,
    toDestination,
    archivePuts,
    heavyItems: { over1kb: sizes.filter((s) => s > 1024).length, largest: Math.max(0, ...sizes) },
    cost,
    total,
    gbSeconds,
  };
}

const runs: Run[] = [];
// Read before any clock starts: the whole Online Retail file is parsed for its product list.
const clickstreamCatalog = useRetail && workloads.includes('clickstream') ? (await readCatalogFile(values.file!)).catalog.items : undefined;
if (workloads.includes('clickstream')) {
  runs.push(
    await measure('clickstream', `datasets/clickstream.ts, ${users.toLocaleString('en-GB')} users × ${days} days, seed ${seed}, products from ${useRetail ? 'the Online Retail catalog' : 'the demo catalog'}; 16 concurrent senders posting each request as a browser SDK does`, async (apiUrl, writeKey) => {
      const r = await replayClickstream({ apiUrl, writeKey, users, days, seed, catalog: clickstreamCatalog, clients: 16 });
      const k = r.summary.byKind;
      return { send: r.send, requests: r.summary.requests, extra: `${r.summary.sessions.toLocaleString('en-GB')} sessions, ${r.summary.requests.toLocaleString('en-GB')} requests (${fmt(r.summary.events / r.summary.requests, 2)} events each); page ${k.page}, Product Viewed ${k['Product Viewed']}, Product Added ${k['Product Added']}, Order Completed ${k['Order Completed']}, identify ${k.identify}` };
    }),
  );
}
if (workloads.includes('retail')) {
  runs.push(
    await measure('Online Retail', useRetail ? `UCI Online Retail${limit ? `, first ${limit} lines` : ', all 541,909 lines'}; @segment/analytics-node, batches of 100 events` : 'synthetic demo shop (no dataset found)', async (apiUrl, writeKey) => {
      if (!useRetail) return { send: (await replayDemo({ apiUrl, writeKey, end: new Date('2026-11-22T00:00:00Z') })).send };
      const r = await replayOnlineRetail(values.file!, { apiUrl, writeKey, limit, progress: false });
      return { send: r.send!, extra: `cleaning report:\n\n\`\`\`\n${formatReconciliation(r.reconciliation)}\n\`\`\`` };
    }),
  );
}

// ---- report ----
const TARGET = { wu: 0.25, cost: 0.5, eps: 2000 };
const row = (label: string, f: (r: Run) => string) => `| ${label} | ${runs.map(f).join(' | ')} |`;
/** Into the profiles: what the ingestion target is about. */
const eps = (r: Run) => r.send.accepted / r.profiledSeconds;
/** Until every consumer has drained, Score's 30 s batching window included. */
const epsDrained = (r: Run) => r.send.accepted / r.wallSeconds;
const wu = (r: Run) => r.writeUnits / r.send.accepted;
const met = (ok: boolean) => (ok ? 'met' : '**NOT met**');
const click = runs.find((r) => r.name === 'clickstream');
const fnList = (r: Run) => Object.entries(r.fnStats).filter(([, s]) => s.invocations).map(([k, s]) => `${k} ${s.invocations.toLocaleString('en-GB')} (${fmt(s.totalMs / 1000, 1)} s, CPU ${fmt(s.cpuMs / 1000, 1)} s)`).join('; ');
const command = `npx tsx bench/pipeline-replay.ts --file ${values.file}${limit ? ` --limit ${limit}` : ''} --users ${users} --days ${days} --seed ${seed}${values.workloads !== 'clickstream,retail' ? ` --workloads ${values.workloads}` : ''}${values.scores ? ' --scores' : ''}${apiContainers !== 1 ? ` --containers ${apiContainers}` : ''}`;
const summary = `## Ingest to profile through the local platform: clickstream and Online Retail${values.scores ? ', with scores kept fresh' : ''}${values.label ? ` (${values.label})` : ''}

Command: \`${command}\`
Machine: ${machine()}; one-minute load average at the start and end of the run ${loadAtStart.toFixed(1)} / ${loadavg()[0].toFixed(1)} (anything else running on the machine shows here, and makes times upper bounds).
Each workload on a fresh local platform (all emulators, functions and pollers on this one machine).
${runs.map((r) => `- ${r.name}: ${r.data}${r.extra && !r.extra.startsWith('cleaning') ? `; ${r.extra}` : ''}`).join('\n')}
${click ? `\nTargets (issue 15, on the clickstream): write units per event < ${TARGET.wu}: ${met(wu(click) < TARGET.wu)} (${fmt(wu(click), 3)}); cost < $${TARGET.cost} per million events: ${met(click.total < TARGET.cost)} ($${fmt(click.total, 3)}); ≥ ${TARGET.eps.toLocaleString('en-GB')} events/s end to end: ${met(eps(click) >= TARGET.eps)} (${fmt(eps(click), 0)}); reconciliation exact: ${met(click.counted + click.failedAfterAccept === click.send.accepted)}.\n` : ''}
| figure | ${runs.map((r) => r.name).join(' | ')} |
|---|${runs.map(() => '---|').join('')}
${row('events sent / accepted by the API', (r) => `${r.send.sent.toLocaleString('en-GB')} / ${r.send.accepted.toLocaleString('en-GB')}`)}
${row('not delivered (SDK gave up) / HTTP errors (retried)', (r) => `${r.send.failed} / ${r.send.httpErrors}`)}
${row('first event sent → all counted in the profiles (Clean and Tag drained)', (r) => `${fmt(r.profiledSeconds, 1)} s`)}
${row('**end-to-end events/s** (into the profiles)', (r) => `**${fmt(eps(r), 0)}**`)}
${row('first event sent → every consumer drained (archive, attribution, Score behind its 30 s window) / events/s', (r) => `${fmt(r.wallSeconds, 1)} s (after the last send ${fmt(r.drainSeconds, 1)} s) / ${fmt(epsDrained(r), 0)}`)}
${row('CPU of the whole process (all threads) per event / cores busy on average', (r) => `${fmt((1000 * r.cpuSeconds) / r.send.accepted, 2)} ms / ${fmt(r.cpuSeconds / r.wallSeconds, 2)} of ${availableParallelism()}`)}
${row('CPU per event: main thread (emulators, HTTP API, pollers, senders) / handlers in their workers / the rest (workers outside handler calls, GC and libuv threads)', (r) => {
  const handlers = Object.values(r.fnStats).reduce((sum, f) => sum + f.cpuMs, 0) / 1000;
  const per = (seconds: number) => fmt((1000 * seconds) / r.send.accepted, 2);
  return `${per(r.mainCpuSeconds)} / ${per(handlers)} / ${per(r.cpuSeconds - r.mainCpuSeconds - handlers)} ms`;
})}
${row('main thread event-loop delay p50 / p99 / max', (r) => `${fmt(r.mainLoopDelayMs.p50, 0)} / ${fmt(r.mainLoopDelayMs.p99, 0)} / ${fmt(r.mainLoopDelayMs.max, 0)} ms`)}
${row('counted in profiles', (r) => `${r.counted.toLocaleString('en-GB')} in ${r.profiles.toLocaleString('en-GB')} profiles`)}
${row('kept after acceptance (clean/tag refusals) / batches to the on-failure destination', (r) => `${r.failedAfterAccept} / ${r.toDestination}`)}
${row('reconciliation: accepted = counted + kept', (r) => (r.counted + r.failedAfterAccept === r.send.accepted ? 'holds' : `**does not hold** (${r.send.accepted} ≠ ${r.counted} + ${r.failedAfterAccept})`))}
${row('**DynamoDB write units per event**', (r) => `**${fmt(wu(r), 3)}** (${fmt(r.writeUnits, 0)} WCU)`)}
${row('DynamoDB read units per event', (r) => `${fmt(r.readUnits / r.send.accepted, 3)} (${fmt(r.readUnits, 0)} RCU)`)}
${row('DynamoDB requests', (r) => Object.entries(r.ddbRequests).map(([k, v]) => `${k} ${v.toLocaleString('en-GB')}`).join(', '))}
${row('profile items over 1 KB of JSON / largest', (r) => `${r.heavyItems.over1kb.toLocaleString('en-GB')} / ${r.heavyItems.largest.toLocaleString('en-GB')} B`)}
${row('Kinesis records per event: raw / clean / changes', (r) => `${fmt(r.streams.raw.records / r.send.accepted, 3)} / ${fmt(r.streams.clean.records / r.send.accepted, 3)} / ${fmt(r.streams.changes.records / r.send.accepted, 3)}`)}
${row('Kinesis KB billed per event (1 KB rounding), all streams', (r) => fmt((r.streams.raw.billedKb + r.streams.clean.billedKb + r.streams.changes.billedKb) / r.send.accepted, 3))}
${row('API requests per event / collect ms per request', (r) => `${fmt(r.requestsPerEvent, 3)} / ${fmt(r.msPerRequest, 1)}`)}
${row('Lambda invocations (handler wall time, CPU of it)', fnList)}

## Cost per million events

From the units measured above and public on-demand list prices, us-east-1: API Gateway HTTP API
$1.00/M requests; Lambda arm64 $0.20/M requests and $0.0000133334/GB-s; Kinesis on-demand $0.08/GB
in, $0.04/GB out, $0.04/stream-hour, records rounded up to 1 KB; DynamoDB on-demand $0.625/M write
units, $0.125/M read units; S3 $0.005/1,000 PUTs; X-Ray $5/M traces
(https://aws.amazon.com/api-gateway/pricing/, /lambda/pricing/, /kinesis/data-streams/pricing/,
/dynamodb/pricing/on-demand/, /s3/pricing/, /xray/pricing/). Requests per event: the clickstream's
as generated (its sessions end in part-filled requests), Online Retail's at 10 events per request.
Consumer invocations at full batches (1,000 requests/s fills them); handler times are wall times on
this 2-core machine with the emulators on it, an upper bound for Lambda's billed duration.
Stream-hours and X-Ray's 1 trace/s at 1,000 requests/s × 10 events (100 s per million).

| item | ${runs.map((r) => r.name).join(' | ')} |
|---|${runs.map(() => '---|').join('')}
${Object.keys(runs[0].cost).map((k) => row(k, (r) => r.cost[k].toFixed(4))).join('\n')}
${row('**total**', (r) => `**${r.total.toFixed(3)}**`)}
${row('of which Lambda GB-s (from handler wall times on this machine)', (r) => r.gbSeconds.toFixed(4))}
${row('total without Lambda GB-s (counted units only)', (r) => (r.total - r.gbSeconds).toFixed(3))}

${runs.filter((r) => r.extra?.startsWith('cleaning')).map((r) => `${r.name} ${r.extra}`).join('\n')}
`;
console.log(summary);
if (values.write) writeSection(`${workloads.length === 2 && useRetail && !limit && !values.label ? 'pipeline' : 'pipeline-partial'}${values.scores ? '-scores' : ''}${apiContainers !== 1 ? `-containers-${apiContainers}` : ''}`, summary);
process.exit(0);
