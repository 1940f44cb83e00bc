/**
 * One campaign end to end on the local platform, metered, at several audience sizes: the
 * Campaign state machine exactly as CDK synthesizes it (aws-local-stepfunctions), its real
 * handlers in their workers, dynalite, and an email port (aws-ses-v2-local, or at the largest
 * sizes a counting SES v2 endpoint on loopback started here).
 *
 * Per size, on a fresh platform:
 * 1. Seed N generated profiles straight into the profiles table (BatchWriteItem, 25 a call,
 *    UnprocessedItems retried), each parsed with profileSchema first; by default each also
 *    gets the ID#email#<hash> identity item Tag writes for a person with an email, because
 *    the campaign's parallel scan reads (and pages over) every item of the table, not only
 *    profiles. Seeding is timed on its own and is not in the campaign's figures.
 * 2. Run tests/fixtures/campaigns/spring-sale.json (unique id, holdout 10 %, cap 1 a day and
 *    3 a week) through the state machine. The three campaign functions reach DynamoDB through
 *    the metering proxy (local/fault-proxy.ts); SEND_RATE_PER_SECOND of send-campaign-page is
 *    1,000,000 so SES pacing does not dominate (it would, by design, in AWS: see the results).
 * 3. Count mails per address at the email port: duplicates and mails to people without
 *    consent or outside the segment must be 0; totals must reconcile with the generator.
 * 4. Cost per million mails sent from the measured units and public prices.
 *
 *   npx tsx bench/campaigns.ts --sizes 10000,100000 [--write] [--counting-from 1000000]
 *     [--identity-items 1|0] [--budget-minutes 25]
 *
 * A size above 100,000 is skipped (and the results say why) when the previous size's seed +
 * campaign time, scaled linearly, projects it past --budget-minutes.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startPlatform } from '../local/platform.ts';
import { startEmulators } from '../local/emulators.ts';
import { startFaultProxy, type Meter } from '../local/fault-proxy.ts';
import { readModel, synthesizeTemplates } from '../local/cdk-model.ts';
import { profileSchema, type Profile } from '../schemas/profile.ts';
import { SEND_PAGE_SIZE } from '../functions/domain/campaigns/send-page.ts';
import { CAMPAIGN_SEGMENTS } from '../functions/domain/campaigns/run-campaign.ts';
import { fmt, machine } from './lib/report.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS_FILE = join(HERE, 'results', 'campaigns.md');
const FIXTURE = join(HERE, '..', 'tests', 'fixtures', 'campaigns', 'spring-sale.json');

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    write: { type: 'boolean', default: false },
    'counting-from': { type: 'string', default: '1000000' },
    'identity-items': { type: 'string', default: '1' },
    'budget-minutes': { type: 'string', default: '25' },
    /** Re-render the results of an earlier run (the JSON it saved) instead of running. */
    render: { type: 'string' },
  },
});
const sizes = values.sizes!.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0);
const countingFrom = Number(values['counting-from']);
const identityItems = values['identity-items'] !== '0';
const budgetMinutes = Number(values['budget-minutes']);
if (sizes.length === 0) throw new Error('--sizes: a comma-separated list of positive integers');

// ---- public prices (us-east-1, on-demand, list) ----
const PRICE = {
  sfnPerThousandTransitions: 0.025, // https://aws.amazon.com/step-functions/pricing/ (Standard)
  lambdaPerMillionRequests: 0.2, // https://aws.amazon.com/lambda/pricing/
  lambdaArmPerGbSecond: 0.0000133334, // arm64, first 6 B GB-s a month (x86: 0.0000166667)
  ddbPerMillionWrite: 0.625, // https://aws.amazon.com/dynamodb/pricing/on-demand/ (since 2024-11-01)
  ddbPerMillionRead: 0.125,
  ddbPerMillionWriteBefore2024_11: 1.25, // the price before the 50 % cut of 2024-11-01
  ddbPerMillionReadBefore2024_11: 0.25,
  sesPerThousand: 0.1, // https://aws.amazon.com/ses/pricing/
};
const SES_PER_MILLION = PRICE.sesPerThousand * 1000;
const TARGET_PER_MILLION = 0.02 * SES_PER_MILLION;

