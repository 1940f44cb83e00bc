/**
 * The Erasure state machine's first and last steps (functions/domain/privacy/erasure.ts):
 * `resolve` finds who the job is about and keeps the subject on the job; `finish` writes
 * the receipt and removes the subject, the id and the nonce from the job.
 */
import { randomBytes } from 'node:crypto';
import { loadEnv } from '../shared/env.ts';
import { withPowertools } from '../shared/middleware.ts';
import { createServices } from '../shared/services.ts';
import { finishErasure, resolveErasure, staticNotes } from '../domain/privacy/erasure.ts';
import { resolveSubject } from '../domain/privacy/resolve-subject.ts';
import type { ErasureJobStore, ErasureReceipt, ProfileGraph } from '../domain/privacy/ports.ts';

export interface EraseJobEvent {
  job: string;
  action: 'resolve' | 'finish';
}

export function makeEraseJob(deps: { jobs: ErasureJobStore; graph: ProfileGraph; notes: ReturnType<typeof staticNotes> }) {
  return async (event: EraseJobEvent): Promise<{ job: string; profileFound: boolean } | ErasureReceipt> => {
    if (event.action === 'resolve') {
      const r = await resolveErasure(event.job, { jobs: deps.jobs, resolve: (id) => resolveSubject(id, deps.graph), nonce: () => randomBytes(16).toString('hex') });
      return { job: r.job, profileFound: r.profileFound };
    }
    return finishErasure(event.job, { jobs: deps.jobs, notes: deps.notes, now: () => new Date() });
  };
}

const env = loadEnv('erase-job');
const services = createServices({ s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
export const eraseJob = makeEraseJob({
  jobs: services.erasureJobs(env.PRIVACY_TABLE_NAME),
  graph: services.profileStore(env.PROFILES_TABLE_NAME),
  notes: staticNotes({ kinesisRetentionHours: env.KINESIS_RETENTION_HOURS, dedupTtlHours: env.DEDUP_TTL_HOURS, personalize: env.PERSONALIZE_ENABLED }),
});
export const handler = withPowertools(eraseJob);
