/**
 * The privacy domain with in-memory fakes: the subject resolved through merges, an export
 * that lists every store, and an erasure step that, crashed half-way and run again, ends
 * with the same receipt line as a run that never crashed.
 */
import { describe, expect, it } from 'vitest';
import { eraseStore, finishErasure, jobKey } from '../../../../functions/domain/privacy/erasure.ts';
import { exportPerson } from '../../../../functions/domain/privacy/export-person.ts';
import { resolveSubject } from '../../../../functions/domain/privacy/resolve-subject.ts';
import { PRIVACY_STORES, type ErasureJob, type ErasureJobStore, type PersonStore, type ProfileGraph, type Subject } from '../../../../functions/domain/privacy/ports.ts';

const profile = (profileId: string, o: { userIds?: string[]; anonymousIds?: string[]; absorbed?: string[]; mergedInto?: string; email?: string } = {}) => ({
  profileId,
  identities: { userIds: o.userIds ?? [], anonymousIds: o.anonymousIds ?? [], emailHashes: [] },
  traits: o.email ? { email: o.email } : {},
  absorbed: o.absorbed ?? [],
  ...(o.mergedInto ? { mergedInto: o.mergedInto } : {}),
});

const graph = (profiles: ReturnType<typeof profile>[], ids: Record<string, string>): ProfileGraph => ({
  getProfile: async (id) => profiles.find((p) => p.profileId === id),
  findIdentities: async (keys) => new Map(keys.filter((k) => ids[`${k.kind}#${k.value}`]).map((k) => [`${k.kind}#${k.value}`, ids[`${k.kind}#${k.value}`]])),
});

class MemoryJobs implements ErasureJobStore {
  jobs = new Map<string, ErasureJob>();
  async get(job: string) {
    const j = this.jobs.get(job);
    return j && structuredClone(j);
  }
  async create(job: ErasureJob) {
    if (!this.jobs.has(job.job)) this.jobs.set(job.job, structuredClone(job));
    return structuredClone(this.jobs.get(job.job)!);
  }
  async saveSubject(job: string, subject: Subject, profileFound: boolean, nonce: string) {
    Object.assign(this.jobs.get(job)!, { subject, profileFound, nonce, status: 'running' });
  }
  async saveFound(job: string, store: (typeof PRIVACY_STORES)[number], count: number) {
    const j = this.jobs.get(job)!;
    j.found[store] ??= count;
  }
  async saveResult(job: string, r: ErasureJob['results'][keyof ErasureJob['results']] & object) {
    this.jobs.get(job)!.results[r.store] = r;
  }
  async savePersonalizeJob() {}
  async complete(job: string, receipt: NonNullable<ErasureJob['receipt']>) {
    const j = this.jobs.get(job)!;
    Object.assign(j, { receipt, status: 'completed' });
    delete j.subject;
    delete j.requestedId;
    delete j.nonce;
  }
}

/** A store of rows by user id that can be told to crash after removing `crashAfter` rows. */
function rowStore(rows: { user: string; n: number }[], crashAfter?: number): PersonStore & { rows: typeof rows } {
  let removed = 0;
  return {
    store: 'archive',
    rows,
    async find(s) {
      const mine = rows.filter((r) => s.userIds.includes(r.user));
      return { count: mine.length, items: mine };
    },
    async erase(s) {
      for (let i = rows.length - 1; i >= 0; i--) {
        if (!s.userIds.includes(rows[i].user)) continue;
        if (crashAfter !== undefined && removed >= crashAfter) throw new Error('crash');
        rows.splice(i, 1);
        removed++;
      }
      return { remaining: rows.filter((r) => s.userIds.includes(r.user)).length };
    },
  };
}

const subject = (userIds: string[]): Subject => ({ requestedId: userIds[0], profileIds: [], userIds, anonymousIds: [], emailHashes: [], emails: [], phones: [] });

async function job(jobs: MemoryJobs, s: Subject) {
  const key = jobKey(s.requestedId);
  await jobs.create({ job: key, status: 'pending', requestedAt: '2026-12-01T00:00:00Z', requestedId: s.requestedId, found: {}, results: {} });
  await jobs.saveSubject(key, s, true, 'nonce');
  return key;
}

const now = () => new Date('2026-12-01T12:00:00Z');

