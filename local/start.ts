/**
 * `npm start`: the embedded local platform, the main job on a developer's machine.
 * Starts the emulators, creates the CDK app's resources in them, runs its functions and
 * stream mappings, serves its API, seeds a synthetic demo shop the first time (so a
 * newcomer sees real profiles and tags), prints where everything is, and stops cleanly
 * on Ctrl-C. Data persists in .sightline/data between runs.
 *
 *   npm start                      start (seed the demo shop if there are no profiles yet)
 *   npm start -- --no-seed         start without seeding
 *   npm start -- --seed-only       seed, print, and exit (what CI and the quick start check)
 *   npm start -- --fresh           wipe the data directory first
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { STATE_DIR, readLocalConfig, writeLocalConfig, type LocalConfig } from './config.ts';
import { startPlatform, type Platform } from './platform.ts';
import { seedDemo } from './seed.ts';

const args = new Set(process.argv.slice(2));
const PORTS = { api: 3100, sfn: 3101, ses: 3102, sms: 3103, dynamodb: 4567, kinesis: 4568, s3: 4569 };

/** `Campaign`, `Rescore`, … → local ARN (logical ids end in an 8-hex hash CDK adds). */
const stateMachineArns = (p: Platform) => Object.fromEntries(p.model.stateMachines.map((s) => [s.logicalId.replace(/[0-9A-F]{8}$/, '').replace(/^(Campaigns|Score)/, ''), s.arn]));

async function ensureSource(platform: Platform): Promise<{ writeKey: string; sourceId: string }> {
  // The demo source's key is kept in .sightline/local.json (git-ignored) so the CLI can use it
  // across runs; `sightline source create` prints new keys once and keeps only their hash.
  const old = readLocalConfig();
  if (old?.writeKey && old.sourceId) {
    const res = await fetch(`${platform.apiUrl}/v1/track`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${old.writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    if (res.status === 400) return { writeKey: old.writeKey, sourceId: old.sourceId }; // authorised (and refused only for the empty body)
  }
  return platform.createSource('demo');
}

async function main() {
  const dataDir = join(STATE_DIR, 'data');
  if (args.has('--fresh')) rmSync(STATE_DIR, { recursive: true, force: true });
  mkdirSync(STATE_DIR, { recursive: true });
  console.log('Sightline local platform: synthesizing the CDK app and starting emulators…');
  const started = Date.now();
  // Any web page open in the browser can reach loopback: the read routes (personal data) need this token.
  const adminToken = randomBytes(24).toString('base64url');
  const platform = await startPlatform({ dataDir, ports: PORTS, adminToken });
  const { writeKey, sourceId } = await ensureSource(platform);
  const resources = Object.fromEntries(platform.model.functions.flatMap((f) => Object.entries(f.environment).filter(([k]) => /_(TABLE_NAME|STREAM_NAME|BUCKET)$/.test(k))));
  const config: LocalConfig = { apiUrl: platform.apiUrl, writeKey, sourceId, endpoints: { dynamodb: platform.emulators.dynamodb, kinesis: platform.emulators.kinesis, s3: platform.emulators.s3, ses: platform.ses.url, sfn: platform.sfnUrl }, resources, adminToken, stateMachines: stateMachineArns(platform) };
  writeLocalConfig(config);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await platform.stop();
    console.log(`Stopped. Data kept in ${dataDir}`);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const profilesTable = platform.resource('tag-profiles', 'PROFILES_TABLE_NAME');
  const anyProfile = await platform.clients.doc.send(new ScanCommand({ TableName: profilesTable, Limit: 1 }));
  if ((anyProfile.Items ?? []).length === 0 && !args.has('--no-seed')) {
    await seedDemo(platform, config);
  }

  console.log(`
Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.

  Dashboard                       ${platform.apiUrl}/dashboard/#token=${adminToken}   (admin API: ${platform.apiUrl}/admin/v1/…, OpenAPI: ${platform.apiUrl}/openapi.json)
  Event API (Segment-compatible)  ${platform.apiUrl}/v1/{identify,track,page,screen,group,alias,batch}
  Write key (demo source)         ${writeKey}
  Profiles                        ${platform.apiUrl}/v1/profiles/<userId>     or: npm run sightline -- profile <userId>
  Recommendations                 ${platform.apiUrl}/v1/recommendations/<userId>?n=10   /v1/items/<itemId>/similar   or: npm run sightline -- recommend <userId>
  Admin token (the two above)     ${adminToken}   (curl -H 'authorization: Bearer …'; the CLI reads it from .sightline/local.json)
  Campaigns                       npm run sightline -- campaign start examples/campaigns/demo-spring-sale.json --wait   (status|pause|resume|cancel|preview)
  Step Functions API (executions) ${platform.sfnUrl}   state machine ${config.stateMachines?.Campaign ?? '?'}
  Mail (aws-ses-v2-local)         ${platform.ses.url}/ (web view)   ${platform.ses.url}/store (JSON)
  SMS (loopback outbox)           ${platform.sms.url}/store (JSON)
  DynamoDB (dynalite)             ${platform.emulators.dynamodb}
  Kinesis (kinesalite)            ${platform.emulators.kinesis}
  S3 (s3rver)                     ${platform.emulators.s3}   failed events: bucket ${resources.FAILED_EVENTS_BUCKET ?? '?'}
  Data directory                  ${dataDir}
  Functions                       ${[...platform.functions.keys()].join(', ')}
  Stream mappings                 ${platform.model.mappings.map((m) => `${m.streamName.split('-').pop()} → ${m.functionName}`).join(', ')}

  Try:  curl -u '${writeKey}:' -H 'content-type: application/json' \\
          -d '{"userId":"ada","event":"Order Completed","properties":{"revenue":42,"currency":"GBP","products":[{"product_id":"p1","price":21,"quantity":2}]}}' \\
          ${platform.apiUrl}/v1/track
        npm run sightline -- profile ada

Ctrl-C stops everything.`);
  if (args.has('--seed-only')) await stop();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
