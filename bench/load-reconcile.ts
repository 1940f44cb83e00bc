/**
 * Load and reconcile: concurrent clients POST batches of `Order Completed` events (revenue 1,
 * unique messageIds) for a fixed set of users to /v1/batch for a while; then, once the
 * pipeline is idle, every user's stored `aggregates.orders` must equal what was accepted for
 * that user (nothing lost, nothing counted twice). While the load runs, every profile is read
 * straight from the DynamoDB emulator every few seconds and any stored `version` that goes
 * backwards is reported.
 *
 * Starts its own local platform (temporary data directory, free loopback ports), as the
 * integration tests do.
 *
 *   npx tsx bench/load-reconcile.ts [--clients 20] [--users 100] [--batch 10] [--seconds 60] [--poll-ms 2000]
 *
 * Exit code 1 when anything was lost, double-counted, or a version went backwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { BatchGetCommand, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { startPlatform, type Platform } from '../local/platform.ts';
import { failedEvents } from '../tests/helpers/platform.ts';
import { machine, RESULTS } from './lib/report.ts';
import { readFileSync, writeFileSync } from 'node:fs';

export interface LoadOptions {
  clients: number;
  users: number;
  batch: number;
  seconds: number;
  pollMs: number;
  /** Stop after this many accepted events in total (bounded runs for tests). */
  maxEvents?: number;
  log?: (line: string) => void;
}

export interface LoadResult {
  accepted: number;
  rejected: number;
  httpErrors: number;
  seconds: number;
  drainSeconds: number;
  /** Users whose stored orders differ from what was accepted for them: sent - stored. */
  mismatches: { userId: string; sent: number; stored: number }[];
  missing: number;
  doubleCounted: number;
  regressions: { profileId: string; from: number; to: number; ordersFrom: number; ordersTo: number; at: number }[];
}

