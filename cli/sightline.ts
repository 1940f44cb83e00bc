#!/usr/bin/env -S npx tsx
/**
 * The `sightline` command (run it as `npm run sightline -- <command>`). Thin: each command
 * lives in cli/commands and is callable from the local platform, benchmarks and tests.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { localTarget } from './config.ts';
import { formatReconciliation, formatSendReport, replayBankMarketing, replayDemo, replayOnlineRetail } from './commands/replay.ts';
import { createSource, dynamoFor, fetchProfile, formatProfile, retagAll } from './commands/profiles.ts';
import type { Profile } from '../schemas/profile.ts';
import { PersonalizeEventsClient } from '@aws-sdk/client-personalize-events';
import { PersonalizeItems } from '../functions/adapters/personalize.ts';
import { SCORE_MODELS, currentScoreModels, driftCommand, formatDrift, scoreAll, trainScoreCommand, trainScoreFromProfilesCommand, type ScoreModel } from './commands/train-scores.ts';
import { fairnessCommand, formatFairness } from './commands/fairness.ts';
import { formatModelListing, listModel, promoteModel, rollback } from './commands/models.ts';
import { S3ModelRegistry } from '../functions/adapters/s3-model-registry.ts';
import { fetchRecommendations, formatRecommendations, importCatalog, profileCountries, readCatalogFile, s3For, trainRecommenderCommand } from './commands/recommender.ts';
import { recommenderMethodSchema, type RecommenderMethod } from '../functions/domain/recommend/model-schema.ts';

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
    .command('bank-marketing <file>')
    .description('replay UCI Bank Marketing (bank-additional-full.csv[.gz]): identify per client, Campaign Contacted with its context and outcome (no duration)')
    .option('--endpoint <url>', 'event API base URL (default: the local platform)')
    .option('--write-key <key>', 'write key (default: the local demo source)')
    .option('--limit <rows>', 'only the first N rows', positiveInt)
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o: { endpoint?: string; writeKey?: string; limit?: number; json?: boolean }) => {
      const target = localTarget({ endpoint: o.endpoint, writeKey: o.writeKey });
      const r = await replayBankMarketing(file, { apiUrl: target.apiUrl, writeKey: target.writeKey, limit: o.limit, progress: !o.json && process.stderr.isTTY });
      if (o.json) return console.log(JSON.stringify(r, null, 2));
      console.log(`\nbank marketing: ${r.rows.toLocaleString('en-GB')} contacts as ${r.events.toLocaleString('en-GB')} events; ${formatSendReport(r.send)}`);
      if (r.send.failed > 0 || r.send.rejected > 0) process.exitCode = 1;
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
  // ── models: training and the catalog ───────────────────────────────────────────────────
  const method = (v: string): RecommenderMethod => {
    const r = recommenderMethodSchema.safeParse(v);
    if (!r.success) throw new InvalidArgumentError(`must be one of ${recommenderMethodSchema.options.join(', ')}`);
    return r.data;
  };
  program
    .command('train <model>')
    .description('train a model and publish it to the model registry (models: recommender, propensity, churn, clv)')
    .option('--data <path>', 'recommender: a file (Online Retail, or an interaction-log CSV) instead of the platform’s interaction log; propensity: bank-additional-full.csv.gz (required); churn, clv: online-retail.csv.gz instead of the platform’s profiles')
    .option('--method <method>', 'recommender: popularity, item-item, ease (default, chosen by measurement) or als', method)
    .option('--as-of <date>', 'train on what happened up to this instant')
    .option('--no-promote', 'publish the version without making it current')
    .option('--models-bucket <name>', 'models bucket (the ModelsBucketName stack output; default: the local platform’s)')
    .option('--interactions-bucket <name>', 'interactions bucket (InteractionsBucketName; default: the local platform’s)')
    .option('--json', 'print the result as JSON')
    .action(async (model: string, o: { data?: string; method?: RecommenderMethod; asOf?: string; promote: boolean; modelsBucket?: string; interactionsBucket?: string; json?: boolean }) => {
      const target = o.modelsBucket ? undefined : localTarget({ writeKey: 'unused' });
      const progress = !o.json ? (m: string) => process.stderr.write(`\r\x1b[K${m}`) : undefined;
      if ((SCORE_MODELS as readonly string[]).includes(model)) {
        if (!o.data) {
          const r = await trainScoreFromProfilesCommand({ model: model as ScoreModel, ddb: dynamoFor(target), table: target!.resources!.PROFILES_TABLE_NAME, s3: s3For(target), modelsBucket: o.modelsBucket ?? target!.resources!.MODELS_BUCKET, asOf: o.asOf ? instant(o.asOf) : new Date(), promote: o.promote, progress });
          if (o.json) return console.log(JSON.stringify(r, null, 2));
          process.stderr.write('\r\x1b[K');
          return console.log(`${model} ${r.info.version}: ${r.rows.toLocaleString('en-GB')} profiles, trained in ${r.seconds.toFixed(1)} s; ${r.verdict}\n${r.pointer ? 'now current' : 'published, not current'}`);
        }
        const r = await trainScoreCommand({ model: model as ScoreModel, data: o.data, s3: s3For(target), modelsBucket: o.modelsBucket ?? target!.resources!.MODELS_BUCKET, promote: o.promote, progress });
        if (o.json) return console.log(JSON.stringify(r, null, 2));
        process.stderr.write('\r\x1b[K');
        const figures = Object.entries(r.metrics).filter(([k]) => /auc/.test(k)).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
        return console.log(`${model} ${r.info.version}: ${r.rows.toLocaleString('en-GB')} rows, trained in ${r.seconds.toFixed(1)} s${figures ? `; ${figures}` : ''}\n${r.pointer ? 'now current' : 'published, not current'}`);
      }
      if (model !== 'recommender') throw new InvalidArgumentError(`unknown model "${model}" (known: recommender, ${SCORE_MODELS.join(', ')})`);
      const profilesTable = target?.resources?.PROFILES_TABLE_NAME;
      const r = await trainRecommenderCommand({
        s3: s3For(target),
        countries: !o.data && profilesTable ? await profileCountries(dynamoFor(target), profilesTable) : undefined,
        modelsBucket: o.modelsBucket ?? target!.resources!.MODELS_BUCKET,
        interactionsBucket: o.interactionsBucket ?? target?.resources?.INTERACTIONS_BUCKET,
        data: o.data,
        method: o.method,
        asOf: o.asOf,
        promote: o.promote,
        progress,
      });
      if (o.json) return console.log(JSON.stringify(r, null, 2));
      process.stderr.write('\r\x1b[K');
      console.log(
        `recommender ${r.info.version} (${r.method}): ${r.interactions.toLocaleString('en-GB')} purchases, ${r.users} people, ${r.items} items, up to ${r.trainedUntil}; trained in ${r.seconds.toFixed(1)} s` +
          `\n${r.pointer ? 'now current' : 'published, not current (promote it to serve it)'}${r.pointer?.previous ? `; previous ${r.pointer.previous}` : ''}`,
      );
    });
  const models = program.command('models').description('the model registry: versions, promote, rollback (takes effect within a minute, no redeploy)');
  const registryFor = (bucket?: string) => {
    const target = bucket ? undefined : localTarget({ writeKey: 'unused' });
    return new S3ModelRegistry(s3For(target), bucket ?? target!.resources!.MODELS_BUCKET);
  };
  models
    .command('list <model>')
    .description('published versions, newest first, with their headline metrics (* current, < what a rollback restores)')
    .option('--models-bucket <name>', 'models bucket (default: the local platform’s)')
    .action(async (name: string, o: { modelsBucket?: string }) => console.log(formatModelListing(await listModel(registryFor(o.modelsBucket), name))));
  models
    .command('promote <model> <version>')
    .description('make a published version current')
    .option('--models-bucket <name>', 'models bucket (default: the local platform’s)')
    .action(async (name: string, version: string, o: { modelsBucket?: string }) => {
      const p = await promoteModel(registryFor(o.modelsBucket), name, version);
      console.log(`${name}: current ${p.version}${p.previous ? ` (was ${p.previous})` : ''}`);
    });
  models
    .command('rollback <model>')
    .description('make the version current before this one current again')
    .option('--models-bucket <name>', 'models bucket (default: the local platform’s)')
    .action(async (name: string, o: { modelsBucket?: string }) => {
      const p = await rollback(registryFor(o.modelsBucket), name);
      console.log(`${name}: rolled back to ${p.version}`);
    });
  program
    .command('catalog')
    .description('the product catalog')
    .command('import <file>')
    .description('load products (Online Retail csv/csv.gz, or a CSV with item_id,name,category,price) into the registry and the Personalize items file')
    .option('--models-bucket <name>', 'models bucket (default: the local platform’s)')
    .option('--interactions-bucket <name>', 'bucket for Personalize’s items CSV (default: the local platform’s interactions bucket)')
    .option('--items-dataset <arn>', 'also put the items into this Personalize items dataset (the ItemsDatasetArn output of Sightline-Personalize)')
    .action(async (file: string, o: { modelsBucket?: string; interactionsBucket?: string; itemsDataset?: string }) => {
      const target = o.modelsBucket ? undefined : localTarget({ writeKey: 'unused' });
      const { catalog, lines } = await readCatalogFile(file);
      const { info } = await importCatalog({ s3: s3For(target), modelsBucket: o.modelsBucket ?? target!.resources!.MODELS_BUCKET, interactionsBucket: o.interactionsBucket ?? target?.resources?.INTERACTIONS_BUCKET, catalog });
      console.log(`catalog ${info.version}: ${catalog.items.length.toLocaleString('en-GB')} items from ${lines.toLocaleString('en-GB')} product lines`);
      if (o.itemsDataset) {
        const calls = await new PersonalizeItems(new PersonalizeEventsClient({}), o.itemsDataset).put(catalog.items);
        console.log(`Personalize items dataset: ${catalog.items.length} items in ${calls} PutItems calls`);
      }
    });
  program
    .command('recommend <userId>')
    .description('ask the API for a person’s recommendations (or --similar <itemId>)')
    .option('-n <n>', 'how many', positiveInt, 10)
    .option('--similar', 'treat the id as an item and list similar items')
    .option('--all-items', 'include what the person bought before')
    .option('--endpoint <url>')
    .action(async (id: string, o: { n: number; similar?: boolean; allItems?: boolean; endpoint?: string }) => {
      const target = localTarget({ endpoint: o.endpoint, writeKey: 'unused' });
      const path = o.similar ? `/v1/items/${encodeURIComponent(id)}/similar?n=${o.n}` : `/v1/recommendations/${encodeURIComponent(id)}?n=${o.n}&excludePurchased=${!o.allItems}`;
      const { status, body } = await fetchRecommendations(target.apiUrl, path);
      if (status !== 200) {
        console.error(`${status}: ${JSON.stringify(body)}`);
        process.exitCode = 1;
        return;
      }
      console.log(formatRecommendations(body as Parameters<typeof formatRecommendations>[0]));
    });
  program
    .command('score')
    .description('score every profile with the current propensity, churn and lifetime-value models, as of a date (recency ages without events)')
    .option('--as-of <date>', 'ISO date (default: now)', instant)
    .option('--table <name>', 'profiles table (default: the local platform’s)')
    .option('--models-bucket <name>', 'models bucket (default: the local platform’s)')
    .action(async (o: { asOf?: Date; table?: string; modelsBucket?: string }) => {
      const target = o.table ? undefined : localTarget({ writeKey: 'unused' });
      const models = await currentScoreModels(s3For(target), o.modelsBucket ?? target!.resources!.MODELS_BUCKET);
      if (!models.length) throw new InvalidArgumentError('no scoring model is trained yet: sightline train churn|clv (from profiles) or propensity --data <file>');
      const r = await scoreAll(dynamoFor(target), o.table ?? target!.resources!.PROFILES_TABLE_NAME, models, o.asOf ?? new Date());
      console.log(`${r.profiles} profiles with ${models.map((m) => `${m.model} ${m.version}`).join(', ')}: ${r.scored} re-scored, ${r.unchanged} unchanged, ${r.skipped} without a model that applies`);
    });
  program
    .command('drift')
    .description('population stability (PSI) of each current model’s features and score: profiles now against its training data')
    .option('--as-of <date>', 'compute time features as of this date (default: each profile’s own tag time)', instant)
    .option('--top <n>', 'features shown per model', positiveInt, 5)
    .option('--table <name>', 'profiles table (default: the local platform’s)')
    .option('--models-bucket <name>', 'models bucket (default: the local platform’s)')
    .option('--json', 'print the reports as JSON')
    .action(async (o: { asOf?: Date; top: number; table?: string; modelsBucket?: string; json?: boolean }) => {
      const target = o.table ? undefined : localTarget({ writeKey: 'unused' });
      const reports = await driftCommand({ ddb: dynamoFor(target), table: o.table ?? target!.resources!.PROFILES_TABLE_NAME, s3: s3For(target), modelsBucket: o.modelsBucket ?? target!.resources!.MODELS_BUCKET, asOf: o.asOf });
      console.log(o.json ? JSON.stringify(reports, null, 2) : formatDrift(reports, o.top));
    });
  program
    .command('fairness <model>')
    .description('fairness of the campaign selection by age band, marital status and education, with mitigations (model: propensity)')
    .requiredOption('--data <path>', 'bank-additional-full.csv.gz (labelled outcomes are needed)')
    .option('--fraction <f>', 'share of people the campaign contacts (its threshold)', (v) => {
      const n = Number(v);
      if (!(n > 0 && n < 1)) throw new InvalidArgumentError('must be between 0 and 1');
      return n;
    }, 0.1)
    .option('--attribute <name...>', 'group by these only: age_band, marital, education')
    .option('--family <family>', 'logistic (what train propensity publishes on Bank Marketing) or gbm', (v) => {
      if (v !== 'logistic' && v !== 'gbm') throw new InvalidArgumentError('must be logistic or gbm');
      return v;
    }, 'logistic')
    .action(async (model: string, o: { data: string; fraction: number; attribute?: string[]; family: 'logistic' | 'gbm' }) => {
      if (model !== 'propensity') throw new InvalidArgumentError('fairness is measured for propensity (the model that selects people for campaigns)');
      const r = await fairnessCommand({ data: o.data, fraction: o.fraction, attribute: o.attribute, family: o.family, progress: (m) => process.stderr.write(`\r\x1b[K${m}`) });
      process.stderr.write('\r\x1b[K');
      console.log(formatFairness(r));
    });
  // ── more commands (campaign, export, erase …) go here, each a thin action over a
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
