/**
 * Ports of the Privacy piece: the right of access (export) and erasure.
 *
 * Design:
 * - A person is a `Subject`: every id Sightline may hold them under, resolved once from the
 *   profile graph (the live profile, the profiles merged into it, their identity links) and
 *   the raw addresses the send path keeps (traits.email, traits.phone). Every store is
 *   searched by that one subject, so export and erasure see the same person.
 * - Each store that can hold personal data is a `PersonStore`: `find` returns what it holds
 *   about the subject (the export's items, the erasure's plan), `erase` removes it and says
 *   how much is left. Erase is idempotent: run twice, the second run finds nothing more.
 * - An erasure is a job (`ErasureJobStore`) keyed by a domain-separated hash of the id it
 *   was asked for. The job holds the subject while the erasure runs (so a crashed run
 *   resumes with the same subject after the profile itself is gone) and, per store, the
 *   count first found (so a resumed run reports the same receipt). The last step removes
 *   the subject: the receipt that stays holds counts and notes, no id.
 */

/** The stores a receipt speaks for, in the order the erasure reaches them. */
export const PRIVACY_STORES = ['failed-events', 'archive', 'campaigns', 'suppression', 'personalize', 'profiles', 'idempotency', 'models', 'sources', 'kinesis'] as const;
export type PrivacyStoreName = (typeof PRIVACY_STORES)[number];

export interface Subject {
  /** The id the request named (a profile id, a userId or an anonymousId). */
  requestedId: string;
  /** The live profile and every profile merged into it (or it into). */
  profileIds: string[];
  userIds: string[];
  anonymousIds: string[];
  /** The salted email hashes of the identity graph (Clean's PII_HASH_SALT). */
  emailHashes: string[];
  /** Raw addresses the send path keeps on the profile (traits.email, traits.phone). */
  emails: string[];
  phones: string[];
  /**
   * The UTC days of the subject's first and last event (aggregates.firstSeen/lastSeen over
   * every profile found): archive objects whose rows all fall outside are not read. Absent
   * when no profile was found, or one of them has no events: then every object is read.
   */
  activeDays?: { from: string; to: string };
}

/** What one store holds about the subject: the export's items; `count` is what erasure plans to remove. */
export interface Found {
  count: number;
  items: unknown[];
}

export interface EraseOutcome {
  /** Items still found after the erase (0 when it completed). */
  remaining: number;
  /** Items kept on purpose (the suppression tombstone). */
  kept?: number;
  notes?: string[];
}

export interface PersonStore {
  readonly store: PrivacyStoreName;
  find(subject: Subject): Promise<Found>;
  erase(subject: Subject, found: Found, ctx: EraseContext): Promise<EraseOutcome>;
}

export interface EraseContext {
  /** A random value of this erasure job: anonymised records are keyed with it, and it is removed at the end. */
  nonce: string;
  now: string;
}

/** One store's line on a receipt. */
export interface StoreReceipt {
  store: PrivacyStoreName;
  /** Whether the erasure searched the store (false: it holds nothing attributable; the note says why). */
  searched: boolean;
  found: number;
  removed: number;
  kept: number;
  notes: string[];
}

export interface ErasureReceipt {
  kind: 'sightline-erasure-receipt';
  version: 1;
  job: string;
  requestedAt: string;
  completedAt: string;
  /** Whether a profile was found for the id (an unknown id is still searched for in every store). */
  profileFound: boolean;
  stores: StoreReceipt[];
}

export interface ErasureJob {
  job: string;
  status: 'pending' | 'running' | 'completed';
  requestedAt: string;
  /** Until the subject is resolved: the id asked for. Removed at the end. */
  requestedId?: string;
  subject?: Subject;
  profileFound?: boolean;
  nonce?: string;
  found: Partial<Record<PrivacyStoreName, number>>;
  results: Partial<Record<PrivacyStoreName, StoreReceipt>>;
  /** The Personalize data deletion job, once created (AWS only). */
  personalizeJobArn?: string;
  receipt?: ErasureReceipt;
}

export interface ErasureJobStore {
  get(job: string): Promise<ErasureJob | undefined>;
  /** Creates the job unless it exists; returns the stored job either way. */
  create(job: ErasureJob): Promise<ErasureJob>;
  saveSubject(job: string, subject: Subject, profileFound: boolean, nonce: string): Promise<void>;
  /** Records the count first found for a store; a later call for the same store changes nothing. */
  saveFound(job: string, store: PrivacyStoreName, count: number): Promise<void>;
  saveResult(job: string, result: StoreReceipt): Promise<void>;
  savePersonalizeJob(job: string, arn: string): Promise<void>;
  /** Stores the receipt and removes the subject, the id and the nonce. */
  complete(job: string, receipt: ErasureReceipt): Promise<void>;
}

/** What the resolver needs from the profile graph (functions/domain/profiles/ports.ts ProfileStore). */
export interface ProfileGraph {
  getProfile(profileId: string): Promise<{ profileId: string; identities: { userIds: string[]; anonymousIds: string[]; emailHashes: string[] }; traits: Record<string, unknown>; absorbed: string[]; mergedInto?: string; aggregates?: { firstSeen?: string; lastSeen?: string } } | undefined>;
  findIdentities(keys: { kind: 'user' | 'anon' | 'email'; value: string }[]): Promise<Map<string, string>>;
}

/** Amazon Personalize's data deletion (AWS only): start a job for the users, then poll it. */
export interface PersonalizeEraser {
  start(job: string, userIds: string[]): Promise<string>;
  status(jobArn: string): Promise<'PENDING' | 'IN_PROGRESS' | 'ACTIVE' | 'FAILED'>;
  /** Removes the user-id file the job read. */
  finish(job: string): Promise<void>;
}

/**
 * The Erasure state machine. `start` runs the job's execution under `name`, or joins the one
 * running or finished under it; after a failed or stopped one it starts the next attempt
 * (`<name>-2`, …), which resumes from the job's recorded state.
 */
export interface ErasureWorkflow {
  start(name: string, input: { job: string }): Promise<{ executionName: string; executionArn: string }>;
}