const basicAuth = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function loadAndReconcile(platform: Platform, writeKey: string, o: LoadOptions): Promise<LoadResult> {
  const log = o.log ?? (() => undefined);
  const table = platform.resource('tag-profiles', 'PROFILES_TABLE_NAME');
  const userIds = Array.from({ length: o.users }, (_, i) => `load-${i}`);
  const sent = new Map(userIds.map((u) => [u, 0]));
  let accepted = 0;
  let rejected = 0;
  let httpErrors = 0;
  const started = Date.now();
  const deadline = started + o.seconds * 1000;
  const done = () => Date.now() >= deadline || (o.maxEvents !== undefined && accepted >= o.maxEvents);

  // Watcher: every profile straight from the emulator; a version must never go backwards.
  const seen = new Map<string, { version: number; orders: number }>();
  const regressions: LoadResult['regressions'] = [];
  const readAll = async () => {
    const items: Record<string, any>[] = [];
    const all = userIds.map((u) => ({ pk: `P#u-${u}`, sk: 'PROFILE' }));
    // BatchGetItem takes at most 100 keys: one call per hundred users. Projected items are
    // small, but a call may still leave keys unprocessed.
    for (let i = 0; i < all.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = all.slice(i, i + 100);
      while (keys && keys.length > 0) {
        const out: BatchGetCommandOutput = await platform.clients.doc.send(
          new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'profileId, version, aggregates.orders' } } }),
        );
        items.push(...(out.Responses?.[table] ?? []));
        keys = out.UnprocessedKeys?.[table]?.Keys;
      }
    }
    for (const item of items) {
      const id = String(item.profileId);
      const now = { version: Number(item.version), orders: Number(item.aggregates?.orders ?? 0) };
      const before = seen.get(id);
      if (before && now.version < before.version) {
        regressions.push({ profileId: id, from: before.version, to: now.version, ordersFrom: before.orders, ordersTo: now.orders, at: Date.now() - started });
        log(`VERSION WENT BACKWARDS on ${id}: v${before.version} (${before.orders} orders) -> v${now.version} (${now.orders} orders) at ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
      seen.set(id, now);
    }
  };
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      await readAll().catch((e) => log(`watch read failed: ${(e as Error).message}`));
      await sleep(o.pollMs);
    }
  })();

  const client = async (c: number) => {
    let n = 0;
    while (!done()) {
      const events = Array.from({ length: o.batch }, () => {
        const userId = userIds[Math.floor(Math.random() * userIds.length)];
        return { type: 'track', userId, event: 'Order Completed', messageId: `m-${c}-${n++}-${randomUUID()}`, timestamp: new Date().toISOString(), properties: { revenue: 1, currency: 'GBP' } };
      });
      try {
        const res = await fetch(`${platform.apiUrl}/v1/batch`, {
          method: 'POST',
          headers: { authorization: basicAuth(writeKey), 'content-type': 'application/json' },
          body: JSON.stringify({ batch: events }),
        });
        await res.arrayBuffer();
        if (res.status === 200) {
          accepted += events.length;
          for (const e of events) sent.set(e.userId, sent.get(e.userId)! + 1);
        } else {
          rejected += events.length;
          log(`batch refused: ${res.status}`);
        }
      } catch (err) {
        httpErrors += 1;
        log(`request failed: ${(err as Error).message}`);
      }
    }
  };
  const progress = setInterval(() => log(`${((Date.now() - started) / 1000).toFixed(0)} s: ${accepted} accepted (${Math.round(accepted / ((Date.now() - started) / 1000))}/s)`), 10_000);
  await Promise.all(Array.from({ length: o.clients }, (_, c) => client(c)));
  clearInterval(progress);
  const seconds = (Date.now() - started) / 1000;
  log(`sent for ${seconds.toFixed(1)} s: ${accepted} accepted, ${rejected} refused, ${httpErrors} request errors; draining…`);
  const sentAt = Date.now();
  await platform.waitForIdle(30 * 60_000);
  const drainSeconds = (Date.now() - sentAt) / 1000;
  watching = false;
  await watcher;
  await readAll();

  const mismatches: LoadResult['mismatches'] = [];
  for (const u of userIds) {
    const stored = seen.get(`u-${u}`)?.orders ?? 0;
    if (stored !== sent.get(u)) mismatches.push({ userId: u, sent: sent.get(u)!, stored });
  }
  const missing = mismatches.reduce((s, m) => s + Math.max(0, m.sent - m.stored), 0);
  const doubleCounted = mismatches.reduce((s, m) => s + Math.max(0, m.stored - m.sent), 0);
  return { accepted, rejected, httpErrors, seconds, drainSeconds, mismatches, missing, doubleCounted, regressions };
}

/**
 * Diagnostics only (TRACE_DYNALITE=1): wraps dynalite's condition check, which PutItem calls
 * with the item it read under its per-key lock, and reports a PROFILE write whose stored
 * version is lower than the last one written for that key (a stale or lost item).
 */
export function traceDynalite() {
  const require = createRequire(import.meta.url);
  const ddb = require('dynalite/db');
  const original = ddb.checkConditional;
  const lastWritten = new Map<string, number>();
  ddb.checkConditional = (data: any, existing: any) => {
    const invalid = original(data, existing);
    const pk = data.Item?.pk?.S;
    if (pk && data.Item?.sk?.S === 'PROFILE') {
      const was = existing?.version?.N !== undefined ? Number(existing.version.N) : 0;
      const next = Number(data.Item.version.N);
      const last = lastWritten.get(pk) ?? 0;
      if (was < last) console.log(`TRACE stale existing item for ${pk}: lock read v${was}, last written v${last}; put v${next} ${invalid ? 'refused' : 'ACCEPTED'}`);
      if (!invalid) {
        if (next <= was) console.log(`TRACE ${pk}: put v${next} accepted over v${was}`);
        lastWritten.set(pk, next);
      }
    }
    return invalid;
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '20' },
      users: { type: 'string', default: '100' },
      batch: { type: 'string', default: '10' },
      seconds: { type: 'string', default: '60' },
      'poll-ms': { type: 'string', default: '2000' },
      'max-events': { type: 'string' },
      keep: { type: 'boolean', default: false },
      /** Seed the demo shop first, as `npm start` does on a fresh machine (scoring models current: the score consumer runs). */
      seed: { type: 'boolean', default: false },
      /** Add this run as a row of the load-reconcile section of bench/RESULTS.md. */
      write: { type: 'boolean', default: false },
    },
  });
  if (process.env.TRACE_DYNALITE) traceDynalite();
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-load-'));
  console.log(`data directory ${dataDir}`);
  const platform = await startPlatform({ dataDir });
  const { writeKey, sourceId } = await platform.createSource('load');
  if (values.seed) {
    const { seedDemo } = await import('../local/seed.ts');
    await seedDemo(platform, { apiUrl: platform.apiUrl, writeKey, sourceId, endpoints: { dynamodb: platform.emulators.dynamodb, kinesis: platform.emulators.kinesis, s3: platform.emulators.s3 }, resources: {} });
  }
  const log = (l: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${l}`);
  const r = await loadAndReconcile(platform, writeKey, {
    clients: Number(values.clients),
    users: Number(values.users),
    batch: Number(values.batch),
    seconds: Number(values.seconds),
    pollMs: Number(values['poll-ms']),
    maxEvents: values['max-events'] ? Number(values['max-events']) : undefined,
    log,
  });
  const fnStats = Object.fromEntries([...platform.functions].map(([k, f]) => [k, f.stats]));
  console.log(JSON.stringify({ ...r, rate: Math.round(r.accepted / r.seconds), pollerErrors: platform.pollerErrors.map((e) => e.message).slice(0, 10), pollers: platform.pollers.map((p) => ({ stream: p.streamArn.split('/').pop(), ...p.stats })), fnStats }, null, 1));
  const ok = r.missing === 0 && r.doubleCounted === 0 && r.regressions.length === 0 && r.httpErrors === 0;
  console.log(ok ? 'RECONCILED: every accepted event counted exactly once, no version regression' : `NOT RECONCILED: ${r.missing} missing, ${r.doubleCounted} double-counted, ${r.regressions.length} version regressions`);
  if (values.write) {
    // Accepted = counted + kept: events refused after acceptance are in the failed-events store with a reason.
    const kept = (await failedEvents(platform)).filter((f) => f.stage !== 'collect').length;
    const row = `| ${values.clients} clients × batches of ${values.batch}, ${values.users} users, ${values.seconds} s | ${r.accepted} | ${r.accepted - r.missing + r.doubleCounted} | ${kept} | ${r.missing - kept} | ${r.doubleCounted} | ${r.regressions.length} | ${Math.round(r.accepted / r.seconds)} | ${r.drainSeconds.toFixed(1)} s | ${machine()} |`;
    const begin = '<!-- section:load-reconcile -->';
    const end = '<!-- /section:load-reconcile -->';
    const header = `## Load and reconcile (issue 10, finding 1)\n\nCommand: \`npx tsx bench/load-reconcile.ts --clients C --users U --seconds S --write\` (a fresh local platform each run; a watcher reads every profile from dynalite every 2 s and counts any stored version that goes backwards).\n\n| run | accepted | counted | kept with a reason | lost (accepted − counted − kept) | double-counted | version regressions | accepted events/s | drain | machine |\n|---|---|---|---|---|---|---|---|---|---|`;
    let text = readFileSync(RESULTS, 'utf8');
    const i = text.indexOf(begin);
    const j = text.indexOf(end);
    const rows = i >= 0 && j > i ? text.slice(i + begin.length, j).split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| run')) : [];
    const block = `${begin}\n${header}\n${[...rows, row].join('\n')}\n${end}`;
    text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
    writeFileSync(RESULTS, text);
  }
  await platform.stop();
  if (!values.keep) rmSync(dataDir, { recursive: true, force: true });
  process.exit(ok ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
