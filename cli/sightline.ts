#!/usr/bin/env -S npx tsx
/**
 * The `sightline` command (run it as `npm run sightline -- <command>`): a router. Each action
 * is one call into a command module (cli/commands/, also callable from the local platform,
 * benchmarks and tests) and one into its formatter (cli/output.ts prints it, or the JSON).
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { show } from './output.ts';
import { formatErase, formatExport, privacyEraseCommand, privacyExportCommand } from './commands/privacy.ts';
import { formatConsentSet, formatConsentShow, setConsentCommand, showConsentCommand } from './commands/consent.ts';
import { formatBankReplay, formatClickstreamReplay, formatDemoReplay, formatOnlineRetailReplay, replayBankMarketingCommand, replayClickstreamCommand, replayDemoCommand, replayOnlineRetailCommand } from './commands/replay.ts';
import { createSourceCommand, formatProfileAnswer, formatRetag, formatSource, retagCommand, showProfileCommand } from './commands/profiles.ts';
import { driftFromFlags, formatDrift, formatScore, scoreCommand } from './commands/train-scores.ts';
import { formatTrain, trainCommand } from './commands/train.ts';
import { fairnessCommand, formatFairness } from './commands/fairness.ts';
import { formatModelListing, formatPromote, formatRollback, listModelCommand, promoteModelCommand, rollbackCommand } from './commands/models.ts';
import { formatCatalogImport, formatRecommendAnswer, importCatalogCommand, recommendCommand } from './commands/recommender.ts';
import { recommenderMethodSchema, type RecommenderMethod } from '../functions/domain/recommend/model-schema.ts';
import {
  campaignControlCommand,
  campaignPreviewCommand,
  campaignStartCommand,
  campaignStatusCommand,
  formatCampaignStatus,
  formatControl,
  formatPreview,
  formatSegment,
  formatSegmentPreview,
  formatSegments,
  segmentCreateCommand,
  segmentListCommand,
  segmentPreviewCommand,
  waitForCampaign,
} from './commands/campaigns.ts';
import { clusterFlagsCommand, formatClusters } from './commands/clusters.ts';
import { campaignFeedbackCommand, campaignReportCommand, formatCampaignReport, formatFeedback } from './commands/campaign-report.ts';

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
  const program = new Command('sightline').description('Sightline: collect, clean, profile, tag, score and recommend').showHelpAfterError();
  const method = (v: string): RecommenderMethod => {
    const r = recommenderMethodSchema.safeParse(v);
    if (!r.success) throw new InvalidArgumentError(`must be one of ${recommenderMethodSchema.options.join(', ')}`);
    return r.data;
  };
  const fraction = (v: string) => {
    const n = Number(v);
    if (!(n > 0 && n < 1)) throw new InvalidArgumentError('must be between 0 and 1');
    return n;
  };
  const family = (v: string) => {
    if (v !== 'logistic' && v !== 'gbm') throw new InvalidArgumentError('must be logistic or gbm');
    return v;
  };

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
    .action(async (file: string, o) => show(await replayOnlineRetailCommand(file, o), formatOnlineRetailReplay, o.json));
  replay
    .command('bank-marketing <file>')
    .description('replay UCI Bank Marketing (bank-additional-full.csv[.gz]): identify per client, Campaign Contacted with its context and outcome (no duration)')
    .option('--endpoint <url>', 'event API base URL (default: the local platform)')
    .option('--write-key <key>', 'write key (default: the local demo source)')
    .option('--limit <rows>', 'only the first N rows', positiveInt)
    .option('--json', 'print the result as JSON')
    .action(async (file: string, o) => show(await replayBankMarketingCommand(file, o), formatBankReplay, o.json));
  replay
    .command('demo')
    .description('send the seeded synthetic demo shop')
    .option('--seed <n>', 'generator seed', integer, 7)
    .option('--end <date>', 'last instant of the simulated history (default: now); fix it for identical events', instant)
    .option('--endpoint <url>', 'event API base URL (default: the local platform)')
    .option('--write-key <key>', 'write key (default: the local demo source)')
    .option('--json', 'print the result as JSON')
    .action(async (o) => show(await replayDemoCommand(o), formatDemoReplay, o.json));
  replay
    .command('clickstream')
    .description('send a seeded web-shop clickstream as browser SDKs batch it (datasets/clickstream.ts: sessions, views, adds, orders, logins)')
    .option('--users <n>', 'users (the workload is defined for 100,000)', positiveInt, 100_000)
    .option('--days <n>', 'days of traffic (3 sessions per user per 30 days)', positiveInt, 30)
    .option('--seed <n>', 'generator seed', integer, 1)
    .option('--end <date>', 'end of the period (default 2026-11-01T00:00Z)', instant)
    .option('--catalog <file>', 'take products from the Online Retail file (or an item list) instead of the demo catalog')
    .option('--clients <n>', 'concurrent senders', positiveInt, 16)
    .option('--endpoint <url>', 'event API base URL (default: the local platform)')
    .option('--write-key <key>', 'write key (default: the local demo source)')
    .option('--json', 'print the result as JSON')
    .action(async (o) => show(await replayClickstreamCommand(o), formatClickstreamReplay, o.json));

  // ── profiles, tags and sources ─────────────────────────────────────────────────────────
  program
    .command('profile <id>')
    .description('show a profile with its tags (id: a userId, or user:/anon:/email:/profile:<id>)')
    .option('--endpoint <url>')
    .option('--json', 'print the raw profile')
    .action(async (id: string, o) => show(await showProfileCommand(id, o), formatProfileAnswer, o.json));
  program
    .command('retag')
    .description('re-evaluate every profile’s tags as of a date (recency ages without events)')
    .option('--as-of <date>', 'ISO date (default: now)', instant)
    .option('--table <name>', 'profiles table (default: the local platform’s)')
    .action(async (o) => show(await retagCommand(o), formatRetag));
  program
    .command('source')
    .description('event sources (write keys)')
    .command('create <name>')
    .description('create a source; prints its write key once (only its hash is stored)')
    .option('--table <name>', 'sources table (the SourcesTableName stack output; default: the local platform’s)')
    .action(async (name: string, o) => show(await createSourceCommand(name, o), formatSource));

  // ── models: training, the registry and the catalog ─────────────────────────────────────
  program
    .command('train <model>')
    .description('train a model and publish it to the model registry (models: recommender, propensity, churn, clv)')
    .option('--data <path>', 'recommender: a file (Online Retail, or an interaction-log CSV) instead of the platform’s interaction log; propensity: bank-additional-full.csv.gz (required); churn, clv: online-retail.csv.gz instead of the platform’s profiles')
    .option('--method <method>', 'recommender: popularity, item-item, ease (default, chosen by measurement) or als', method)
    .option('--as-of <date>', 'train on what happened up to this instant', instant)
    .option('--no-promote', 'publish the version without making it current')
    .option('--models-bucket <name>', 'models bucket (the ModelsBucketName stack output; default: the local platform’s)')
    .option('--interactions-bucket <name>', 'interactions bucket (InteractionsBucketName; default: the local platform’s)')
    .option('--json', 'print the result as JSON')
    .action(async (model: string, o) => show(await trainCommand(model, o), formatTrain, o.json));
  const models = program.command('models').description('the model registry: versions, promote, rollback (takes effect within a minute, no redeploy)');
  models
    .command('list <model>')
    .description('published versions, newest first, with their headline metrics (* current, < what a rollback restores)')
    .option('--models-bucket <name>', 'models bucket (default: the local platform’s)')
    .action(async (name: string, o) => show(await listModelCommand(name, o), formatModelListing));
  models
    .command('promote <model> <version>')
    .description('make a published version current')
    .option('--models-bucket <name>', 'models bucket (default: the local platform’s)')
    .action(async (name: string, version: string, o) => show(await promoteModelCommand(name, version, o), formatPromote));
  models
    .command('rollback <model>')
    .description('make the version current before this one current again')
    .option('--models-bucket <name>', 'models bucket (default: the local platform’s)')
    .action(async (name: string, o) => show(await rollbackCommand(name, o), formatRollback));
  program
    .command('catalog')
    .description('the product catalog')
    .command('import <file>')
    .description('load products (Online Retail csv/csv.gz, or a CSV with item_id,name,category,price) into the registry and the Personalize items file')
    .option('--models-bucket <name>', 'models bucket (default: the local platform’s)')
    .option('--interactions-bucket <name>', 'bucket for Personalize’s items CSV (default: the local platform’s interactions bucket)')
    .option('--items-dataset <arn>', 'also put the items into this Personalize items dataset (the ItemsDatasetArn output of Sightline-Personalize)')
    .action(async (file: string, o) => show(await importCatalogCommand(file, o), formatCatalogImport));
  program
    .command('recommend <userId>')
    .description('ask the API for a person’s recommendations (or --similar <itemId>)')
    .option('-n <n>', 'how many', positiveInt, 10)
    .option('--similar', 'treat the id as an item and list similar items')
    .option('--all-items', 'include what the person bought before')
    .option('--endpoint <url>')
    .action(async (id: string, o) => show(await recommendCommand(id, o), formatRecommendAnswer));

  // ── scores ──────────────────────────────────────────────────────────────────────────────
  program
    .command('score')
    .description('score every profile with the current propensity, churn and lifetime-value models, as of a date (recency ages without events)')
    .option('--as-of <date>', 'ISO date (default: now)', instant)
    .option('--table <name>', 'profiles table (default: the local platform’s)')
    .option('--models-bucket <name>', 'models bucket (default: the local platform’s)')
    .action(async (o) => show(await scoreCommand(o), formatScore));
  program
    .command('drift')
    .description('population stability (PSI) of each current model’s features and score: profiles now against its training data')
    .option('--as-of <date>', 'compute time features as of this date (default: each profile’s own tag time)', instant)
    .option('--top <n>', 'features shown per model', positiveInt, 5)
    .option('--table <name>', 'profiles table (default: the local platform’s)')
    .option('--models-bucket <name>', 'models bucket (default: the local platform’s)')
    .option('--json', 'print the reports as JSON')
    .action(async (o) => show(await driftFromFlags(o), (r) => formatDrift(r, o.top), o.json));
  program
    .command('fairness <model>')
    .description('fairness of the campaign selection by age band, marital status and education, with mitigations (model: propensity)')
    .requiredOption('--data <path>', 'bank-additional-full.csv.gz (labelled outcomes are needed)')
    .option('--fraction <f>', 'share of people the campaign contacts (its threshold)', fraction, 0.1)
    .option('--attribute <name...>', 'group by these only: age_band, marital, education')
    .option('--family <family>', 'logistic (what train propensity publishes on Bank Marketing) or gbm', family, 'logistic')
    .action(async (model: string, o) => {
      if (model !== 'propensity') throw new InvalidArgumentError('fairness is measured for propensity (the model that selects people for campaigns)');
      show(await fairnessCommand({ ...o, progress: (m) => process.stderr.write(`\r\x1b[K${m}`) }), formatFairness);
    });
  // ── consent (schemas/consent.ts) ───────────────────────────────────────────────────────
  const consent = program.command('consent').description('consent per channel and purpose: record (source cli) and show history + derived state');
  const consentTargets = (c: Command) =>
    c
      .option('--profiles-table <name>', 'profiles table (default: the local platform’s)')
      .option('--raw-stream <name>', 'raw stream (the Data stack output; default: the local platform’s)')
      .option('--failed-events-bucket <name>', 'failed-events bucket (default: the local platform’s)');
  consentTargets(consent.command('set <id> <key> <status>').description('record <channel.purpose|purpose> granted|denied|withdrawn for a profile (id as for `profile`)'))
    .option('--json', 'print the result as JSON')
    .action(async (id: string, key: string, status: string, o) => show(await setConsentCommand(id, key, status, o), formatConsentSet, o.json));
  consentTargets(consent.command('show <id>').description('the consent history of a profile and the state derived from it'))
    .option('--json', 'print history and state as JSON')
    .action(async (id: string, o) => show(await showConsentCommand(id, o), formatConsentShow, o.json));
  // ── privacy: right of access and erasure (functions/domain/privacy/) ──────────────────
  const privacy = program.command('privacy').description('right of access (export) and erasure, across every store');
  const privacyTargets = (c: Command) =>
    c
      .option('--profiles-table <name>', 'profiles table (default: the local platform’s)')
      .option('--campaigns-table <name>', 'campaigns table (default: the local platform’s)')
      .option('--failed-events-bucket <name>', 'failed-events bucket (default: the local platform’s)')
      .option('--interactions-bucket <name>', 'interactions bucket (default: the local platform’s)');
  privacyTargets(privacy.command('export <id>').description('everything held about a person (profile id, userId or anonymousId): one JSON document and a CSV of their events'))
    .option('--out <dir>', 'write the document and the CSV there')
    .option('--json', 'print the document as JSON')
    .action(async (id: string, o) => show(await privacyExportCommand(id, o), formatExport, o.json));
  privacy
    .command('erase <id>')
    .description('erase a person from every store (the Erasure state machine); a second request joins the first; after a failure it resumes')
    .option('--privacy-table <name>', 'privacy table (the PrivacyTableName output; default: the local platform’s)')
    .option('--state-machine-arn <arn>', 'the ErasureStateMachineArn output (default: the local platform’s)')
    .option('--no-wait', 'return once started')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, o) => show(await privacyEraseCommand(id, o), formatErase, o.json));
  // ── segments and campaigns ─────────────────────────────────────────────────────────────
  const target = (c: Command) =>
    c
      .option('--table <name>', 'campaigns table (the CampaignsTableName output; default: the local platform’s)')
      .option('--profiles-table <name>', 'profiles table (default: the local platform’s)')
      .option('--state-machine-arn <arn>', 'the CampaignStateMachineArn output (default: the local platform’s)');
  const segment = program.command('segment').description('audiences: saved segment definitions');
  target(segment.command('create <file>').description('save a segment definition (JSON)')).action(async (file: string, o) => show(await segmentCreateCommand(file, o), formatSegment));
  target(segment.command('list').description('saved segments')).action(async (o) => show(await segmentListCommand(o), formatSegments));
  target(segment.command('preview <fileOrId>').description('size, a sample and the breakdown by lifecycle and country (one scan)'))
    .option('--sample <n>', 'sample size', positiveInt, 10)
    .option('--json', 'print the preview as JSON')
    .action(async (id: string, o) => show(await segmentPreviewCommand(id, o), formatSegmentPreview, o.json));
  segment
    .command('cluster')
    .description('k-means clusters of purchase behaviour (k by silhouette over 2..8): publish model `clusters` and tag each buyer tags.cluster=<name>')
    .option('--k <n>', 'a fixed number of clusters (default: the best silhouette over 2..8)', positiveInt)
    .option('--as-of <date>', 'measure recency as of this instant (default: now)', instant)
    .option('--seed <n>', 'random seed (k-means++ starts, silhouette sample)', integer, 1)
    .option('--profiles-table <name>', 'profiles table (default: the local platform’s)')
    .option('--models-bucket <name>', 'models bucket (the ModelsBucketName output; default: the local platform’s)')
    .option('--no-promote', 'publish the version without making it current')
    .option('--json', 'print the result as JSON')
    .action(async (o) => show(await clusterFlagsCommand(o), formatClusters, o.json));
  const campaign = program.command('campaign').description('campaigns: Step Functions executions named by the campaign id');
  target(campaign.command('start <file>').description('start a campaign from its JSON definition (schemas/campaign.schema.json)'))
    .option('--wait', 'follow its progress until it ends')
    .action(async (file: string, o) => {
      const started = await campaignStartCommand(file, o);
      show(o.wait ? await waitForCampaign(started.campaignId, o) : await campaignStatusCommand(started.campaignId, o), formatCampaignStatus);
    });
  target(campaign.command('status <id>').description('progress: audience, sent, holdout, skipped by reason, deferred, failed'))
    .option('--json', 'print the status as JSON')
    .action(async (id: string, o) => show(await campaignStatusCommand(id, o), formatCampaignStatus, o.json));
  for (const [verb, control] of [['pause', 'paused'], ['resume', 'running'], ['cancel', 'cancelled']] as const) {
    target(campaign.command(`${verb} <id>`).description(`${verb} a running campaign (checked between pages; nobody is sent twice)`)).action(async (id: string, o) => show(await campaignControlCommand(id, control, o), formatControl));
  }
  target(campaign.command('report <id>').description('results per arm: delivered, bounced, clicked, converted, rate and lift vs holdout with intervals, revenue, the winner; stored and written as JSON'))
    .option('--k <n>', 'smallest group shown as a rate (k-anonymity)', positiveInt, 10)
    .option('--out <file>', 'where to write the report JSON (default locally: .sightline/reports/<id>.json)')
    .option('--json', 'print the report as JSON')
    .action(async (id: string, o) => show(await campaignReportCommand(id, o), formatCampaignReport, o.json));
  target(campaign.command('feedback <campaignId>').description('local platform: inject an SES event (SES shape, through record-feedback) for one person\'s send'))
    .requiredOption('--person <id>', 'the profile id on the send record')
    .requiredOption('--type <type>', 'bounce | complaint | click | delivery | open')
    .option('--bounce-type <t>', 'Permanent (suppresses; default) | Transient | Undetermined')
    .option('--link <url>', 'clicks: the link followed')
    .action(async (id: string, o) => show(await campaignFeedbackCommand(id, o), formatFeedback));
  target(campaign.command('preview <file>').description('each variant rendered for one person'))
    .requiredOption('--profile <id>', 'the person (a userId, or user:/anon:/profile:<id>)')
    .option('--test-to <address>', 'also send each variant as a proof to this address')
    .action(async (file: string, o) => show(await campaignPreviewCommand(file, o), formatPreview));
  // ── more commands (privacy …) go here: one command module call, one formatter ──
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
