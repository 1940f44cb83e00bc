#!/usr/bin/env -S npx tsx
/**
 * The `sightline` command (run it as `npm run sightline -- <command>`). Thin: each command
 * lives in cli/commands and is callable from the local platform, benchmarks and tests.
 */
import { Command } from 'commander';
import { localTarget } from './config.ts';
import { formatReconciliation, replayDemo, replayOnlineRetail } from './commands/replay.ts';
import { createSource, dynamoFor, fetchProfile, formatProfile, retagAll } from './commands/profiles.ts';
import type { Profile } from '../schemas/profile.ts';

export function buildProgram(): Command {
  const program = new Command('sightline').description('Sightline: collect, clean, profile and tag customer events').showHelpAfterError();

  const replay = program.command('replay').description('send a dataset to the event API as Segment events');
  replay
    .command('online-retail <file>')
    .description('replay UCI Online Retail (csv or csv.gz): identify per customer, Order Completed per invoice, Order Refunded per cancellation')
    .option('--endpoint <url>', 'event API (default: the local platform)')
    .option('--write-key <key>', 'write key (default: the local demo source)')
    .option('--limit <lines>', 'only the first N lines', (v) => Number(v))
    .option('--dry-run', 'convert and reconcile without sending')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { endpoint?: string; writeKey?: string; limit?: number; dryRun?: boolean; json?: boolean }) => {
      const target = o.dryRun ? undefined : localTarget({ endpoint: o.endpoint, writeKey: o.writeKey });
      const result = await replayOnlineRetail(file, { apiUrl: target?.apiUrl, writeKey: target?.writeKey, limit: o.limit, dryRun: o.dryRun, progress: !o.json });
      if (o.json) return console.log(JSON.stringify(result, null, 2));
      console.log(`\nCleaning report (reconciliation)\n${formatReconciliation(result.reconciliation)}`);
      if (result.send) console.log(`\nsent ${result.send.sent} events in ${result.send.seconds.toFixed(1)} s: accepted ${result.send.accepted}, rejected ${result.send.rejected}, HTTP errors ${result.send.httpErrors}`);
    });
  replay
    .command('demo')
    .description('send the seeded synthetic demo shop')
    .option('--seed <n>', 'generator seed', (v) => Number(v), 7)
    .option('--endpoint <url>')
    .option('--write-key <key>')
    .action(async (o: { seed: number; endpoint?: string; writeKey?: string }) => {
      const target = localTarget({ endpoint: o.endpoint, writeKey: o.writeKey });
      const r = await replayDemo({ apiUrl: target.apiUrl, writeKey: target.writeKey, seed: o.seed, progress: true });
      console.log(`\nsent ${r.send.sent} events: accepted ${r.send.accepted}, rejected ${r.send.rejected}`);
    });

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
  return program;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildProgram().parseAsync().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
