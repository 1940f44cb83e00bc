#!/usr/bin/env -S npx tsx
/**
 * The `sightline` command (run it as `npm run sightline -- <command>`). Thin: each command
 * lives in cli/commands and is callable from the local platform, benchmarks and tests.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { localTarget } from './config.ts';
import { formatReconciliation, formatSendReport, replayDemo, replayOnlineRetail } from './commands/replay.ts';
import { createSource, dynamoFor, fetchProfile, formatProfile, retagAll } from './commands/profiles.ts';
import type { Profile } from '../schemas/profile.ts';

const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};
const integer = (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('must be an integer');
  return n;
};
const instant = (v: string) => {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('must be an ISO 8601 date');
  return d;
};

export function buildProgram(): Command {
  const program = new Command('sightline').description('Sightline: collect, clean, profile and tag customer events').showHelpAfterError();

  // ── replay: datasets and the demo shop, sent as Segment events ─────────────────────────
  const replay = program.command('replay').description('send a dataset to the event API as Segment events');
  replay
    .command('online-retail <file>')
    .description('replay UCI Online Retail (csv or csv.gz): identify per customer, Order Completed per invoice, Order Refunded per cancellation')
    .option('--endpoint <url>', 'event API base URL (default: the local platform, .sightline/local.json)')
    .option('--write-key <key>', 'write key (default: the local demo source)')
    .option('--limit <lines>', 'only the first N lines of the file', positiveInt)
    .option('--dry-run', 'convert and reconcile without sending')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { endpoint?: string; writeKey?: string; limit?: number; dryRun?: boolean; json?: boolean }) => {
      const target = o.dryRun ? undefined : localTarget({ endpoint: o.endpoint, writeKey: o.writeKey });
      const progress = !o.json && process.stderr.isTTY;
      const result = await replayOnlineRetail(file, { apiUrl: target?.apiUrl, writeKey: target?.writeKey, limit: o.limit, dryRun: o.dryRun, progress });
      if (o.json) return console.log(JSON.stringify(result, null, 2));
      console.log(`\nCleaning report (reconciliation)\n${formatReconciliation(result.reconciliation)}`);
      console.log(`largest event: ${result.largestEventBytes.toLocaleString('en-GB')} bytes`);
      if (result.send) console.log(formatSendReport(result.send));
      if (result.send && (result.send.failed > 0 || result.send.rejected > 0)) process.exitCode = 1;
    });
  replay
    .command('demo')
    .description('send the seeded synthetic demo shop')
    .option('--seed <n>', 'generator seed', integer, 7)
    .option('--end <date>', 'last instant of the simulated history (default: now); fix it for identical events', instant)
    .option('--endpoint <url>', 'event API base URL (default: the local platform)')
    .option('--write-key <key>', 'write key (default: the local demo source)')
    .option('--json', 'print the result as JSON')
    .action(async (o: { seed: number; end?: Date; endpoint?: string; writeKey?: string; json?: boolean }) => {
      const target = localTarget({ endpoint: o.endpoint, writeKey: o.writeKey });
      const r = await replayDemo({ apiUrl: target.apiUrl, writeKey: target.writeKey, seed: o.seed, end: o.end, progress: !o.json && process.stderr.isTTY });
      if (o.json) return console.log(JSON.stringify(r, null, 2));
      console.log(`\ndemo shop (seed ${r.seed}, ending ${r.end}): ${formatSendReport(r.send)}`);
      if (r.send.failed > 0) process.exitCode = 1;
    });

  // ── profiles, tags and sources ─────────────────────────────────────────────────────────
  program
    .command('profile <id>')
    .description('show a profile with its tags (id: a userId, or user:/anon:/email:/profile:<id>)')
    .option('--endpoint <url>')
    .option('--json', 'print the raw profile')
    .action(async (id: string, o: { endpoint?: string; json?: boolean }) => {
      const target = localTarget({ endpoint: o.endpoint, writeKey: 'unused' });
      const { status, body } = await fetchProfile(target.apiUrl, id);
      if (status !== 200) {
        console.error(`${status}: ${JSON.stringify(body)}`);
        process.exitCode = 1;
        return;
      }
      console.log(o.json ? JSON.stringify(body, null, 2) : formatProfile(body as Profile));
    });

  program
    .command('retag')
    .description('re-evaluate every profile’s tags as of a date (recency ages without events)')
    .option('--as-of <date>', 'ISO date (default: now)')
    .option('--table <name>', 'profiles table (default: the local platform’s)')
    .action(async (o: { asOf?: string; table?: string }) => {
      const target = o.table ? undefined : localTarget({ writeKey: 'unused' });
      const table = o.table ?? target!.resources!.PROFILES_TABLE_NAME;
      const r = await retagAll(dynamoFor(target), table, o.asOf ? new Date(o.asOf) : new Date());
      console.log(`${r.profiles} profiles, ${r.changed} re-tagged, ${r.conflicts} skipped (changed meanwhile)`);
    });

  program
    .command('source')
    .description('event sources (write keys)')
    .command('create <name>')
    .description('create a source; prints its write key once (only its hash is stored)')
    .option('--table <name>', 'sources table (the SourcesTableName stack output; default: the local platform’s)')
    .action(async (name: string, o: { table?: string }) => {
      const target = o.table ? undefined : localTarget({ writeKey: 'unused' });
      const table = o.table ?? target!.resources!.SOURCES_TABLE_NAME;
      const { sourceId, writeKey } = await createSource(dynamoFor(target), table, name);
      console.log(`source ${sourceId} (${name})\nwrite key: ${writeKey}\nThis key is shown once; Sightline keeps only its SHA-256.`);
    });
  // ── more commands (train, campaign, export, erase …) go here, each a thin action over a
  //    function in cli/commands/ ─────────────────────────────────────────────────────────
  return program;
}

/** True when this file is the process's entry point (also through the npm bin symlink). */
function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  buildProgram().parseAsync().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
