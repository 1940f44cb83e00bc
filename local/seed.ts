/**
 * Seeds the synthetic demo shop into a running local platform, brings tags current as of
 * now, and prints what a newcomer should see: tag counts and a few tagged profiles.
 */
import type { Platform } from './platform.ts';
import type { LocalConfig } from './config.ts';
import { replayDemo } from '../cli/commands/replay.ts';
import { formatProfile, retagAll, scanProfiles } from '../cli/commands/profiles.ts';
import { fetchRecommendations, formatRecommendations, importCatalog, profileCountries, trainRecommenderCommand } from '../cli/commands/recommender.ts';
import { CatalogBuilder } from '../functions/domain/recommend/catalog.ts';
import { demoCatalogLines } from '../datasets/demo-shop.ts';
import { currentScoreModels, scoreAll } from '../cli/commands/train-scores.ts';
import { trainScoreModels } from '../functions/domain/score/train-score-models.ts';
import { SCORE_MODEL_NAMES } from '../schemas/profile.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './config.ts';
import { campaignStatusCommand, formatCampaignStatus } from '../cli/commands/campaigns.ts';
import { campaignReportCommand, formatCampaignReport } from '../cli/commands/campaign-report.ts';
import { simulateCampaign, type ResponsePlan } from './simulate-responses.ts';
import { sendEvents } from '../cli/commands/send-events.ts';
import { STATE_DIR } from './config.ts';

