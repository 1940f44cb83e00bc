/**
 * One page of a segment's send loop in the Campaign state machine
 * (functions/domain/campaigns/send-page.ts, run-campaign.ts): the marketer's control, then
 * eligibility, arms, claims and sends, paced to the SES account's rate shared by segments.
 */
import type { Context } from 'aws-lambda';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { logger } from '../shared/powertools.ts';
import { createServices } from '../shared/services.ts';
import { getSendQuota } from '../adapters/ses-email-sender.ts';
import { RetryableSendError } from '../adapters/send-errors.ts';
import { sendStep, type SegmentTask, type StepResult } from '../domain/campaigns/run-campaign.ts';
import type { SendPageDeps } from '../domain/campaigns/send-page.ts';
import type { CampaignStore } from '../domain/campaigns/campaign-store.ts';
import { channelSender, type Sender } from '../domain/campaigns/ports.ts';
import { recommendationsForProfile } from '../domain/campaigns/recommended-slots.ts';
import { CachedModel } from '../domain/shared/model-registry.ts';
import { catalogIndex, parseCatalog } from '../domain/recommend/catalog.ts';
import { createProvider } from '../domain/recommend/create-provider.ts';
import { parseRecommenderModel } from '../domain/recommend/model-schema.ts';

export type SendCampaignPageDeps = Omit<SendPageDeps, 'unsubscribe' | 'ratePerSecond'> & {
  store: CampaignStore;
  /** Resolved once per container: the signing key and the send rate. */
  setup: () => Promise<Pick<SendPageDeps, 'unsubscribe' | 'ratePerSecond'>>;
};

export function makeSendCampaignPage(deps: SendCampaignPageDeps) {
  let ready: Promise<Pick<SendPageDeps, 'unsubscribe' | 'ratePerSecond'>> | undefined;
  return async (task: SegmentTask, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<StepResult> => {
    ready ??= deps.setup().catch((err) => {
      ready = undefined;
      throw err;
    });
    const out = await sendStep(task, { ...deps, ...(await ready), ...(context ? { timeLeftMs: () => context.getRemainingTimeInMillis() } : {}) });
    logger.info('campaign page', { campaignId: out.campaignId, segment: out.segment, done: out.done, paused: out.paused, throttled: out.throttled, sent: out.totals.sent });
    return out;
  };
}

const env = loadEnv('send-campaign-page');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
const profiles = services.profileStore(env.PROFILES_TABLE_NAME);
const ses = services.clients.ses();
// Templates' `recommendations`: the registry's current recommender and catalog (re-checked once a minute).
const registry = env.MODELS_BUCKET ? services.modelRegistry(env.MODELS_BUCKET) : undefined;
const recommender = registry && new CachedModel(registry, env.RECOMMENDER_MODEL, (body) => createProvider(parseRecommenderModel(body)), 60_000);
const catalog = registry && new CachedModel(registry, 'catalog', (body) => catalogIndex(parseCatalog(body)), 60_000);
const recommendations = recommender && catalog
  ? async (profile: Parameters<typeof recommendationsForProfile>[0], slot: { slots: number; excludePurchased: boolean }) => {
      const [model, items] = await Promise.all([recommender.get(), catalog.get()]);
      return model ? recommendationsForProfile(profile, slot, { provider: model.model, catalog: items?.model }) : [];
    }
  : undefined;
// The webhook sender needs its signing key: read once, at the first webhook message.
let webhook: Promise<Sender> | undefined;
const webhookChannel: Sender = async (m) => (await (webhook ??= services.webhookKey(env).then((secret) => services.webhookSender({ secret }))))(m);
export const sendCampaignPage = makeSendCampaignPage({
  store: services.campaignStore(env.CAMPAIGNS_TABLE_NAME),
  profiles,
  scores: profiles,
  records: services.sendRecords(env.CAMPAIGNS_TABLE_NAME),
  suppressions: services.suppressions(env.CAMPAIGNS_TABLE_NAME),
  caps: services.frequencyCaps(env.CAMPAIGNS_TABLE_NAME),
  sender: channelSender({ email: services.emailSender(env.SES_CONFIGURATION_SET ? { configurationSetName: env.SES_CONFIGURATION_SET } : {}), sms: services.smsSender(), webhook: webhookChannel }),
  ...(recommendations ? { recommendations } : {}),
  isNotAccepted: (err) => err instanceof RetryableSendError && err.notAccepted,
  now: () => new Date(),
  setup: async () => ({
    unsubscribe: { baseUrl: env.UNSUBSCRIBE_URL, secret: await services.signingKey(env) },
    ratePerSecond: env.SEND_RATE_PER_SECOND || (await getSendQuota(ses)).maxSendRate,
  }),
});
export const handler = withPowertools(sendCampaignPage);
