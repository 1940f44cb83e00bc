/**
 * Amazon Personalize's part of an erasure (AWS only), three steps the state machine loops
 * over: start a data deletion job for the subject's user ids (idempotent: the job's arn is
 * kept on the erasure job and a repeated start finds it), ask its status until it has ended,
 * then remove the user-id file and record the receipt's line. A FAILED deletion job fails
 * the step: the erasure is not complete and its execution says so.
 */
import { ErasureJobNotFoundError, ErasureNotResolvedError } from './erasure.ts';
import type { ErasureJobStore, PersonalizeEraser, StoreReceipt } from './ports.ts';

export class PersonalizeDeletionFailedError extends Error {
  override readonly name = 'PersonalizeDeletionFailedError';
}

export async function startPersonalizeErasure(jobId: string, deps: { jobs: ErasureJobStore; eraser: PersonalizeEraser }): Promise<{ job: string; done: boolean }> {
  const job = await deps.jobs.get(jobId);
  if (!job) throw new ErasureJobNotFoundError(jobId);
  if (job.results.personalize) return { job: jobId, done: true };
  if (!job.subject) throw new ErasureNotResolvedError();
  if (!job.personalizeJobArn) {
    const users = [...new Set([...job.subject.userIds, ...job.subject.anonymousIds])];
    await deps.jobs.saveFound(jobId, 'personalize', users.length);
    await deps.jobs.savePersonalizeJob(jobId, await deps.eraser.start(jobId, users));
  }
  return { job: jobId, done: false };
}

export async function pollPersonalizeErasure(jobId: string, deps: { jobs: ErasureJobStore; eraser: PersonalizeEraser; notes: string[] }): Promise<{ job: string; done: boolean }> {
  const job = await deps.jobs.get(jobId);
  if (!job) throw new ErasureJobNotFoundError(jobId);
  if (job.results.personalize) return { job: jobId, done: true };
  if (!job.personalizeJobArn) throw new Error('no Personalize deletion job: the start step has not run');
  const status = await deps.eraser.status(job.personalizeJobArn);
  if (status === 'FAILED') throw new PersonalizeDeletionFailedError('the Personalize data deletion job failed (DescribeDataDeletionJob says why)');
  if (status !== 'ACTIVE') return { job: jobId, done: false };
  await deps.eraser.finish(jobId);
  const users = job.found.personalize ?? 0;
  const result: StoreReceipt = { store: 'personalize', searched: true, found: users, removed: users, kept: 0, notes: deps.notes };
  await deps.jobs.saveResult(jobId, result);
  return { job: jobId, done: true };
}
