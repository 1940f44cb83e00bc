/**
 * The Erasure state machine's steps for the campaigns table: `campaigns` (send records
 * anonymised, frequency counters deleted) and `suppression` (a hashed tombstone added, the
 * entries kept). functions/adapters/privacy-campaigns.ts says how.
 */
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { createServices } from '../shared/services.ts';
import { storeStep } from '../domain/privacy/erasure.ts';

const env = loadEnv('erase-campaigns');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
const stores = services.privacyStores({ campaignsTable: env.CAMPAIGNS_TABLE_NAME });
const deps = { jobs: services.erasureJobs(env.PRIVACY_TABLE_NAME), notes: { kinesisRetentionHours: env.KINESIS_RETENTION_HOURS, dedupTtlHours: env.DEDUP_TTL_HOURS, personalize: env.PERSONALIZE_ENABLED } };
const steps = { campaigns: storeStep(stores.campaigns!, deps), suppression: storeStep(stores.suppression!, deps) };
export const handler = withPowertools(async (event: { job: string; store: 'campaigns' | 'suppression' }) => {
  const step = steps[event.store];
  if (!step) throw new Error(`erase-campaigns: store must be campaigns or suppression`);
  return step(event.job);
});
