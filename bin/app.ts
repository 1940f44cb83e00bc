/**
 * The CDK app: stage configuration, one stack per independently deployable piece, and
 * cdk-nag (AwsSolutions) on every synth. No resources are defined here.
 *
 * `buildApp` is also what the embedded local platform synthesizes (local/cdk-model.ts), so
 * what runs locally is what deploys.
 */
import { App, Aws, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { pathToFileURL } from 'node:url';
import { DataStack } from '../lib/stacks/data-stack.ts';
import { ProfilesStack } from '../lib/stacks/profiles-stack.ts';
import { CollectStack } from '../lib/stacks/collect-stack.ts';
import { CleanStack } from '../lib/stacks/clean-stack.ts';
import { TagStack } from '../lib/stacks/tag-stack.ts';
import { RecommendStack } from '../lib/stacks/recommend-stack.ts';
import { PersonalizeStack } from '../lib/stacks/personalize-stack.ts';
import { ScoreStack } from '../lib/stacks/score-stack.ts';
import { CampaignsStack } from '../lib/stacks/campaigns-stack.ts';
import { AuthStack } from '../lib/stacks/auth-stack.ts';
import { AdminStack } from '../lib/stacks/admin-stack.ts';
import { DashboardStack } from '../lib/stacks/dashboard-stack.ts';
import { PrivacyStack } from '../lib/stacks/privacy-stack.ts';

export function buildApp(app: App = new App()) {
  const stage = (app.node.tryGetContext('sightline:stage') as string | undefined) ?? 'dev';
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const data = new DataStack(app, 'Sightline-Data', { env, description: 'Sightline: event streams (raw, clean, profile changes) and buckets (failed events, interactions, models)' });
  const profiles = new ProfilesStack(app, 'Sightline-Profiles', { env, description: 'Sightline: profiles, identity graph, sources' });
  const collect = new CollectStack(app, 'Sightline-Collect', {
    env,
    description: 'Sightline: Segment-compatible event API',
    rawStream: data.data.rawStream,
    failedEventsBucket: data.data.failedEventsBucket,
    failedEventsWriterPolicy: data.data.failedEventsWriterPolicy,
    sourcesTable: profiles.profiles.sourcesTable,
    profilesTable: profiles.profiles.profilesTable,
  });
  const clean = new CleanStack(app, 'Sightline-Clean', {
    env,
    description: 'Sightline: clean consumer',
    rawStream: data.data.rawStream,
    cleanStream: data.data.cleanStream,
    failedEventsBucket: data.data.failedEventsBucket,
    failedEventsWriterPolicy: data.data.failedEventsWriterPolicy,
    idempotencyTable: profiles.profiles.idempotencyTable,
  });
  const tag = new TagStack(app, 'Sightline-Tag', {
    env,
    description: 'Sightline: profile and tag consumer',
    cleanStream: data.data.cleanStream,
    profilesTable: profiles.profiles.profilesTable,
    failedEventsBucket: data.data.failedEventsBucket,
    failedEventsWriterPolicy: data.data.failedEventsWriterPolicy,
    // Locally the demo and the UCI replay are historical: tag them as of their own time.
    clock: stage === 'local' ? 'event' : 'wall',
    changesStream: data.data.changesStream,
  });
  const score = new ScoreStack(app, 'Sightline-Score', {
    env,
    description: 'Sightline: scores with explanations, re-scoring, training and drift',
    changesStream: data.data.changesStream,
    profilesTable: profiles.profiles.profilesTable,
    modelsBucket: data.data.modelsBucket,
    failedEventsBucket: data.data.failedEventsBucket,
    failedEventsWriterPolicy: data.data.failedEventsWriterPolicy,
    modelsReaderPolicy: data.data.modelsReaderPolicy,
    scoreModelsWriterPolicy: data.data.scoreModelsWriterPolicy,
    // Locally the data is historical: score as of the profile's own time, as Tag does.
    clock: stage === 'local' ? 'profile' : 'wall',
  });
  // Personalize has no emulator: the local stage runs the embedded recommender alone.
  const personalize =
    stage === 'local'
      ? undefined
      : new PersonalizeStack(app, 'Sightline-Personalize', { env, description: 'Sightline: Personalize dataset group, datasets, solution', interactionsReaderPolicy: data.data.interactionsReaderPolicy });
  const recommend = new RecommendStack(app, 'Sightline-Recommend', {
    env,
    description: 'Sightline: interactions archive and recommendations API',
    cleanStream: data.data.cleanStream,
    interactionsBucket: data.data.interactionsBucket,
    modelsBucket: data.data.modelsBucket,
    profilesTable: profiles.profiles.profilesTable,
    failedEventsBucket: data.data.failedEventsBucket,
    failedEventsWriterPolicy: data.data.failedEventsWriterPolicy,
    interactionsWriterPolicy: data.data.interactionsWriterPolicy,
    modelsReaderPolicy: data.data.modelsReaderPolicy,
    httpApi: collect.collect.api,
    personalize: personalize && {
      datasetGroupArn: personalize.personalize.datasetGroupArn,
      interactionsDatasetArn: personalize.personalize.interactionsDatasetArn,
      solutionArn: personalize.personalize.solutionArn,
      importRoleArn: personalize.personalize.importRole.roleArn,
      pointerWriterPolicy: data.data.personalizePointerWriterPolicy,
      pointerReaderPolicy: data.data.personalizePointerReaderPolicy,
    },
  });
  // The verified SES identity campaigns send from (context `sightline:sesIdentity`, a domain).
  const sesIdentity = (app.node.tryGetContext('sightline:sesIdentity') as string | undefined) ?? 'example.com';
  const campaigns = new CampaignsStack(app, 'Sightline-Campaigns', {
    env,
    description: 'Sightline: campaigns (state machine, sending, unsubscribe)',
    campaignsTable: profiles.profiles.campaignsTable,
    profilesTable: profiles.profiles.profilesTable,
    httpApi: collect.collect.api,
    sesIdentityArn: `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/${sesIdentity}`,
    // `recommendations` slots in templates: the registry's current recommender and catalog.
    models: { bucket: data.data.modelsBucket, readerPolicy: data.data.modelsReaderPolicy },
    attribution: { cleanStream: data.data.cleanStream, failedEventsBucket: data.data.failedEventsBucket, failedEventsWriterPolicy: data.data.failedEventsWriterPolicy },
  });
  // Privacy: export and erasure across every store (Personalize's data deletion where it is deployed).
  const privacy = new PrivacyStack(app, 'Sightline-Privacy', {
    env,
    description: 'Sightline: right of access (export) and erasure (state machine, jobs, receipts)',
    profilesTable: profiles.profiles.profilesTable,
    campaignsTable: profiles.profiles.campaignsTable,
    failedEventsBucket: data.data.failedEventsBucket,
    interactionsBucket: data.data.interactionsBucket,
    dataKey: data.data.key,
    httpApi: collect.collect.api,
    // The raw and clean streams' retention (lib/constructs/data.ts), for the receipt's note.
    kinesisRetentionHours: 168,
    personalize: personalize && { datasetGroupArn: personalize.personalize.datasetGroupArn, roleArn: personalize.personalize.importRole.roleArn },
  });
  // Observe: the dashboard's users (Cognito), the admin API that trusts them, the static site.
  // `sightline:dashboardUrl`: where the dashboard is served (its DashboardUrl output, or a custom domain), for sign-in callbacks.
  const dashboardUrl = (app.node.tryGetContext('sightline:dashboardUrl') as string | undefined) ?? 'http://localhost:3100/dashboard/';
  const auth = new AuthStack(app, 'Sightline-Auth', { env, description: 'Sightline: dashboard users (Cognito user pool)', dashboardUrls: [dashboardUrl], domainPrefix: (app.node.tryGetContext('sightline:authDomainPrefix') as string | undefined) ?? `sightline-${stage}` });
  const admin = new AdminStack(app, 'Sightline-Admin', {
    env,
    description: 'Sightline: admin API (profiles, segments, campaigns, models, pipeline health)',
    profilesTable: profiles.profiles.profilesTable,
    campaignsTable: profiles.profiles.campaignsTable,
    modelsBucket: data.data.modelsBucket,
    modelsReaderPolicy: data.data.modelsReaderPolicy,
    scoreModelsWriterPolicy: data.data.scoreModelsWriterPolicy,
    failedEventsBucket: data.data.failedEventsBucket,
    rawStream: data.data.rawStream,
    campaignStateMachine: campaigns.campaigns.stateMachine,
    consumers: { 'clean-events': clean.clean.fn.fn, 'tag-profiles': tag.tag.fn.fn, 'score-profiles': score.score.scoreFunction.fn, 'archive-interactions': recommend.recommend.archiveFunction.fn },
    userPool: auth.auth.userPool,
    userPoolClient: auth.auth.client,
    scoreClock: stage === 'local' ? 'profile' : 'wall',
    healthSource: stage === 'local' ? 'streams' : 'cloudwatch',
  });
  const dashboard = new DashboardStack(app, 'Sightline-Dashboard', { env, description: 'Sightline: dashboard static site (S3 + CloudFront)', adminApi: admin.admin.api, signInUrl: auth.auth.domain.baseUrl(), userPoolClientId: auth.auth.client.userPoolClientId });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stacks: { data, privacy, profiles, collect, clean, tag, score, recommend, campaigns, auth, admin, dashboard }, personalize };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildApp().app.synth();
}
