/**
 * Erasure: the job, one step per store, and the receipt (ports.ts says the design).
 *
 * - `jobKey` is sha256 over a fixed prefix and the id: the job and the execution are named by
 *   it, so a second request for the same id joins the first, and the name is not the plain
 *   hash of any id (the proof test looks for those).
 * - `eraseStore` is one store's step, safe to run again after a crash at any point: the count
 *   first found is recorded before anything is removed, and the store's line on the receipt
 *   is `found` (that first count) and `removed` (found − what is still there afterwards). A
 *   finished store answers its recorded line at once.
 * - The stores nothing can be attributed in (idempotency keys, models, sources, the stream)
 *   are on the receipt too, not searched, each with the reason.
 */
import { createHash } from 'node:crypto';
import { InvalidRequestError } from '../shared/errors.ts';
import { PRIVACY_STORES, type Subject, type ErasureWorkflow, type ErasureJob, type ErasureJobStore, type ErasureReceipt, type PersonStore, type PrivacyStoreName, type StoreReceipt } from './ports.ts';

export const MAX_ID_LENGTH = 300;

/** The id a privacy request names, checked as the profile route checks it. */
export function checkPrivacyId(id: string | undefined): string {
  if (!id || id.length > MAX_ID_LENGTH) throw new InvalidRequestError('validation_failed', [{ field: 'id', rule: `must be 1 to ${MAX_ID_LENGTH} characters` }]);
  return id;
}

export const jobKey = (id: string): string => createHash('sha256').update(`sightline-erasure\n${id}`).digest('hex');
/** The Step Functions execution name: deterministic, 80 characters at most. */
export const executionName = (job: string): string => `erase-${job.slice(0, 40)}`;

export class ErasureJobNotFoundError extends Error {
  override readonly name = 'ErasureJobNotFoundError';
  constructor(job: string) {
    super(`no erasure job ${job.slice(0, 12)}…`);
  }
}
export class ErasureNotResolvedError extends Error {
  override readonly name = 'ErasureNotResolvedError';
  constructor() {
    super('the erasure job has no subject: the Resolve step has not run');
  }
}

/**
 * The receipt's notes for stores that are not searched, and for searched ones whose
 * erasure leaves something behind by design. `kinesisRetentionHours` comes from the stack.
 */
export function staticNotes(opts: NoteOptions): Record<PrivacyStoreName, string[]> {
  return {
    'failed-events': ['refused events carrying any of the ids or addresses were deleted; the bucket expires the rest after 30 days'],
    archive: ['each archive object holding their rows was rewritten without them (an object left empty was deleted), older versions of those objects deleted'],
    campaigns: ['send records anonymised (person id replaced by a random one, provider message id and feedback text dropped) so campaign totals still add up; frequency counters deleted'],
    suppression: ['a hashed tombstone (sha256 of the normalised address) is kept on the suppression list so the address is never emailed again, even after a re-import'],
    personalize: opts.personalize
      ? ['Amazon Personalize data deletion job completed for their user ids (removes their interactions from the datasets); solutions trained before remain until the next scheduled training']
      : ['no Amazon Personalize in this stage: the embedded recommender trains from the archive, which no longer holds their rows'],
    profiles: ['profiles (live and merged), scores and identity links deleted'],
    idempotency: [
      `not searched: records are keyed by a hash of the event's messageId and hold no ids, payload or address; the person's messageIds are not kept anywhere, so their records cannot be found, and they expire after ${opts.dedupTtlHours} h`,
    ],
    models: ['not searched: models trained on this person remain until the next scheduled training (they hold parameters, not rows)'],
    sources: ['not searched: the sources table holds write-key hashes and source names, no personal data'],
    kinesis: [`not searched: stream records cannot be deleted; they expire by retention (${opts.kinesisRetentionHours} h)`],
  };
}

export interface NoteOptions {
  kinesisRetentionHours: number;
  dedupTtlHours: number;
  personalize: boolean;
}

/** One store's step with its receipt notes (what a handler runs). */
export function storeStep(target: PersonStore, deps: { jobs: ErasureJobStore; notes: NoteOptions; now?: () => Date }) {
  const notes = staticNotes(deps.notes)[target.store];
  return (jobId: string) => eraseStore(jobId, target, { jobs: deps.jobs, notes, now: deps.now ?? (() => new Date()) });
}

