/** The Erasure state machine's step for the profiles table (profiles, scores, identity links, merged profiles): functions/domain/privacy/erasure.ts eraseStore. */
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { createServices } from '../shared/services.ts';
import { storeStep } from '../domain/privacy/erasure.ts';

const env = loadEnv('erase-profiles');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
const step = storeStep(services.privacyStores({ profilesTable: env.PROFILES_TABLE_NAME }).profiles!, {
  jobs: services.erasureJobs(env.PRIVACY_TABLE_NAME),
  notes: { kinesisRetentionHours: env.KINESIS_RETENTION_HOURS, dedupTtlHours: env.DEDUP_TTL_HOURS, personalize: env.PERSONALIZE_ENABLED },
});
export const handler = withPowertools(async (event: { job: string }) => step(event.job));
