/**
 * The Online Retail replay through the local platform, end to end, metered:
 * wall time and events/s; DynamoDB write and read units per event (as the emulator reports
 * ConsumedCapacity, seen by a metering proxy in front of it); Kinesis bytes; Lambda
 * invocations and durations; then the cost per million events at 1,000 requests/s of 10
 * events each, from those measured units and public list prices. Also checks that every
 * accepted event is counted once in profiles or kept in the failed-events store.
 *
 * With --scores, churn and lifetime value are trained from the same file and made current
 * before the replay, so the Score consumer re-scores every profile Tag touches: its reads,
 * writes and time are in the figures (section "pipeline-scores").
 *
 *   npx tsx bench/pipeline-replay.ts [--file ../shared/datasets/online-retail.csv.gz] [--limit N] [--scores]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { startPlatform } from '../local/platform.ts';
import { startEmulators } from '../local/emulators.ts';
import { startFaultProxy } from '../local/fault-proxy.ts';
import { replayDemo, replayOnlineRetail, formatReconciliation } from '../cli/commands/replay.ts';
import { sendEvents } from '../cli/commands/send-events.ts';
import { retagAll, scanProfiles } from '../cli/commands/profiles.ts';
import { fmt, machine, writeSection } from './lib/report.ts';
import { trainScoreArtifact } from '../cli/commands/train-scores.ts';
import { S3ModelRegistry } from '../functions/adapters/s3-model-registry.ts';
import { publishScoreModel } from '../functions/domain/score/publish-score-model.ts';

const { values } = parseArgs({ options: { file: { type: 'string', default: '../shared/datasets/online-retail.csv.gz' }, limit: { type: 'string' }, write: { type: 'boolean', default: true }, scores: { type: 'boolean', default: false } }, allowNegative: true });
const limit = values.limit ? Number(values.limit) : undefined;
const useRetail = existsSync(values.file!);

// Emulators on fixed free ports, metering proxies in front of them for the functions.
const dataDir = mkdtempSync(join(tmpdir(), 'sightline-bench-'));
const probe = await startEmulators({ dataDir: join(dataDir, 'probe') });
const ports = { dynamodb: Number(new URL(probe.dynamodb).port), kinesis: Number(new URL(probe.kinesis).port), s3: Number(new URL(probe.s3).port) };
await probe.stop();
const ddb = await startFaultProxy(`http://127.0.0.1:${ports.dynamodb}`);
const kin = await startFaultProxy(`http://127.0.0.1:${ports.kinesis}`);
const platform = await startPlatform({
  dataDir: join(dataDir, 'data'),
  ports,
  functionEnv: { AWS_ENDPOINT_URL_DYNAMODB: ddb.url, AWS_ENDPOINT_URL_KINESIS: kin.url },
});
const { writeKey } = await platform.createSource('bench');
if (values.scores) {
  // Trained before the replay, from the whole file (the figures here are costs, not quality).
  const registry = new S3ModelRegistry(platform.clients.s3, platform.resource('score-profiles', 'MODELS_BUCKET'));
  for (const model of ['churn', 'clv'] as const) await publishScoreModel(registry, await trainScoreArtifact(model, values.file!), { at: new Date() });
  console.log('churn and clv are current: the Score consumer re-scores every profile Tag touches');
}

console.log(`Replaying ${useRetail ? values.file : 'the demo shop (no dataset found)'} through ${platform.apiUrl}…`);
const started = Date.now();
const replay = useRetail ? await replayOnlineRetail(values.file!, { apiUrl: platform.apiUrl, writeKey, limit, progress: process.stdout.isTTY }) : undefined;
const demo = useRetail ? undefined : await replayDemo({ apiUrl: platform.apiUrl, writeKey, end: new Date('2026-11-22T00:00:00Z') });
const send = (replay?.send ?? demo?.send)!;
const sentAt = Date.now();
await platform.waitForIdle(60 * 60_000);
const wallSeconds = (Date.now() - started) / 1000;
const drainSeconds = (Date.now() - sentAt) / 1000;
const replayMeter = structuredClone(ddb.meter);
const replayKinesis = structuredClone(kin.meter);
const fnStats = Object.fromEntries([...platform.functions].map(([k, f]) => [k, { ...f.stats }]));

// Reconciliation of the pipeline: accepted = counted in profiles + kept in failed-events.
const table = platform.resource('tag-profiles', 'PROFILES_TABLE_NAME');
const profiles = (await scanProfiles(platform.services, table)).filter((p) => !p.mergedInto);
const counted = profiles.reduce((s, p) => s + p.aggregates.events, 0);
const bucket = platform.resource('clean-events', 'FAILED_EVENTS_BUCKET');
const listAll = async (prefix: string) => {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await platform.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
};
// Refusals after acceptance (clean and tag stages); collect-stage refusals were never accepted.
const failedClean = (await listAll('failed/')).filter((k) => /\/(clean|tag)-[^/]*$/.test(k)).length;
const toDestination = (await listAll('aws/lambda/')).length;

// The cost workload's shape: requests of 10 events, to measure collect per request.
const collectBefore = { ...platform.functions.get('collect-events')!.stats };
const small = Array.from({ length: 5000 }, (_, i) => ({ type: 'track' as const, messageId: `cost-${i}`, userId: `cost-user-${i % 500}`, event: 'Product Viewed', timestamp: new Date(Date.UTC(2011, 11, 1, 0, 0, i)).toISOString(), properties: { product_id: `p${i % 97}` } }));
await sendEvents(small, { apiUrl: platform.apiUrl, writeKey, batchSize: 10 });
await platform.waitForIdle(10 * 60_000);
const collectAfter = platform.functions.get('collect-events')!.stats;
const msPerSmallRequest = (collectAfter.totalMs - collectBefore.totalMs) / (collectAfter.invocations - collectBefore.invocations);

await retagAll(platform.services, table, new Date('2011-12-10T00:00:00Z'));
await platform.stop();
await Promise.all([ddb.stop(), kin.stop()]);
rmSync(dataDir, { recursive: true, force: true });

// ---- figures ----
const accepted = send.accepted;
const events = accepted;
const wcuPerEvent = replayMeter.writeUnits / events;
const rcuPerEvent = replayMeter.readUnits / events;
const bytesPerRecord = replayKinesis.putBytes / replayKinesis.putRecords;
// Kinesis on-demand bills each record rounded up to 1 KB; three streams (raw, clean, profile changes).
const kbBilledPerEvent = (replayKinesis.putRecords / events) * Math.ceil(bytesPerRecord / 1024);
const msPerEvent = (fn: string) => fnStats[fn].totalMs / events;

// Public list prices, us-east-1 (see the results file for the pages).
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
const perMillion = 1_000_000;
const requests = perMillion / 10;
const seconds = requests / 1000; // at 1,000 requests/s
const memGb = { 'collect-events': 0.5, 'clean-events': 0.5, 'tag-profiles': 1.0, 'score-profiles': 1.0 };
const scoreBatches = fnStats['score-profiles']?.invocations ?? 0;
const cost = {
  'API Gateway HTTP API requests': (requests / 1e6) * PRICE.httpApiPerMillionRequests,
  'Lambda collect (requests + GB-s)': (requests / 1e6) * PRICE.lambdaPerMillionRequests + requests * (msPerSmallRequest / 1000) * memGb['collect-events'] * PRICE.lambdaArmPerGbSecond,
  'Lambda clean (batches of 100 + GB-s)': (perMillion / 100 / 1e6) * PRICE.lambdaPerMillionRequests + perMillion * (msPerEvent('clean-events') / 1000) * memGb['clean-events'] * PRICE.lambdaArmPerGbSecond,
  'Lambda tag (batches of 1,000 + GB-s)': (perMillion / 1000 / 1e6) * PRICE.lambdaPerMillionRequests + perMillion * (msPerEvent('tag-profiles') / 1000) * memGb['tag-profiles'] * PRICE.lambdaArmPerGbSecond,
  'Lambda score (its batches + GB-s)': (perMillion * (scoreBatches / events) / 1e6) * PRICE.lambdaPerMillionRequests + perMillion * (msPerEvent('score-profiles') / 1000) * memGb['score-profiles'] * PRICE.lambdaArmPerGbSecond,
  'Kinesis on-demand data in (3 streams, 1 KB rounding)': ((perMillion * kbBilledPerEvent) / 2 ** 20) * PRICE.kinesisPerGbIn,
  'Kinesis on-demand data out (one read per record put)': ((perMillion * kbBilledPerEvent) / 2 ** 20) * PRICE.kinesisPerGbOut,
  'Kinesis stream-hours (3 streams for the duration)': 3 * (seconds / 3600) * PRICE.kinesisPerStreamHour,
  'DynamoDB on-demand writes': perMillion * wcuPerEvent / 1e6 * PRICE.ddbPerMillionWrite,
  'DynamoDB on-demand reads': perMillion * rcuPerEvent / 1e6 * PRICE.ddbPerMillionRead,
  'S3 failed-events puts': perMillion * ((failedClean + toDestination) / events) / 1000 * PRICE.s3PerThousandPuts,
  'X-Ray traces (1/s + 5 % sampled)': ((seconds * 1 + requests * 0.05) / 1e6) * PRICE.xrayPerMillionTraces,
};
const total = Object.values(cost).reduce((a, b) => a + b, 0);

const reconciled = counted + failedClean === accepted;
const summary = `## Online Retail replay through the local platform${values.scores ? ', with scores kept fresh (churn and CLV current)' : ''}

Command: \`npx tsx bench/pipeline-replay.ts --file ${values.file}${limit ? ` --limit ${limit}` : ''}${values.scores ? ' --scores' : ''}\`
Machine: ${machine()}
Data: ${useRetail ? `UCI Online Retail${limit ? `, first ${limit} lines` : ', all 541,909 lines'}` : 'synthetic demo shop'}; sent with @segment/analytics-node in batches of 100 events; all emulators, functions and pollers on this one machine.

| figure | value |
|---|---|
| events sent / accepted by the API | ${send.sent.toLocaleString('en-GB')} / ${accepted.toLocaleString('en-GB')} |
| wall time, first event sent → pipeline drained | ${fmt(wallSeconds, 1)} s (sending ${fmt(send.seconds, 1)} s, draining after the last send ${fmt(drainSeconds, 1)} s) |
| end-to-end throughput | ${fmt(accepted / wallSeconds, 0)} events/s |
| events counted in profiles | ${counted.toLocaleString('en-GB')} in ${profiles.length.toLocaleString('en-GB')} profiles |
| kept in the failed-events store (clean/tag refusals) | ${failedClean.toLocaleString('en-GB')}; batches given up to the on-failure destination: ${toDestination} |
| reconciliation: accepted = counted + kept | ${reconciled ? 'holds' : `**does not hold** (${accepted} ≠ ${counted} + ${failedClean})`} |
| DynamoDB write units per event (profiles table) | **${fmt(wcuPerEvent, 3)}** (${fmt(replayMeter.writeUnits, 0)} WCU) |
| DynamoDB read units per event | ${fmt(rcuPerEvent, 3)} (${fmt(replayMeter.readUnits, 0)} RCU) |
| DynamoDB requests | ${Object.entries(replayMeter.requests).map(([k, v]) => `${k} ${v.toLocaleString('en-GB')}`).join(', ')} |
| Kinesis records put per event / bytes per record | ${fmt(replayKinesis.putRecords / events, 2)} / ${fmt(bytesPerRecord, 0)} |
| Lambda invocations (ms in handler, total) | ${Object.entries(fnStats).filter(([, s]) => s.invocations).map(([k, s]) => `${k} ${s.invocations.toLocaleString('en-GB')} (${fmt(s.totalMs / 1000, 1)} s)`).join('; ')} |

${replay ? `Cleaning report of the replay:\n\n\`\`\`\n${formatReconciliation(replay.reconciliation)}\n\`\`\`\n` : ''}
## Cost per million events at 1,000 requests/s × 10 events

From the units measured above (write/read units and Kinesis bytes per event of this replay; clean and
tag handler time per event of this replay; collect time per request measured on ${small.length.toLocaleString('en-GB')} extra events
sent 10 per request: ${fmt(msPerSmallRequest, 1)} ms) and public on-demand list prices, us-east-1:
API Gateway HTTP API $1.00/M requests; Lambda arm64 $0.20/M requests and $0.0000133334/GB-s;
Kinesis on-demand $0.08/GB in, $0.04/GB out, $0.04/stream-hour, records rounded up to 1 KB;
DynamoDB on-demand $0.625/M write units, $0.125/M read units; S3 $0.005/1,000 PUTs; X-Ray $5/M traces
(https://aws.amazon.com/api-gateway/pricing/, /lambda/pricing/, /kinesis/data-streams/pricing/,
/dynamodb/pricing/on-demand/, /s3/pricing/, /xray/pricing/). Handler times are wall times on this
2-core machine with the emulators on it, an upper bound for Lambda's billed duration.

| item | $ per million events |
|---|---|
${Object.entries(cost).map(([k, v]) => `| ${k} | ${v.toFixed(4)} |`).join('\n')}
| **total** | **${total.toFixed(3)}** (target < 0.50) |
`;
console.log(summary);
if (values.write) writeSection(`${useRetail && !limit ? 'pipeline' : 'pipeline-partial'}${values.scores ? '-scores' : ''}`, summary);
process.exit(0);
