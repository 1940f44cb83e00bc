/**
 * The Erasure state machine's Personalize steps (AWS only; functions/domain/privacy/
 * personalize-erasure.ts): `start` a data deletion job for the subject's user ids, `poll`
 * its status until it ended (the state machine waits between polls).
 */
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { createServices } from '../shared/services.ts';
import { staticNotes } from '../domain/privacy/erasure.ts';
import { pollPersonalizeErasure, startPersonalizeErasure } from '../domain/privacy/personalize-erasure.ts';

const env = loadEnv('erase-personalize');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
const jobs = services.erasureJobs(env.PRIVACY_TABLE_NAME);
const eraser = services.personalizeEraser({ bucket: env.INTERACTIONS_BUCKET, datasetGroupArn: env.PERSONALIZE_DATASET_GROUP_ARN, roleArn: env.PERSONALIZE_ROLE_ARN });
const notes = staticNotes({ kinesisRetentionHours: env.KINESIS_RETENTION_HOURS, dedupTtlHours: env.DEDUP_TTL_HOURS, personalize: true }).personalize;
export const handler = withPowertools(async (event: { job: string; action: 'start' | 'poll' }) =>
  event.action === 'start' ? startPersonalizeErasure(event.job, { jobs, eraser }) : pollPersonalizeErasure(event.job, { jobs, eraser, notes }),
);