describe('resolveSubject', () => {
  it('walks merges both ways from a userId and collects every identity and address', async () => {
    // Prepare
    const g = graph([profile('p1', { userIds: ['u1'], absorbed: ['p2'], email: 'A@x.test' }), profile('p2', { anonymousIds: ['a1'], mergedInto: 'p1', absorbed: ['p3'] }), profile('p3', { anonymousIds: ['a2'], mergedInto: 'p2' })], { 'user#u1': 'p1' });
    // Act
    const { subject: s, profileFound } = await resolveSubject('u1', g);
    // Assess
    expect(profileFound).toBe(true);
    expect(s.profileIds).toEqual(['p1', 'p2', 'p3']);
    expect(s.anonymousIds).toEqual(['a1', 'a2']);
    expect(s.emails).toEqual(['A@x.test']);
  });

  it('spans the active days of every profile it walks, and names none when one of them has no events', async () => {
    // Prepare: the anonymous visitor's first event a day before the account's; a third profile without events.
    const active = (p: ReturnType<typeof profile>, firstSeen: string, lastSeen: string) => ({ ...p, aggregates: { firstSeen, lastSeen } });
    const g = graph([active(profile('p1', { userIds: ['u1'], absorbed: ['p2'] }), '2011-03-02T10:00:00.000Z', '2011-05-09T23:59:00.000Z'), active(profile('p2', { anonymousIds: ['a1'], mergedInto: 'p1' }), '2011-03-01T08:00:00.000Z', '2011-03-02T09:00:00.000Z')], { 'user#u1': 'p1' });
    const withQuiet = graph([active(profile('p1', { userIds: ['u1'], absorbed: ['p3'] }), '2011-03-02T10:00:00.000Z', '2011-05-09T23:59:00.000Z'), profile('p3', { anonymousIds: ['a3'], mergedInto: 'p1' })], { 'user#u1': 'p1' });
    // Act
    const { subject: s } = await resolveSubject('u1', g);
    const { subject: unknown } = await resolveSubject('u1', withQuiet);
    const { subject: ghost } = await resolveSubject('ghost', graph([], {}));
    // Assess
    expect(s.activeDays).toEqual({ from: '2011-03-01', to: '2011-05-09' });
    expect(unknown.activeDays).toBeUndefined(); // not knowable: every archive object is read
    expect(ghost.activeDays).toBeUndefined();
  });

  it('an id with no profile is still searched for as a userId and an anonymousId', async () => {
    const { subject: s, profileFound } = await resolveSubject('ghost', graph([], {}));
    expect(profileFound).toBe(false);
    expect(s.userIds).toEqual(['ghost']);
    expect(s.anonymousIds).toEqual(['ghost']);
  });
});

describe('exportPerson', () => {
  it('lists every store: the searched ones with their count, the others with why not', async () => {
    // Prepare
    const store = { ...rowStore([{ user: 'u1', n: 1 }, { user: 'u2', n: 2 }, { user: 'u1', n: 3 }]), store: 'failed-events' as const };
    // Act
    const doc = await exportPerson('u1', { resolve: async () => ({ subject: subject(['u1']), profileFound: true }), stores: [store], notes: Object.fromEntries(PRIVACY_STORES.map((s) => [s, [`${s} note`]])) as never, now });
    // Assess
    expect(doc.stores.map((s) => s.store)).toEqual([...PRIVACY_STORES]);
    expect(doc.stores.find((s) => s.store === 'failed-events')).toMatchObject({ searched: true, count: 2 });
    expect(doc.stores.find((s) => s.store === 'models')).toMatchObject({ searched: false, count: 0, notes: ['models note'] });
  });
});

describe('eraseStore', () => {
  it('crashed half-way and run again, reports what a run without a crash reports', async () => {
    // Prepare
    const jobs = new MemoryJobs();
    const rows = () => [{ user: 'u1', n: 1 }, { user: 'u2', n: 2 }, { user: 'u1', n: 3 }, { user: 'u1', n: 4 }];
    const clean = rowStore(rows());
    const crashing = rowStore(rows(), 1);
    const a = await job(jobs, subject(['u1']));
    const b = await job(jobs, subject(['u1-twin']));
    jobs.jobs.get(b)!.subject = subject(['u1']);
    // Act
    const expected = await eraseStore(a, clean, { jobs, notes: ['n'], now });
    await expect(eraseStore(b, crashing, { jobs, notes: ['n'], now })).rejects.toThrow('crash');
    const resumed = await eraseStore(b, rowStore(crashing.rows), { jobs, notes: ['n'], now });
    // Assess
    expect(expected).toEqual({ store: 'archive', searched: true, found: 3, removed: 3, kept: 0, notes: ['n'] });
    expect(resumed).toEqual(expected);
    expect(crashing.rows).toEqual([{ user: 'u2', n: 2 }]);
  });

  it('finishing removes the subject and keeps a receipt of every store', async () => {
    const jobs = new MemoryJobs();
    const key = await job(jobs, subject(['u1']));
    await eraseStore(key, rowStore([{ user: 'u1', n: 1 }]), { jobs, notes: [], now });
    const receipt = await finishErasure(key, { jobs, notes: Object.fromEntries(PRIVACY_STORES.map((s) => [s, []])) as never, now });
    expect(receipt.stores).toHaveLength(PRIVACY_STORES.length);
    expect(JSON.stringify(jobs.jobs.get(key))).not.toContain('u1');
    expect(await finishErasure(key, { jobs, notes: {} as never, now })).toEqual(receipt);
  });
});
