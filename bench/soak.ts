/**
 * Soak on loopback (issue 15, part 3): a bounded load held for a long while against the local
 * API, then exact reconciliation and the platform's memory over the whole run.
 *
 * - The load is bench/load-reconcile.ts's (imported, not copied): `--clients` concurrent
 *   clients POST batches of `--batch` `Order Completed` events for `--users` users to
 *   /v1/batch, and once the pipeline is idle every user's stored `aggregates.orders` must
 *   equal what was accepted for them; a watcher reports any stored version that goes backwards.
 * - Bounded: every request first takes a token from one bucket refilled at `--rate` requests/s
 *   (all clients together), so the offered load stays where the pipeline can keep up and a
 *   long run measures steady state, not a backlog. Latency is measured around each request
 *   (fetch wrapped for the run; the wait for a token is not counted).
 * - Memory: the platform runs in this process (emulators, function workers, pollers:
 *   local/platform.ts startPlatform), so process RSS and heap are the platform's; sampled every
 *   `--sample-s` seconds from start to drained. "Levels off" is judged on the RSS slope: the
 *   second half of the load must grow less than a quarter as fast as the first half, or by
 *   less than 1 MiB a minute.
 *
 *   npx tsx bench/soak.ts [--clients 50] [--minutes 10] [--rate 20] [--batch 10] [--users 100] [--sample-s 5] [--write]
 *
 * Exit code 1 when reconciliation fails (lost, double-counted, regressed, request errors) or
 * memory does not level off. `--write` replaces bench/results/soak.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPlatform } from '../local/platform.ts';
import { failedEvents } from '../tests/helpers/platform.ts';
import { loadAndReconcile, traceDynalite } from './load-reconcile.ts';
import { fmt, machine, writeSectionTo } from './lib/report.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '20' },
    batch: { type: 'string', default: '10' },
    users: { type: 'string', default: '100' },
    'sample-s': { type: 'string', default: '5' },
    write: { type: 'boolean', default: false },
  },
});
const o = { clients: Number(values.clients), minutes: Number(values.minutes), rate: Number(values.rate), batch: Number(values.batch), users: Number(values.users), sampleS: Number(values['sample-s']) };
for (const [k, v] of Object.entries(o)) if (!(v > 0)) throw new Error(`--${k} must be a positive number`);

const log = (l: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${l}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 2 ** 20;

const dataDir = mkdtempSync(join(tmpdir(), 'sightline-soak-'));
const t0 = Date.now();
const memory: { s: number; phase: 'idle' | 'load' | 'drain'; rss: number; heap: number; workers: number; external: number; load: number }[] = [];
let phase: 'idle' | 'load' | 'drain' = 'idle';
/** RSS, the main isolate's heap, the function workers' heaps together (each its own isolate, inside the same RSS), and memory outside every JS heap. */
const sample = async () => {
  const m = process.memoryUsage();
  const workers = (await Promise.all([...platform.functions.values()].map((f) => f.heapUsed().catch(() => 0)))).reduce((a, b) => a + b, 0);
  memory.push({ s: (Date.now() - t0) / 1000, phase, rss: m.rss / MiB, heap: m.heapUsed / MiB, workers: workers / MiB, external: m.external / MiB, load: loadavg()[0] });
};
// Diagnostics only: TRACE_DYNALITE=1 reports a PROFILE put dynalite accepted over a newer item (bench/load-reconcile.ts).
if (process.env.TRACE_DYNALITE) traceDynalite();
const platform = await startPlatform({ dataDir });
const { writeKey } = await platform.createSource('soak');
log(`platform up at ${platform.apiUrl} (data ${dataDir})`);
await sleep(2000); // let start-up settle before the first sample
await sample();
const sampler = setInterval(() => void sample(), o.sampleS * 1000);

// The token bucket and the latency probe, around the load's own fetch calls.
const latencies: number[] = [];
const statuses = new Map<number, number>();
let tokens = 0;
let lastRefill = Date.now();
const takeToken = async () => {
  for (;;) {
    const now = Date.now();
    tokens = Math.min(o.rate, tokens + ((now - lastRefill) / 1000) * o.rate);
    lastRefill = now;
    if (tokens >= 1) {
      tokens -= 1;
      return;
    }
    await sleep(Math.ceil(((1 - tokens) / o.rate) * 1000));
  }
};
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
  if (!String(input).startsWith(`${platform.apiUrl}/v1/batch`)) return realFetch(input, init);
  await takeToken();
  const started = performance.now();
  const res = await realFetch(input, init);
  const body = await res.arrayBuffer(); // the answer read in full is the end of the request
  latencies.push(performance.now() - started);
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  return new Response(body, { status: res.status, headers: res.headers });
}) as typeof fetch;

phase = 'load';
const loadStarted = Date.now();
const r = await loadAndReconcile(platform, writeKey, {
  clients: o.clients,
  users: o.users,
  batch: o.batch,
  seconds: o.minutes * 60,
  pollMs: 5000,
  log: (l) => {
    if (l.startsWith('sent for')) phase = 'drain';
    log(l);
  },
});
globalThis.fetch = realFetch;
await sample();
clearInterval(sampler);
const loadSeconds = r.seconds;
const kept = (await failedEvents(platform)).filter((f) => f.stage !== 'collect').length;
const counted = r.accepted - r.missing + r.doubleCounted;
await platform.stop();
rmSync(dataDir, { recursive: true, force: true });