// ---- the generator (deterministic: the first 10,000 of 100,000 are the 10,000) ----
const TIMEZONES = ['Europe/London', 'America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Asia/Tokyo', 'Australia/Sydney', 'Asia/Kolkata'];
const FIRST_NAMES = ['Ada', 'Ben', 'Chloé', 'Dev', 'Emma', 'Femi', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena'];

/** Per-index PRNG (splitmix32 of the index): any profile is generated without the ones before it. */
function rand(i: number, salt: number): number {
  let z = (i * 0x9e3779b9 + salt * 0x85ebca6b) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return ((z ^ (z >>> 15)) >>> 0) / 2 ** 32;
}

interface Truth {
  /** 0 consent granted, 1 denied (email.marketing false), 2 unknown (no key) */
  consent: number;
  orders: number;
}

function truthOf(i: number): Truth {
  const c = rand(i, 1);
  return { consent: c < 0.9 ? 0 : c < 0.95 ? 1 : 2, orders: rand(i, 2) < 0.8 ? 1 + Math.floor(rand(i, 3) * 6) : 0 };
}

const emailOf = (i: number) => `user${i}@example.test`;
const SALT = 'bench-salt';

function generateProfile(i: number, now: string): Profile {
  const t = truthOf(i);
  const userId = String(i);
  const email = emailOf(i);
  const lastOrderDay = Math.floor(rand(i, 4) * 365);
  const last = new Date(Date.parse('2026-11-01T00:00:00Z') - lastOrderDay * 86_400_000);
  const first = new Date(last.getTime() - Math.floor(rand(i, 5) * 700) * 86_400_000);
  const revenue = Math.round(t.orders * (15 + rand(i, 6) * 120) * 100) / 100;
  const month = last.toISOString().slice(0, 7);
  const zone = rand(i, 7) < 0.3 ? TIMEZONES[Math.floor(rand(i, 8) * TIMEZONES.length)] : undefined;
  const profile = {
    schemaVersion: 1 as const,
    profileId: `u-${userId}`,
    version: 1 + t.orders,
    createdAt: first.toISOString(),
    updatedAt: now,
    identities: { userIds: [userId], anonymousIds: [], emailHashes: [createHash('sha256').update(SALT).update(email).digest('hex')] },
    traits: { email, first_name: FIRST_NAMES[i % FIRST_NAMES.length], last_name: `Bench${i}` },
    aggregates: {
      events: 1 + t.orders * 3,
      orders: t.orders,
      revenue: t.orders ? revenue : 0,
      items: t.orders * 2,
      discountedOrders: t.orders > 2 ? 1 : 0,
      returns: 0,
      returnedValue: 0,
      firstSeen: first.toISOString(),
      lastSeen: last.toISOString(),
      ...(t.orders ? { firstOrderAt: first.toISOString(), lastOrderAt: last.toISOString(), currency: 'GBP' } : {}),
      months: t.orders ? { [month]: { orders: t.orders, revenue } } : {},
      categories: t.orders ? { home: t.orders, garden: 1 } : {},
      channels: { web: 1 + t.orders * 3 },
      revenueByCurrency: t.orders ? { GBP: revenue } : {},
    },
    tags: t.orders ? { buyer: true, rfm: t.orders > 3 ? 'champion' : 'promising' } : { buyer: false },
    consent: t.consent === 0 ? { 'email.marketing': true } : t.consent === 1 ? { 'email.marketing': false } : {},
    ...(zone ? { timezone: zone } : {}),
    applied: [],
    absorbed: [],
  };
  return profileSchema.parse(profile);
}

async function seed(doc: import('@aws-sdk/lib-dynamodb').DynamoDBDocumentClient, table: string, n: number): Promise<{ items: number; bytes: number; seconds: number; unprocessedRetries: number }> {
  const now = new Date().toISOString();
  const started = performance.now();
  let next = 0;
  let items = 0;
  let bytes = 0;
  let unprocessedRetries = 0;
  const PER_CALL = 25;
  const profilesPerCall = identityItems ? Math.floor(PER_CALL / 2) : PER_CALL;
  const worker = async () => {
    for (;;) {
      const from = next;
      if (from >= n) return;
      next = Math.min(n, from + profilesPerCall);
      const puts: Record<string, unknown>[] = [];
      for (let i = from; i < next; i++) {
        const p = generateProfile(i, now);
        const item = { pk: `P#${p.profileId}`, sk: 'PROFILE', ...p };
        puts.push(item);
        bytes += Buffer.byteLength(JSON.stringify(item));
        if (identityItems) puts.push({ pk: `ID#email#${p.identities.emailHashes[0]}`, sk: 'ID', schemaVersion: 1, kind: 'email', value: p.identities.emailHashes[0], profileId: p.profileId, updatedAt: now });
      }
      let request: { PutRequest: { Item: Record<string, unknown> } }[] | undefined = puts.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; request && request.length > 0; attempt++) {
        if (attempt > 10) throw new Error('BatchWriteItem left unprocessed items after 10 retries');
        if (attempt > 0) {
          unprocessedRetries += 1;
          await new Promise((r) => setTimeout(r, 2 ** attempt * 10));
        }
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: request } }));
        request = out.UnprocessedItems?.[table] as typeof request;
      }
      items += puts.length;
      if (process.stdout.isTTY && Math.floor(from / 10_000) !== Math.floor(next / 10_000)) process.stdout.write(`\r  seeded ${next.toLocaleString('en-GB')} / ${n.toLocaleString('en-GB')}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  if (process.stdout.isTTY) process.stdout.write('\n');
  return { items, bytes, seconds: (performance.now() - started) / 1000, unprocessedRetries };
}

/** A counting SES v2 endpoint on loopback: answers SendEmail with a MessageId, counts mails per address, keeps no message. */
async function startCountingSes(n: number): Promise<{ url: string; perIndex: Uint8Array; other: Map<string, number>; total: () => number; stop: () => Promise<void> }> {
  const perIndex = new Uint8Array(n);
  const other = new Map<string, number>();
  let total = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && (req.url ?? '').split('?')[0] === '/v2/email/outbound-emails') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Destination?: { ToAddresses?: string[] } };
        for (const a of body.Destination?.ToAddresses ?? []) countAddress(a, perIndex, other);
        total += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ MessageId: `counted-${total}` }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'NotFoundException' });
      res.end(JSON.stringify({ message: `the counting SES endpoint answers SendEmail only, not ${req.method} ${req.url}` }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, perIndex, other, total: () => total, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

function countAddress(address: string, perIndex: Uint8Array, other: Map<string, number>) {
  const m = /^user(\d+)@example\.test$/.exec(address);
  const i = m ? Number(m[1]) : -1;
  if (i >= 0 && i < perIndex.length) perIndex[i] = Math.min(255, perIndex[i] + 1);
  else other.set(address, (other.get(address) ?? 0) + 1);
}

interface SizeResult {
  n: number;
  port: 'aws-ses-v2-local' | 'counting loopback SES endpoint';
  seed: { items: number; bytes: number; seconds: number; unprocessedRetries: number };
  status: string;
  error?: string;
  wallSeconds: number;
  totals: { scanned: number; audience: number; sent: number; holdout: number; failed: number; deferred: number; alreadyDone: number; skipped: Record<string, number> };
  expected: { audience: number; noConsent: number };
  mails: number;
  duplicates: number;
  violations: number;
  meter: Meter;
  transitions: number;
  historyEvents: number;
  awsHistoryEvents: number;
  historyTypes: Record<string, number>;
  sendPages: number;
  fns: Record<string, { invocations: number; totalMs: number; errors: number }>;
  load: [number, number];
}

async function runSize(n: number, model: ReturnType<typeof readModel>): Promise<SizeResult> {
  const useCounting = n >= countingFrom;
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-bench-campaigns-'));
  const probe = await startEmulators({ dataDir: join(dataDir, 'probe') });
  const ports = { dynamodb: Number(new URL(probe.dynamodb).port), kinesis: Number(new URL(probe.kinesis).port), s3: Number(new URL(probe.s3).port) };
  await probe.stop();
  const ddb = await startFaultProxy(`http://127.0.0.1:${ports.dynamodb}`);
  const counting = useCounting ? await startCountingSes(n) : undefined;
  const viaProxy = { AWS_ENDPOINT_URL_DYNAMODB: ddb.url };
  const platform = await startPlatform({
    dataDir: join(dataDir, 'data'),
    ports,
    model,
    waitOverrides: 0,
    functionEnvOverrides: {
      'start-campaign': viaProxy,
      'summarize-campaign': viaProxy,
      'send-campaign-page': { ...viaProxy, SEND_RATE_PER_SECOND: '1000000', ...(counting ? { AWS_ENDPOINT_URL_SESV2: counting.url } : {}) },
    },
  });
  try {
    const table = platform.resource('send-campaign-page', 'PROFILES_TABLE_NAME');
    console.log(`[${n.toLocaleString('en-GB')}] seeding ${table}…`);
    const seeded = await seed(platform.clients.doc, table, n);
    console.log(`[${n.toLocaleString('en-GB')}] seeded ${seeded.items.toLocaleString('en-GB')} items in ${fmt(seeded.seconds, 1)} s`);

    const expected = { audience: 0, noConsent: 0 };
    for (let i = 0; i < n; i++) {
      const t = truthOf(i);
      if (t.orders >= 1) {
        expected.audience += 1;
        if (t.consent !== 0) expected.noConsent += 1;
      }
    }

    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    const campaign = { ...fixture, id: `bench-${n}-${Date.now().toString(36)}`, holdoutPercent: 10, frequencyCap: { perDay: 1, perWeek: 3 } };
    Object.assign(ddb.meter, { requests: {}, readUnits: 0, writeUnits: 0, putBytes: 0, putRecords: 0 });
    const before = Object.fromEntries([...platform.functions].map(([k, f]) => [k, { ...f.stats }]));
    const sm = platform.stepFunctions.find('Campaign');
    console.log(`[${n.toLocaleString('en-GB')}] campaign ${campaign.id} (email port: ${counting ? `counting SES at ${counting.url}` : `aws-ses-v2-local at ${platform.ses.url}`})…`);
    const load0 = loadavg()[0];
    const t0 = performance.now();
    const execution = await platform.stepFunctions.start(sm.arn, JSON.stringify(campaign), campaign.id).done;
    const wallSeconds = (performance.now() - t0) / 1000;
    const load: [number, number] = [load0, loadavg()[0]];
    const meter = structuredClone(ddb.meter);
    const fns = Object.fromEntries(
      [...platform.functions]
        .map(([k, f]) => [k, { invocations: f.stats.invocations - before[k].invocations, totalMs: f.stats.totalMs - before[k].totalMs, errors: f.stats.errors - before[k].errors }] as const)
        .filter(([, s]) => s.invocations > 0),
    );
    console.log(`[${n.toLocaleString('en-GB')}] ${execution.status} in ${fmt(wallSeconds, 1)} s`);

    // Mails per address at the email port.
    const perIndex = counting?.perIndex ?? new Uint8Array(n);
    const other = counting?.other ?? new Map<string, number>();
    let mails = counting?.total() ?? 0;
    if (!counting) {
      const all = await platform.ses.mails();
      mails = all.length;
      for (const m of all) for (const a of m.destination.to) countAddress(a, perIndex, other);
    }
    let duplicates = [...other.values()].filter((c) => c > 1).length;
    let violations = other.size; // an address the generator never made
    for (let i = 0; i < n; i++) {
      if (perIndex[i] > 1) duplicates += 1;
      if (perIndex[i] > 0) {
        const t = truthOf(i);
        if (t.consent !== 0 || t.orders < 1) violations += 1;
      }
    }

    // History: the local runner's events, and what AWS would record for the same run
    // (a Lambda task: TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded, TaskStateExited;
    // a Map state adds MapStateStarted and MapStateSucceeded; other states enter and exit).
    const historyTypes: Record<string, number> = {};
    let awsHistoryEvents = 0;
    let sendPages = 0;
    for (const h of execution.history) {
      historyTypes[h.type] = (historyTypes[h.type] ?? 0) + 1;
      const st = (h.details as { state?: { type?: string; name?: string } } | undefined)?.state;
      if (h.type === 'StateEntered') {
        awsHistoryEvents += st?.type === 'Task' ? 5 : st?.type === 'Map' ? 4 : 2;
        if (st?.name === 'Send page') sendPages += 1;
      } else if (h.type === 'StateExited') {
        // counted with its StateEntered
      } else awsHistoryEvents += 1; // ExecutionStarted/Succeeded, MapIteration*, StateRetried/Caught/Failed
    }

    const totals = execution.output ? JSON.parse(execution.output).totals : { scanned: 0, audience: 0, sent: 0, holdout: 0, failed: 0, deferred: 0, alreadyDone: 0, skipped: {} };
    return {
      n,
      port: counting ? 'counting loopback SES endpoint' : 'aws-ses-v2-local',
      seed: seeded,
      status: execution.status,
      error: execution.error ? `${execution.error}: ${execution.cause}` : undefined,
      wallSeconds,
      totals,
      expected,
      mails,
      duplicates,
      violations,
      meter,
      transitions: execution.transitions,
      historyEvents: execution.history.length,
      awsHistoryEvents,
      historyTypes,
      sendPages,
      fns,
      load,
    };
  } finally {
    await platform.stop();
    await ddb.stop();
    await counting?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- run ----
const templates = synthesizeTemplates();
const model = readModel(templates);
const sendResource = templates.flatMap((s) => Object.values<{ Type: string; Metadata?: Record<string, unknown>; Properties?: { MemorySize?: number; Architectures?: string[] } }>(s.template.Resources ?? {})).find((r) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['sightline:function'] === 'send-campaign-page');
const memoryMb = sendResource?.Properties?.MemorySize ?? 128;
const arch = sendResource?.Properties?.Architectures?.[0] ?? 'x86_64';
const lambdaPerGbSecond = arch === 'arm64' ? PRICE.lambdaArmPerGbSecond : 0.0000166667;

const RAW = join(tmpdir(), 'sightline-bench-campaigns-last.json');
const results: SizeResult[] = [];
const skippedSizes: { n: number; why: string }[] = [];
let runMachine = machine();
if (values.render) {
  const raw = JSON.parse(readFileSync(values.render, 'utf8')) as { results: SizeResult[]; skippedSizes: typeof skippedSizes; machine: string };
  results.push(...raw.results);
  skippedSizes.push(...raw.skippedSizes);
  runMachine = raw.machine;
}
for (const n of values.render ? [] : [...sizes].sort((a, b) => a - b)) {
  const prev = results.at(-1);
  // 10,000 and 100,000 always run (issue 11); a larger size only if the last run projects it within the budget.
  if (prev && n > 100_000) {
    const projectedMin = ((prev.seed.seconds + prev.wallSeconds) * (n / prev.n)) / 60;
    if (projectedMin > budgetMinutes) {
      const why = `projected ${fmt(projectedMin, 0)} min (seeding ${fmt((prev.seed.seconds * n) / prev.n / 60, 0)} min + campaign ${fmt((prev.wallSeconds * n) / prev.n / 60, 0)} min, scaled linearly from the ${prev.n.toLocaleString('en-GB')} run) > the ${budgetMinutes}-minute budget on this machine`;
      console.log(`[${n.toLocaleString('en-GB')}] not run: ${why}`);
      skippedSizes.push({ n, why });
      continue;
    }
  }
  results.push(await runSize(n, model));
  writeFileSync(RAW, JSON.stringify({ results, skippedSizes, machine: runMachine }));
}
if (!values.render) writeFileSync(RAW, JSON.stringify({ results, skippedSizes, machine: runMachine }));

// ---- figures ----
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
const perMillion = 1_000_000;
function costOf(r: SizeResult) {
  const sent = Math.max(1, r.totals.sent);
  const scale = perMillion / sent;
  const lambdaInvocations = sum(Object.fromEntries(Object.entries(r.fns).map(([k, s]) => [k, s.invocations])));
  const lambdaGbS = Object.entries(r.fns).reduce((a, [k, s]) => a + (s.totalMs / 1000) * ((k === 'send-campaign-page' ? memoryMb : 512) / 1024), 0);
  const items = {
    'Step Functions Standard transitions': ((r.transitions * scale) / 1000) * PRICE.sfnPerThousandTransitions,
    'Lambda requests': ((lambdaInvocations * scale) / 1e6) * PRICE.lambdaPerMillionRequests,
    'Lambda duration (GB-s, arm64)': lambdaGbS * scale * lambdaPerGbSecond,
    'DynamoDB on-demand writes': ((r.meter.writeUnits * scale) / 1e6) * PRICE.ddbPerMillionWrite,
    'DynamoDB on-demand reads': ((r.meter.readUnits * scale) / 1e6) * PRICE.ddbPerMillionRead,
  };
  const total = sum(items);
  const totalOldDdb = total - items['DynamoDB on-demand writes'] - items['DynamoDB on-demand reads'] + ((r.meter.writeUnits * scale) / 1e6) * PRICE.ddbPerMillionWriteBefore2024_11 + ((r.meter.readUnits * scale) / 1e6) * PRICE.ddbPerMillionReadBefore2024_11;
  const dominant = Object.entries(items).sort((a, b) => b[1] - a[1])[0];
  return { items, total, totalOldDdb, dominant, lambdaGbS, lambdaInvocations };
}

const n0 = (x: number) => x.toLocaleString('en-GB');
const cols = results.map((r) => n0(r.n));
const row = (label: string, f: (r: SizeResult) => string) => `| ${label} | ${results.map(f).join(' | ')} |`;
const per = (x: number, r: SizeResult) => x / Math.max(1, r.totals.sent);
const skippedText = (r: SizeResult) => Object.entries(r.totals.skipped).map(([k, v]) => `${k} ${n0(v)}`).join(', ') || '0';
const reconciles = (r: SizeResult) => r.totals.audience === r.expected.audience && (r.totals.skipped.no_consent ?? 0) === r.expected.noConsent && r.totals.sent + r.totals.holdout + r.totals.failed + r.totals.deferred + sum(r.totals.skipped) === r.totals.audience && r.mails === r.totals.sent;
const costs = results.map(costOf);

const command = `npx tsx bench/campaigns.ts --sizes ${sizes.join(',')}${values.write ? ' --write' : ''}${values['counting-from'] !== '1000000' ? ` --counting-from ${values['counting-from']}` : ''}${!identityItems ? ' --identity-items 0' : ''}${values['budget-minutes'] !== '25' ? ` --budget-minutes ${values['budget-minutes']}` : ''}`;
const ports = results.map((r) => `${n0(r.n)}: ${r.port}`).join('; ');
const growth = (() => {
  if (costs.length < 2) return 'one size only: no growth measured.';
  const a = costs[0];
  const b = costs.at(-1)!;
  const ratio = b.total / a.total;
  const parts = Object.keys(a.items).map((k) => `${k} ${fmt((b.items as Record<string, number>)[k] / Math.max(1e-12, (a.items as Record<string, number>)[k]), 2)} ×`).join(', ');
  return `cost per million mails at ${n0(results.at(-1)!.n)} is ${fmt(ratio, 2)} × the one at ${n0(results[0].n)} (${parts}): ${Math.abs(ratio - 1) < 0.1 ? 'total cost grows linearly with the audience (a constant cost per mail)' : ratio > 1 ? 'cost per mail rises with size, so total cost grows faster than linearly' : 'cost per mail falls with size (fixed per-execution costs spread out)'}; units per mail: ${results.map((r) => `${n0(r.n)} ${fmt(per(r.meter.writeUnits, r), 2)} WCU / ${fmt(per(r.meter.readUnits, r), 2)} RCU`).join(', ')}.`;
})();

const historyLimitNote = (() => {
  const r = results.at(-1);
  if (!r) return '';
  const eventsPerProfile = r.awsHistoryEvents / r.n;
  const maxProfiles = Math.floor(25_000 / eventsPerProfile);
  return `AWS keeps at most 25,000 history events per execution (an inline Map's iterations count in it). At the measured ${fmt(eventsPerProfile * 1000, 1)} AWS-equivalent events per 1,000 profiles in the table (${SEND_PAGE_SIZE} items read per page, ${identityItems ? 'one identity item beside each profile' : 'profiles only'}), one execution reaches that limit at about **${n0(maxProfiles)} profiles**: above it the Campaign execution would fail in AWS although it succeeds locally (aws-local-stepfunctions has no such limit).`;
})();

const paceRows = [14, 50, 200, 500, 1000].map((rate) => {
  const sPerMail = CAMPAIGN_SEGMENTS / rate; // each segment sleeps totalSegments/rate between its sends
  const cost = sPerMail * (memoryMb / 1024) * lambdaPerGbSecond * perMillion;
  return `| ${rate} | ${fmt(sPerMail * 1000, 1)} ms | ${fmt(cost, 2)} | ${fmt(perMillion / rate / 3600, 1)} h |`;
});

const markdown = `## Campaign state machine: ${cols.join(', ')} profiles${skippedSizes.length ? ` (${skippedSizes.map((s) => n0(s.n)).join(', ')} not run)` : ''}

Command: \`${command}\`
Machine: ${runMachine}; other jobs shared the two cores (1-minute load average at the start / end of each execution: ${results.map((r) => `${n0(r.n)} ${fmt(r.load[0], 1)} / ${fmt(r.load[1], 1)}`).join('; ')}), so times are upper bounds.
Setup: one campaign (tests/fixtures/campaigns/spring-sale.json with a unique id: segment \`aggregates.orders ≥ 1\`, two variants, holdout 10 %, cap 1 a day and 3 a week) through the Campaign state machine as CDK synthesizes it, run by aws-local-stepfunctions (Wait states 0); the real handlers in their workers (one invocation at a time per function, as one Lambda container); dynalite. The three campaign functions reach DynamoDB through the metering proxy (local/fault-proxy.ts: units as dynalite reports ConsumedCapacity; conditional writes that fail are not metered, and none failed here). \`SEND_RATE_PER_SECOND\` of send-campaign-page is overridden to 1,000,000 so SES pacing does not dominate the wall time (what pacing costs in AWS is below). Email port: ${ports}${results.some((r) => r.port !== 'aws-ses-v2-local') ? ' (a tiny HTTP server in the bench answering SES v2 SendEmail, `POST /v2/email/outbound-emails` → `{"MessageId":…}`, counting mails per address and keeping none; send-campaign-page\'s AWS_ENDPOINT_URL_SESV2 points at it; no code or env flag was added)' : ''}.
Profiles: generated (deterministic), written straight into the profiles table with BatchWriteItem, each parsed with profileSchema: every one has an email trait; consent \`email.marketing: true\` 90 %, \`false\` 5 %, none 5 %; orders 1–6 for 80 % (the segment), none for 20 %; a timezone for 30 %${identityItems ? '; beside each profile its ID#email#<hash> identity item, as Tag writes it, because the campaign\'s scan reads every item of the table' : ''}. "Per mail" below divides everything the campaign consumed (scanning the whole table, holdout and skip records included) by the mails sent.

| figure | ${cols.join(' | ')} |
|---|${cols.map(() => '---').join('|')}|
${row('seeding (not in the figures below)', (r) => `${n0(r.seed.items)} items, ${fmt(r.seed.bytes / r.n / 1024, 2)} KiB a profile, ${fmt(r.seed.seconds, 1)} s (${fmt(r.seed.items / r.seed.seconds, 0)} items/s)`)}
${row('execution', (r) => `${r.status}${r.error ? ` (${r.error})` : ''}`)}
${row('email port', (r) => r.port)}
${row('scanned / audience (expected)', (r) => `${n0(r.totals.scanned)} / ${n0(r.totals.audience)} (${n0(r.expected.audience)})`)}
${row('sent / holdout / skipped', (r) => `${n0(r.totals.sent)} / ${n0(r.totals.holdout)} / ${skippedText(r)}`)}
${row('failed / deferred / already decided', (r) => `${n0(r.totals.failed)} / ${n0(r.totals.deferred)} / ${n0(r.totals.alreadyDone)}`)}
${row('mails at the email port', (r) => n0(r.mails))}
${row('reconciles (audience, no_consent, decisions, mails = sent)', (r) => (reconciles(r) ? 'yes' : '**no**'))}
${row('**duplicate sends** (addresses with > 1 mail)', (r) => `**${n0(r.duplicates)}**`)}
${row('mails without consent or outside the segment', (r) => n0(r.violations))}
${row('**wall time** of the execution', (r) => `**${fmt(r.wallSeconds, 1)} s**`)}
${row('mails sent / s (audience decided / s)', (r) => `${fmt(r.totals.sent / r.wallSeconds, 0)} (${fmt(r.totals.audience / r.wallSeconds, 0)})`)}
${row('DynamoDB write units per mail', (r) => `**${fmt(per(r.meter.writeUnits, r), 3)}** (${n0(Math.round(r.meter.writeUnits))})`)}
${row('DynamoDB read units per mail', (r) => `**${fmt(per(r.meter.readUnits, r), 3)}** (${n0(Math.round(r.meter.readUnits))})`)}
${row('DynamoDB requests per mail', (r) => `${fmt(per(sum(r.meter.requests), r), 2)} (${Object.entries(r.meter.requests).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${n0(v)}`).join(', ')})`)}
${row('Send page tasks (pages)', (r) => `${n0(r.sendPages)} (${fmt(r.n / Math.max(1, r.sendPages), 0)} profiles a page)`)}
${row('state transitions per 1,000 mails', (r) => `**${fmt((r.transitions * 1000) / Math.max(1, r.totals.sent), 2)}** (${n0(r.transitions)})`)}
${row('history events per 1,000 mails, local runner', (r) => `${fmt((r.historyEvents * 1000) / Math.max(1, r.totals.sent), 2)} (${n0(r.historyEvents)}: ${Object.entries(r.historyTypes).map(([k, v]) => `${k} ${n0(v)}`).join(', ')})`)}
${row('history events per 1,000 mails, as AWS records them (est.)', (r) => `**${fmt((r.awsHistoryEvents * 1000) / Math.max(1, r.totals.sent), 2)}** (${n0(r.awsHistoryEvents)} of the 25,000 an execution may have)`)}
${row('Lambda invocations (ms in handler)', (r) => Object.entries(r.fns).map(([k, s]) => `${k} ${n0(s.invocations)} (${fmt(s.totalMs / 1000, 1)} s)`).join('; '))}
${row('send-campaign-page ms per mail', (r) => fmt((r.fns['send-campaign-page']?.totalMs ?? 0) / Math.max(1, r.totals.sent), 3))}

History events: the local runner logs StateEntered/StateExited per state; AWS logs five events per Lambda task (TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded, TaskStateExited), four per Map state, two per other state, one per Map iteration start/end and per execution start/end: the "as AWS records them" row is that count over the states this run entered.

${historyLimitNote}

### Orchestration cost per million mails sent

From the units measured above and public list prices, us-east-1: Step Functions Standard $0.025 per 1,000 state transitions; Lambda $0.20 per million requests and $${PRICE.lambdaArmPerGbSecond} per GB-s (${arch}, the construct's ${memoryMb} MB for send-campaign-page; 512 MB for start and summarise; duration = the handler's wall time here, against emulators on this shared 2-core machine; in AWS each mail waits on about five sequential DynamoDB calls and one SES call over the network, which may take as long or longer, so the Lambda rows are indicative); DynamoDB on-demand $0.625 per million write and $0.125 per million read request units (the prices since 2024-11-01; the pre-cut $1.25 / $0.25 give the last row); SES $0.10 per 1,000 mails (https://aws.amazon.com/step-functions/pricing/, /lambda/pricing/, /dynamodb/pricing/on-demand/, /ses/pricing/). Not included: CloudWatch Logs of the state machine (level ALL, without execution data: ≈ ${fmt(results.length ? (results.at(-1)!.awsHistoryEvents / Math.max(1, results.at(-1)!.totals.sent)) * 1e6 * 300 / 2 ** 30 * 0.5 : 0, 3)} $ per million mails at an assumed 300 bytes an event and $0.50/GB), X-Ray traces, DynamoDB storage of the send records and cap counters (≈ 0.3 KB per person decided, $0.25/GB-month, until their TTL).

| item, $ per million mails | ${cols.join(' | ')} |
|---|${cols.map(() => '---:').join('|')}|
${Object.keys(costs[0]?.items ?? {}).map((k) => `| ${k} | ${costs.map((c) => (c.items as Record<string, number>)[k].toFixed(4)).join(' | ')} |`).join('\n')}
| **orchestration total** | ${costs.map((c) => `**${c.total.toFixed(3)}**`).join(' | ')} |
| share of SES ($${SES_PER_MILLION} per million) | ${costs.map((c) => `${fmt((100 * c.total) / SES_PER_MILLION, 2)} %`).join(' | ')} |
| target ≤ $${TARGET_PER_MILLION.toFixed(2)} (2 % of SES) | ${costs.map((c) => (c.total <= TARGET_PER_MILLION ? '**met**' : '**not met**')).join(' | ')} |
| dominant item | ${costs.map((c) => `${c.dominant[0]} (${fmt((100 * c.dominant[1]) / c.total, 0)} %)`).join(' | ')} |
| total at the pre-2024-11 DynamoDB prices | ${costs.map((c) => `${c.totalOldDdb.toFixed(3)} (${c.totalOldDdb <= TARGET_PER_MILLION ? 'met' : 'not met'})`).join(' | ')} |

Where the units go (per mail sent, largest size): ${(() => { const r = results.at(-1); if (!r) return ''; const q = (op: string) => fmt(per(r.meter.requests[op] ?? 0, r), 2); return `PutItem ${q('PutItem')} (the CLAIMED record, and a SKIPPED record for each holdout or skipped person), UpdateItem ${q('UpdateItem')} (the SENT completion, and one counter per cap window: day and week), GetItem ${q('GetItem')} (the consistent "decided before?" read of each audience member), BatchGetItem ${q('BatchGetItem')} and Scan ${q('Scan')} (scores and suppressions per page, the page itself). Each write here is 1 unit: writes are ≈ 1 + 1 + 2 per mail plus the skip records, so the two cap counters are close to half of the write units.`; })()}

Growth: ${growth}
${skippedSizes.map((s) => `\n${n0(s.n)} profiles were not run: ${s.why}.`).join('')}${(() => {
  const last = results.at(-1);
  if (!last || last.n >= 1_000_000 || skippedSizes.some((x) => x.n >= 1_000_000)) return '';
  const k = 1_000_000 / last.n;
  const min = ((last.seed.seconds + last.wallSeconds) * k) / 60;
  return `\n1,000,000 profiles: not run; the ${n0(last.n)} run projects ${fmt(min, 0)} min for it (seeding ${fmt((last.seed.seconds * k) / 60, 0)} min + campaign ${fmt((last.wallSeconds * k) / 60, 0)} min, scaled linearly), ${min > budgetMinutes ? `over the ${budgetMinutes}-minute budget: ${n0(last.n)} is the largest that fit` : `within the ${budgetMinutes}-minute budget (\`--sizes ${[...sizes, 1_000_000].join(',')}\` runs it)`}.`;
})()}

### What pacing adds in AWS (not measured here: the rate was overridden)

send-page.ts paces each of the ${CAMPAIGN_SEGMENTS} segments to MaxSendRate / ${CAMPAIGN_SEGMENTS} by sleeping inside the Lambda between sends, so at a real SES rate every mail holds a ${memoryMb} MB function for at least ${CAMPAIGN_SEGMENTS} / MaxSendRate seconds (work plus sleep), and that duration is billed. ${(() => { const r = results.at(-1); if (!r) return ''; const m = r.totals.sent / Math.max(1, r.sendPages); return `With the ${fmt(m, 0)} mails a page measured here, below about ${fmt((CAMPAIGN_SEGMENTS * m) / 300, 1)} mails/s (a sandbox account has 1/s) a page needs more than the function's and the task's 300 s: pages time out and the execution fails.`; })()}

| SES MaxSendRate (/s) | billed duration per mail, at least | Lambda $ per million mails from it | 1,000,000 mails take |
|---|---|---|---|
${paceRows.join('\n')}

Below about ${fmt((CAMPAIGN_SEGMENTS * (memoryMb / 1024) * lambdaPerGbSecond * perMillion) / TARGET_PER_MILLION, 0)} mails/s the sleep alone exceeds the $${TARGET_PER_MILLION.toFixed(2)} target; the measured figures above hold only when SES's rate is high enough that sending, not sleeping, fills the function's time.
`;

console.log(markdown);
for (const r of results) if (r.duplicates > 0 || r.violations > 0 || r.status !== 'SUCCEEDED') process.exitCode = 1;

if (values.write) {
  const name = `sizes-${sizes.join('-')}${identityItems ? '' : '-profiles-only'}`;
  const begin = `<!-- section:${name} -->`;
  const end = `<!-- /section:${name} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  let text = existsSync(RESULTS_FILE)
    ? readFileSync(RESULTS_FILE, 'utf8')
    : '# Campaigns — end to end on the local platform (issue 11)\n\nEach section names the command that produced it and the machine it ran on; re-run the command to refresh it (`--write` replaces the section of the same sizes, leaving the others).\n';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS_FILE, text);
  console.log(`written: ${RESULTS_FILE} (section ${name})`);
}
process.exit(process.exitCode ?? 0);