/** The stores a step searches, per stage: Personalize only where it exists. */
export function searchedStores(personalize: boolean): PrivacyStoreName[] {
  return ['failed-events', 'archive', 'campaigns', 'suppression', ...(personalize ? (['personalize'] as const) : []), 'profiles'];
}

export async function eraseStore(jobId: string, target: PersonStore, deps: { jobs: ErasureJobStore; notes: string[]; now: () => Date }): Promise<StoreReceipt> {
  const job = await deps.jobs.get(jobId);
  if (!job) throw new ErasureJobNotFoundError(jobId);
  const done = job.results[target.store];
  if (done) return done;
  if (!job.subject || !job.nonce) throw new ErasureNotResolvedError();
  const found = await target.find(job.subject);
  const first = job.found[target.store];
  if (first === undefined) await deps.jobs.saveFound(jobId, target.store, found.count);
  const planned = first ?? found.count;
  const out = await target.erase(job.subject, found, { nonce: job.nonce, now: deps.now().toISOString() });
  const result: StoreReceipt = {
    store: target.store,
    searched: true,
    found: planned,
    removed: Math.max(0, planned - out.remaining - (out.kept ?? 0)),
    kept: out.kept ?? 0,
    notes: [...deps.notes, ...(out.notes ?? [])],
  };
  await deps.jobs.saveResult(jobId, result);
  return result;
}

/** The receipt from the job's recorded lines, every store in order; unsearched stores with their notes. */
export function buildReceipt(job: ErasureJob, notes: Record<PrivacyStoreName, string[]>, now: Date): ErasureReceipt {
  const stores = PRIVACY_STORES.map((store): StoreReceipt => job.results[store] ?? { store, searched: false, found: 0, removed: 0, kept: 0, notes: notes[store] });
  return { kind: 'sightline-erasure-receipt', version: 1, job: job.job, requestedAt: job.requestedAt, completedAt: now.toISOString(), profileFound: job.profileFound ?? false, stores };
}

/** The receipt, once: a completed job answers the receipt it stored. */
export async function finishErasure(jobId: string, deps: { jobs: ErasureJobStore; notes: Record<PrivacyStoreName, string[]>; now: () => Date }): Promise<ErasureReceipt> {
  const job = await deps.jobs.get(jobId);
  if (!job) throw new ErasureJobNotFoundError(jobId);
  if (job.receipt) return job.receipt;
  const receipt = buildReceipt(job, deps.notes, deps.now());
  await deps.jobs.complete(jobId, receipt);
  return receipt;
}

/**
 * The Resolve step: the job's subject, resolved once. A resumed run keeps the subject of
 * the first (the profile may be gone by then); a new nonce only when there is none.
 */
export async function resolveErasure(jobId: string, deps: { jobs: ErasureJobStore; resolve: (id: string) => Promise<{ subject: Subject; profileFound: boolean }>; nonce: () => string }): Promise<{ job: string; profileFound: boolean; userIds: number }> {
  const job = await deps.jobs.get(jobId);
  if (!job) throw new ErasureJobNotFoundError(jobId);
  if (job.subject || job.receipt) return { job: jobId, profileFound: job.profileFound ?? false, userIds: job.subject?.userIds.length ?? 0 };
  if (!job.requestedId) throw new ErasureNotResolvedError();
  const { subject, profileFound } = await deps.resolve(job.requestedId);
  await deps.jobs.saveSubject(jobId, subject, profileFound, deps.nonce());
  return { job: jobId, profileFound, userIds: subject.userIds.length };
}

/** What a request to erase answers: the job, and the receipt once there is one. */
export interface ErasureRequest {
  job: string;
  executionName: string;
  executionArn?: string;
  status: ErasureJob['status'];
  receipt?: ErasureReceipt;
}

/**
 * A request to erase `id`: creates the job (or finds it) and starts the workflow for it
 * (ErasureWorkflow: named by the job, so a second request joins the first). A completed job
 * answers its receipt without starting anything.
 */
export async function requestErasure(id: string, deps: { jobs: ErasureJobStore; workflow: ErasureWorkflow; now: () => Date }): Promise<ErasureRequest> {
  const key = jobKey(id);
  const job = await deps.jobs.create({ job: key, status: 'pending', requestedAt: deps.now().toISOString(), requestedId: id, found: {}, results: {} });
  if (job.receipt) return { job: key, executionName: executionName(key), status: 'completed', receipt: job.receipt };
  const started = await deps.workflow.start(executionName(key), { job: key });
  return { job: key, executionName: started.executionName, executionArn: started.executionArn, status: 'running' };
}