// Figures.
const sorted = [...latencies].sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const requests = latencies.length;
const errors = r.httpErrors + [...statuses].filter(([s]) => s !== 200).reduce((n, [, c]) => n + c, 0);
const loadSamples = memory.filter((m) => m.phase === 'load');
const slope = (pts: typeof memory) => {
  if (pts.length < 2) return NaN;
  const n = pts.length;
  const mx = pts.reduce((a, p) => a + p.s, 0) / n;
  const my = pts.reduce((a, p) => a + p.rss, 0) / n;
  const num = pts.reduce((a, p) => a + (p.s - mx) * (p.rss - my), 0);
  const den = pts.reduce((a, p) => a + (p.s - mx) ** 2, 0);
  return (num / den) * 60; // MiB per minute
};
const half = Math.floor(loadSamples.length / 2);
const [firstSlope, secondSlope] = [slope(loadSamples.slice(0, half)), slope(loadSamples.slice(half))];
const levelsOff = secondSlope < 1 || secondSlope < firstSlope / 4;
const reconciled = counted + kept === r.accepted && r.doubleCounted === 0 && r.regressions.length === 0 && r.httpErrors === 0;
const start = memory[0];
const end = memory[memory.length - 1];
const peak = memory.reduce((a, m) => (m.rss > a.rss ? m : a), start);

const command = `npx tsx bench/soak.ts --clients ${o.clients} --minutes ${o.minutes} --rate ${o.rate} --batch ${o.batch} --users ${o.users} --sample-s ${o.sampleS}${values.write ? ' --write' : ''}`;
const everyMinute = memory.filter((m, i) => i === 0 || i === memory.length - 1 || Math.floor(m.s / 60) !== Math.floor(memory[i - 1].s / 60));
const md = `# Soak on loopback

Command: \`${command}\`
Machine: ${machine()}. One-minute load average during the run ${fmt(Math.min(...memory.map((m) => m.load)), 1)}–${fmt(Math.max(...memory.map((m) => m.load)), 1)} (the platform's own workers are part of it; anything else running on the machine shows here and in the latencies).
Load: ${o.clients} concurrent clients, batches of ${o.batch} \`Order Completed\` events to \`POST /v1/batch\` (HTTP Basic write key), ${o.users} users, at most ${o.rate} requests/s in total (${o.rate * o.batch} events/s offered), for ${o.minutes} min; the whole platform (emulators, function workers, pollers) in the bench's process (startPlatform).

| figure | value |
|---|---|
| requests answered | ${requests.toLocaleString('en-GB')} in ${fmt(loadSeconds, 1)} s = **${fmt(requests / loadSeconds, 1)} requests/s** (${fmt(r.accepted / loadSeconds, 0)} events/s accepted) |
| latency per request, p50 / p99 / max | **${fmt(pct(50), 1)} ms / ${fmt(pct(99), 1)} ms** / ${fmt(sorted[sorted.length - 1] ?? NaN, 1)} ms |
| answers by status | ${[...statuses].map(([s, c]) => `${s}: ${c.toLocaleString('en-GB')}`).join(', ')} |
| errors (request failures + non-200 answers) | **${errors}** |
| drain after the last request | ${fmt(r.drainSeconds, 1)} s |
| events accepted | ${r.accepted.toLocaleString('en-GB')} |
| counted in profiles (aggregates.orders) | ${counted.toLocaleString('en-GB')} |
| kept in the failed-events store with a reason (after Collect) | ${kept} |
| lost (accepted − counted − kept), double-counted, version regressions | ${Math.max(0, r.missing - kept)}, ${r.doubleCounted}, ${r.regressions.length} |
| **reconciliation: accepted = counted + kept** | **${reconciled ? 'holds' : 'DOES NOT HOLD'}** |
| platform RSS at start / peak / end (drained) | **${fmt(start.rss, 0)} MiB / ${fmt(peak.rss, 0)} MiB (at ${fmt(peak.s, 0)} s) / ${fmt(end.rss, 0)} MiB** |
| JS heap at start / end | ${fmt(start.heap, 0)} MiB / ${fmt(end.heap, 0)} MiB |
| function workers' JS heaps (${platform.functions.size} isolates) at start / end | ${fmt(start.workers, 0)} MiB / ${fmt(end.workers, 0)} MiB |
| memory outside the JS heaps (external) at start / end | ${fmt(start.external, 0)} MiB / ${fmt(end.external, 0)} MiB |
| RSS slope during load, first half / second half | ${fmt(firstSlope, 2)} / ${fmt(secondSlope, 2)} MiB per minute |
| **memory levels off** (second half < ¼ of first half's slope, or < 1 MiB/min) | **${levelsOff ? 'yes' : 'NO'}** |

Memory, one sample a minute (all ${memory.length} samples, every ${o.sampleS} s, went into the slopes):

| t (s) | phase | RSS (MiB) | main heap (MiB) | function workers' heaps (MiB) | external (MiB) |
|---|---|---|---|---|---|
${everyMinute.map((m) => `| ${fmt(m.s, 0)} | ${m.phase} | ${fmt(m.rss, 0)} | ${fmt(m.heap, 0)} | ${fmt(m.workers, 0)} | ${fmt(m.external, 0)} |`).join('\n')}
`;
console.log(md);
if (values.write) writeSectionTo(join(import.meta.dirname, 'results', 'soak.md'), '', 'soak', md);
process.exit(reconciled && levelsOff ? 0 : 1);
