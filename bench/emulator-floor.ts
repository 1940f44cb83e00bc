/**
 * The CPU floor under the ingestion throughput target, no Sightline code: what the calls a
 * clickstream event cannot do without cost on this machine, each made with the real SDK
 * client against the emulators as the local platform runs them (dynalite and kinesalite in
 * their own threads), and one HTTP request through a bare node:http server and fetch (the
 * least any HTTP API costs its client and server).
 *
 *   npx tsx bench/emulator-floor.ts [--calls 2000] [--concurrency 8] [--no-write]
 *
 * CPU is the whole process's (every thread: client, emulators, libuv), per call. Multiplied
 * by the calls per event the pipeline bench measured on the clickstream (section `pipeline`:
 * one API request and one raw PutRecords per request, a profile PutItem per Tag write), it is
 * a floor on CPU per event: Clean and Tag's own work, GetRecords, the clean stream's puts,
 * identity claims and the pollers come on top. Two cores give 2,000 events/s only if an event
 * costs at most 1 ms of CPU.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { startEmulators } from '../local/emulators.ts';
import { localClients } from '../local/platform.ts';
import { fmt, machine, writeSection } from './lib/report.ts';

const { values } = parseArgs({ options: { calls: { type: 'string', default: '2000' }, concurrency: { type: 'string', default: '8' }, write: { type: 'boolean', default: true } }, allowNegative: true });
const calls = Number(values.calls);
const concurrency = Number(values.concurrency);

/** CPU ms (all threads) and wall ms per call of `call`, `calls` times, `concurrency` at once; a first tenth unmeasured (warm-up). */
async function measure(call: (i: number) => Promise<unknown>): Promise<{ cpuMs: number; wallMs: number }> {
  const run = async (n: number, from: number) => {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < n) await call(from + next++);
    }));
  };
  await run(Math.ceil(calls / 10), 0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(calls, calls);
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000 / calls, wallMs: (performance.now() - t0) / calls };
}

const dir = mkdtempSync(join(tmpdir(), 'sightline-floor-'));
const emulators = await startEmulators({ dataDir: dir, threads: true });
const c = localClients(emulators);
await c.ddb.send(new CreateTableCommand({ TableName: 'profiles', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
await c.kinesis.send(new CreateStreamCommand({ StreamName: 'raw', ShardCount: 2 }));
while ((await c.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'raw' }))).StreamDescriptionSummary?.StreamStatus !== 'ACTIVE') await new Promise((r) => setTimeout(r, 50));

// Sizes as on the clickstream: a raw bundle of ~6 events gzipped is under 1 KB; a profile item about 1 KB.
const bundle = Buffer.alloc(900, 7);
const profile = JSON.stringify({ aggregates: { events: 12, orders: 1 }, tags: ['engaged'], remembered: 'x'.repeat(700) });
const putRecords = await measure((i) => c.kinesis.send(new PutRecordsCommand({ StreamName: 'raw', Records: [{ PartitionKey: `browser-${i}`, Data: bundle }] })));
const putItem = await measure((i) => c.ddb.send(new PutItemCommand({ TableName: 'profiles', Item: { pk: { S: `p${i % 5000}` }, doc: { S: profile }, version: { N: String(i) } } })));

// The least an HTTP API costs: a server that reads the body and answers 200, and fetch as the senders use it.
const body = JSON.stringify({ batch: Array.from({ length: 6 }, (_, i) => ({ type: 'track', event: 'Product Viewed', messageId: `m${i}`, anonymousId: 'a', properties: { product_id: 'p1' } })) });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"success":true}'));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/batch`;
const http = await measure(async () => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text());
await new Promise<void>((r) => server.close(() => r()));
await emulators.stop();
rmSync(dir, { recursive: true, force: true });

// Calls per event on the clickstream (bench/RESULTS.md section `pipeline`, 10,000 users × 7 days).
const PER_EVENT = { requests: 0.163, profilePuts: 0.187 };
const floor = PER_EVENT.requests * (http.cpuMs + putRecords.cpuMs) + PER_EVENT.profilePuts * putItem.cpuMs;
const budget = (1000 * availableParallelism()) / 2000;
const command = `npx tsx bench/emulator-floor.ts --calls ${calls} --concurrency ${concurrency}`;
const summary = `## The CPU floor under 2,000 events/s: the calls an event cannot do without

Command: \`${command}\`
Machine: ${machine()}
No Sightline code: the real SDK clients against dynalite and kinesalite in their own threads, as the local platform runs them, and fetch against a bare node:http server; ${calls.toLocaleString('en-GB')} calls each after a tenth as warm-up, ${concurrency} at once. CPU of the whole process (every thread) per call.

| call | CPU ms per call | wall ms per call (${concurrency} at once) | calls per clickstream event |
|---|---|---|---|
| HTTP POST of 6 events (fetch → node:http, answer 200) | ${fmt(http.cpuMs)} | ${fmt(http.wallMs)} | ${PER_EVENT.requests} (one per request) |
| Kinesis PutRecords, one ~0.9 KB record (kinesalite) | ${fmt(putRecords.cpuMs)} | ${fmt(putRecords.wallMs)} | ${PER_EVENT.requests} (one raw bundle per request) |
| DynamoDB PutItem, ~1 KB item (dynalite) | ${fmt(putItem.cpuMs)} | ${fmt(putItem.wallMs)} | ${PER_EVENT.profilePuts} (profile writes) |

Floor: **${fmt(floor)} ms of CPU per event** for these calls alone, against a budget of **${fmt(budget)} ms** per event for 2,000 events/s on ${availableParallelism()} cores (${fmt((100 * floor) / budget, 0)} % of it), before the collect handler's own work, Clean, Tag, GetRecords, the clean stream's puts, identity claims and the pollers.`;
console.log(summary);
if (values.write) writeSection('emulator-floor', summary);