export async function seedDemo(platform: Platform, config: LocalConfig): Promise<void> {
  console.log('Seeding the synthetic demo shop (seed 7) through the event API…');
  const r = await replayDemo({ apiUrl: config.apiUrl, writeKey: config.writeKey, progress: process.stdout.isTTY });
  await platform.waitForIdle(10 * 60_000);
  const table = platform.resource('tag-profiles', 'PROFILES_TABLE_NAME');
  await retagAll(platform.services, table, new Date());
  const profiles = (await scanProfiles(platform.services, table)).filter((p) => !p.mergedInto);
  const counted = profiles.reduce((s, p) => s + p.aggregates.events, 0);
  const count = (tag: string) => {
    const m = new Map<string, number>();
    for (const p of profiles) if (p.tags[tag] !== undefined) m.set(String(p.tags[tag]), (m.get(String(p.tags[tag])) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  };
  console.log(`
Demo shop: ${r.send.sent} events sent, ${r.send.accepted} accepted; ${counted} counted in ${profiles.length} profiles (the rest are bot and test traffic, kept in the failed-events store).
  lifecycle      ${count('lifecycle')}
  rfm_segment    ${count('rfm_segment')}
  flags          loyal ${profiles.filter((p) => p.tags.loyal).length}, one_time_buyer ${profiles.filter((p) => p.tags.one_time_buyer).length}, high_value ${profiles.filter((p) => p.tags.high_value).length}, returns_heavy ${profiles.filter((p) => p.tags.returns_heavy).length}
  price          ${count('price_sensitivity')}
`);
  const show = ['champions', 'at_risk', 'lost', 'new_customers'].map((seg) => profiles.find((p) => p.tags.rfm_segment === seg)).filter((p) => p !== undefined);
  for (const p of show) console.log(`${formatProfile(p)}\n`);
  await seedRecommender(platform, config, show[0]?.identities.userIds[0]);
  await seedScores(platform, show[1]?.profileId ?? show[0]?.profileId);
  await seedCampaign(platform, config);
}

/**
 * One small demo campaign on the demo shop (two subject lines, a 10 % holdout, a frequency
 * cap), run by the synthesized Campaign state machine; mail lands in aws-ses-v2-local.
 */
async function seedCampaign(platform: Platform, config: LocalConfig): Promise<void> {
  const file = join(REPO_ROOT, 'examples', 'campaigns', 'demo-spring-sale.json');
  const input = readFileSync(file, 'utf8');
  const sm = platform.stepFunctions.find('Campaign');
  const id = (JSON.parse(input) as { id: string }).id;
  console.log(`Running the demo campaign ${id} (examples/campaigns/demo-spring-sale.json) through the Campaign state machine…`);
  const e = await platform.stepFunctions.start(sm.arn, input, id).done;
  const status = await campaignStatusCommand(id, { services: platform.services, table: platform.resource('start-campaign', 'CAMPAIGNS_TABLE_NAME'), profilesTable: platform.resource('tag-profiles', 'PROFILES_TABLE_NAME') });
  console.log(`${formatCampaignStatus({ ...status, execution: { status: e.status, ...(e.error ? { error: e.error, cause: e.cause } : {}) } }).text}
  mail: ${platform.ses.url}/ (web view), ${platform.ses.url}/store (JSON); ${e.transitions} state transitions\n`);
  if (e.status === 'SUCCEEDED') await measureDemoCampaign(platform, config, id);
}

/**
 * What recipients would do, simulated (local/simulate-responses.ts, seed 12): planted rates
 * — holdout 4 % conversion, variant a 8 %, b 14 %, 2 % bounces, clicks — with time
 * compressed (one planted hour = one second), through record-feedback and the event API; then
 * the attribution consumer credits the orders and the report shows what was recovered.
 */
export const DEMO_RESPONSES: ResponsePlan = {
  seed: 12,
  arms: {
    holdout: { conversion: 0.04, revenue: 40 },
    a: { conversion: 0.08, click: 0.2, delivery: 0.98, complaint: 0.005, revenue: 40 },
    b: { conversion: 0.14, click: 0.3, delivery: 0.98, complaint: 0.005, revenue: 40 },
  },
};

async function measureDemoCampaign(platform: Platform, config: LocalConfig, id: string): Promise<void> {
  const table = platform.resource('start-campaign', 'CAMPAIGNS_TABLE_NAME');
  const profilesTable = platform.resource('tag-profiles', 'PROFILES_TABLE_NAME');
  const records = platform.services.sendRecords(table);
  const profiles = platform.services.profileStore(profilesTable);
  await platform.sesDeliveries.drain();
  const sim = await simulateCampaign(id, DEMO_RESPONSES, {
    src: { listRecords: (c, o) => records.listRecords(c, o), getProfiles: (ids) => profiles.getProfiles(ids) },
    feedback: (ev) => platform.functions.get('record-feedback')!.invoke(ev),
    track: async (events) => void (await sendEvents(events, { apiUrl: config.apiUrl, writeKey: config.writeKey })),
    now: new Date(),
    hourMs: 1000,
    skipDeliveries: true,
  });
  await platform.waitForIdle(5 * 60_000);
  console.log(`Simulated responses (seed ${DEMO_RESPONSES.seed}; planted conversion: holdout 4 %, a 8 %, b 14 %): ${sim.conversions} orders, ${sim.feedback.bounce} bounces, ${sim.feedback.click} clicks, ${sim.feedback.complaint} complaints for ${sim.recipients} recipients.`);
  const report = await campaignReportCommand(id, { services: platform.services, table, profilesTable, out: join(STATE_DIR, 'reports', `${id}.json`) });
  console.log(`${formatCampaignReport(report).text}
  (npm run sightline -- campaign report ${id}; JSON in .sightline/reports/${id}.json)\n`);
}

/**
 * Trains response propensity (from the demo's spring campaign contacts), churn risk and
 * lifetime value from the demo profiles (what the weekly job does in AWS), re-scores every
 * profile (the daily job), and shows one at-risk customer's scores with their explanations. From here on, every event Tag applies re-scores its profile
 * through the profile-changes stream.
 */
async function seedScores(platform: Platform, profileId: string | undefined): Promise<void> {
  const { services } = platform;
  const table = platform.resource('tag-profiles', 'PROFILES_TABLE_NAME');
  const modelsBucket = platform.resource('score-profiles', 'MODELS_BUCKET');
  const asOf = new Date();
  const trained = await trainScoreModels(await scanProfiles(services, table), { models: SCORE_MODEL_NAMES, registry: services.modelRegistry(modelsBucket), at: asOf, source: `profiles:${table}` });
  for (const t of trained) console.log(t.version ? `Scoring model ${t.model} ${t.version}: ${t.verdict}${t.promoted ? '' : ' (not made current)'}` : `Scoring model ${t.model} not trained: ${t.verdict}`);
  const models = await currentScoreModels(services, modelsBucket);
  const r = await scoreAll(services, table, models, asOf);
  console.log(`Scored ${r.scored} of ${r.profiles} profiles with ${models.map((m) => m.model).join(', ')} (re-score: npm run sightline -- score; drift: npm run sightline -- drift).\n`);
  if (!profileId) return;
  const store = services.profileStore(table);
  const p = await store.getProfile(profileId);
  if (p) console.log(`${formatProfile({ ...p, scores: (await store.getScores([profileId])).get(profileId)?.scores })}\n`);
}

/** Imports the demo catalog, trains the embedded recommender from the archived interactions, and shows one answer of the API. */
async function seedRecommender(platform: Platform, config: LocalConfig, userId: string | undefined): Promise<void> {
  const { services } = platform;
  const modelsBucket = platform.resource('get-recommendations', 'MODELS_BUCKET');
  const interactionsBucket = platform.resource('archive-interactions', 'INTERACTIONS_BUCKET');
  const catalog = new CatalogBuilder();
  for (const line of demoCatalogLines()) catalog.add(line);
  await importCatalog({ services, modelsBucket, interactionsBucket, catalog: catalog.build(new Date()) });
  const countries = await profileCountries(services, platform.resource('tag-profiles', 'PROFILES_TABLE_NAME'));
  const t = await trainRecommenderCommand({ services, modelsBucket, interactionsBucket, countries });
  console.log(`Recommender ${t.info.version}: ${t.method}, trained on ${t.interactions} archived purchases of ${t.users} people (retrain: npm run sightline -- train recommender).`);
  if (!userId) return;
  const { status, body } = await fetchRecommendations(config.apiUrl, `/v1/recommendations/${encodeURIComponent(userId)}?n=5`);
  if (status === 200) console.log(`GET /v1/recommendations/${userId}?n=5\n${formatRecommendations(body as Parameters<typeof formatRecommendations>[0])}\n`);
  else console.log(`GET /v1/recommendations/${userId} answered ${status}: ${JSON.stringify(body)}`);
}
