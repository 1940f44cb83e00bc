/**
 * Consent derivation, precedence, the bounded history and merges (functions/domain/privacy/
 * consent.ts), and profiles applying and merging consent (functions/domain/profiles/profile.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_CONSENT_HISTORY,
  MAX_OTHER_KEYS,
  boundHistory,
  consentEntriesOf,
  consentFlags,
  consentHistoryOf,
  deriveConsent,
  marketingStatus,
  mergeConsentHistories,
  purposeStatus,
  recordConsent,
} from '../../../../functions/domain/privacy/consent.ts';
import { absorb, applyEvent, newProfile } from '../../../../functions/domain/profiles/profile.ts';
import { marketingConsent } from '../../../../functions/domain/campaigns/eligibility.ts';
import { CONSENT_EVENT, type ConsentEntry } from '../../../../schemas/consent.ts';
import type { CleanEvent } from '../../../../schemas/clean-event.ts';
import { profileSchema } from '../../../../schemas/profile.ts';

const T = (minute: number) => new Date(Date.UTC(2026, 10, 1, 10, minute)).toISOString();
const entry = (key: string, status: ConsentEntry['status'], minute: number, source: ConsentEntry['source'] = 'api'): ConsentEntry => ({ key, status, at: T(minute), source });

const cleanEvent = (over: Partial<CleanEvent>): CleanEvent => ({
  v: 1,
  messageId: `m-${Math.random()}`,
  type: 'track',
  event: 'Product Viewed',
  userId: 'u1',
  timestamp: T(0),
  receivedAt: T(0),
  sourceId: 'src',
  traits: {},
  properties: {},
  ...over,
});

describe('derivation and precedence', () => {
  it('says unknown when nothing was said, and unknown is not granted', () => {
    // Prepare / Act / Assess
    expect(marketingStatus([], 'email')).toBe('unknown');
    expect(purposeStatus([], 'profiling')).toBe('unknown');
    expect(deriveConsent([])).toEqual({});
  });

  it('lets the newest statement of a key win, whatever order it arrived in', () => {
    // Prepare
    const h = [entry('email.marketing', 'granted', 1), entry('email.marketing', 'withdrawn', 3), entry('email.marketing', 'granted', 2)];
    // Act / Assess
    expect(marketingStatus(h, 'email')).toBe('withdrawn');
    expect(marketingStatus([...h, entry('email.marketing', 'granted', 4)], 'email')).toBe('granted');
  });

  it('lets a withdrawal or denial beat a grant said at the same instant, withdrawn before denied', () => {
    // Prepare / Act / Assess
    expect(marketingStatus([entry('email.marketing', 'granted', 5, 'unsubscribe'), entry('email.marketing', 'denied', 5, 'segment')], 'email')).toBe('denied');
    expect(marketingStatus([entry('email.marketing', 'denied', 5), entry('email.marketing', 'withdrawn', 5)], 'email')).toBe('withdrawn');
  });

  it('needs both halves for a grant given as channel and purpose, and lets either half refuse', () => {
    // Prepare
    const both = [entry('email', 'granted', 1), entry('marketing', 'granted', 2)];
    // Act / Assess
    expect(marketingStatus([entry('email', 'granted', 1)], 'email')).toBe('unknown');
    expect(marketingStatus([entry('marketing', 'granted', 1)], 'email')).toBe('unknown');
    expect(marketingStatus(both, 'email')).toBe('granted');
    expect(marketingStatus(both, 'sms')).toBe('unknown');
    expect(marketingStatus([...both, entry('marketing', 'withdrawn', 3)], 'email')).toBe('withdrawn');
    expect(marketingStatus([entry('email.marketing', 'granted', 1), entry('email', 'denied', 2)], 'email')).toBe('denied');
    // A newer explicit grant of the cell wins over an older refusal of the channel.
    expect(marketingStatus([entry('email', 'denied', 1), entry('email.marketing', 'granted', 2)], 'email')).toBe('granted');
  });

  it('decides a purpose as a whole only from statements about that purpose', () => {
    // Prepare / Act / Assess
    expect(purposeStatus([entry('email.profiling', 'granted', 1)], 'profiling')).toBe('unknown');
    expect(purposeStatus([entry('profiling', 'granted', 1), entry('profiling', 'withdrawn', 2)], 'profiling')).toBe('withdrawn');
  });

  it('reads a v1 flat map exactly as campaigns did before (any false denies; cell true, or channel and purpose true, grants)', () => {
    // Prepare: every map over the three keys campaigns read, each true, false or absent.
    const values = [true, false, undefined];
    for (const a of values) for (const b of values) for (const c of values) {
      const flags: Record<string, boolean> = {};
      if (a !== undefined) flags['email.marketing'] = a;
      if (b !== undefined) flags.email = b;
      if (c !== undefined) flags.marketing = c;
      const before = a === false || b === false || c === false ? 'denied' : a === true || (b === true && c === true) ? 'granted' : 'unknown';
      // Act
      const now = marketingStatus(consentHistoryOf({ consent: flags, updatedAt: T(0) }), 'email');
      // Assess
      expect(now, JSON.stringify(flags)).toBe(before);
      expect(marketingConsent({ consent: flags, updatedAt: T(0) }, 'email'), JSON.stringify(flags)).toBe(before);
    }
  });

  it('does not depend on the order entries are listed in (property)', () => {
    const arb = fc.array(
      fc.record({
        key: fc.constantFrom('email.marketing', 'email', 'marketing', 'profiling', 'sms.marketing'),
        status: fc.constantFrom('granted', 'denied', 'withdrawn') as fc.Arbitrary<ConsentEntry['status']>,
        minute: fc.integer({ min: 0, max: 5 }),
        source: fc.constantFrom('segment', 'api', 'unsubscribe', 'cli') as fc.Arbitrary<ConsentEntry['source']>,
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(arb, fc.integer(), (raw, seed) => {
        const h = raw.map((r) => entry(r.key, r.status, r.minute, r.source));
        const shuffled = [...h].sort((x, y) => ((JSON.stringify(x).length * 31 + seed) % 7) - ((JSON.stringify(y).length * 31 + seed) % 7));
        expect(deriveConsent(shuffled)).toEqual(deriveConsent(h));
      }),
    );
  });

  it('keeps the flat map in step with the derived state (what segments read)', () => {
    // Prepare
    const h = [entry('email', 'denied', 1), entry('email.marketing', 'granted', 2), entry('Advertising', 'granted', 3, 'segment')];
    // Act
    const flags = consentFlags(h);
    // Assess
    expect(flags).toMatchObject({ email: false, 'email.marketing': true, Advertising: true });
  });
});

describe('the bounded history', () => {
  it('never changes the derived state by recording or truncating (property)', () => {
    const arb = fc.array(
      fc.record({
        key: fc.constantFrom('email.marketing', 'sms.marketing', 'email', 'marketing', 'profiling', 'personalisation', 'push.marketing', 'analytics'),
        status: fc.constantFrom('granted', 'denied', 'withdrawn') as fc.Arbitrary<ConsentEntry['status']>,
        minute: fc.integer({ min: 0, max: 59 }),
        source: fc.constantFrom('segment', 'api', 'cli') as fc.Arbitrary<ConsentEntry['source']>,
      }),
      { minLength: 0, maxLength: 200 },
    );
    fc.assert(
      fc.property(arb, (raw) => {
        const said = raw.map((r) => entry(r.key, r.status, r.minute, r.source));
        // One statement at a time, as events arrive.
        const h = said.reduce<ConsentEntry[]>((acc, e) => recordConsent(acc, [e]), []);
        expect(h.length).toBeLessThanOrEqual(MAX_CONSENT_HISTORY);
        expect(deriveConsent(h)).toEqual(deriveConsent(said));
      }),
      { numRuns: 200 },
    );
  });

  it('folds a repeated statement into one entry, keeping when it was first said', () => {
    // Prepare
    let h: ConsentEntry[] = [];
    // Act: the same categoryPreferences on five events.
    for (let m = 1; m <= 5; m++) h = recordConsent(h, [entry('email.marketing', 'granted', m, 'segment')]);
    // Assess
    expect(h).toEqual([{ key: 'email.marketing', status: 'granted', at: T(5), since: T(1), source: 'segment' }]);
  });

  it('keeps the newest entries plus every key\'s latest at the bound, and caps other categories', () => {
    // Prepare: an old withdrawal of profiling, then many alternating marketing statements.
    const said = [entry('profiling', 'withdrawn', 0)];
    for (let i = 1; i <= 100; i++) said.push({ ...entry('email.marketing', i % 2 ? 'granted' : 'denied', 0), at: new Date(Date.UTC(2026, 10, 2, 0, i)).toISOString() });
    // Act
    const h = boundHistory(said);
    // Assess
    expect(h).toHaveLength(MAX_CONSENT_HISTORY);
    expect(h[0]).toMatchObject({ key: 'profiling', status: 'withdrawn' });
    expect(h.at(-1)).toMatchObject({ key: 'email.marketing', status: 'denied' });
    expect(purposeStatus(h, 'profiling')).toBe('withdrawn');
    const others = Array.from({ length: MAX_OTHER_KEYS + 4 }, (_, i) => entry(`Category${i}`, 'granted', i, 'segment'));
    const capped = boundHistory(others);
    expect(capped).toHaveLength(MAX_OTHER_KEYS);
    expect(capped.map((e) => e.key)).not.toContain('Category0');
  });
});

describe('merges', () => {
  it('combines both histories, commutatively, and drops identical entries', () => {
    // Prepare
    const a = [entry('email.marketing', 'granted', 1), entry('profiling', 'granted', 2)];
    const b = [entry('email.marketing', 'withdrawn', 3), entry('profiling', 'granted', 2)];
    // Act
    const ab = mergeConsentHistories(a, b);
    const ba = mergeConsentHistories(b, a);
    // Assess
    expect(ab).toEqual(ba);
    expect(ab).toHaveLength(3);
    expect(marketingStatus(ab, 'email')).toBe('withdrawn');
  });

  it('merges profiles\' histories, a v1 flat map included', () => {
    // Prepare: a v1 profile (flat map only) and one with a history.
    const old = profileSchema.parse({ ...newProfile('a-x', T(0)), updatedAt: T(1), consent: { 'email.marketing': true } });
    const known = applyEvent(newProfile('u-1', T(0)), cleanEvent({ type: 'track', event: CONSENT_EVENT, timestamp: T(2), properties: { consent: { profiling: 'granted' }, source: 'cli' } }));
    // Act
    const merged = absorb(known, old);
    // Assess
    expect(merged.consentHistory).toEqual(
      expect.arrayContaining([
        { key: 'email.marketing', status: 'granted', at: T(1), source: 'legacy' },
        { key: 'profiling', status: 'granted', at: T(2), source: 'cli' },
      ]),
    );
    expect(merged.consent).toMatchObject({ 'email.marketing': true, profiling: true });
  });
});

describe('profiles applying consent', () => {
  it('records categoryPreferences as segment statements at the event time, and explicit records with their source', () => {
    // Prepare
    const p0 = newProfile('u-1', T(0));
    // Act
    const p1 = applyEvent(p0, cleanEvent({ type: 'identify', timestamp: T(1), consent: { 'email.marketing': true, personalisation: false } }));
    const p2 = applyEvent(p1, cleanEvent({ event: CONSENT_EVENT, timestamp: T(2), properties: { consent: { 'email.marketing': 'withdrawn' }, source: 'api' } }));
    // An older categoryPreferences arriving late does not undo the newer withdrawal.
    const p3 = applyEvent(p2, cleanEvent({ type: 'page', timestamp: T(0), consent: { 'email.marketing': true } }));
    // Assess
    expect(p1.consentHistory).toEqual([
      { key: 'email.marketing', status: 'granted', at: T(1), source: 'segment' },
      { key: 'personalisation', status: 'denied', at: T(1), source: 'segment' },
    ]);
    expect(marketingStatus(p3.consentHistory!, 'email')).toBe('withdrawn');
    expect(p3.consent['email.marketing']).toBe(false);
    expect(p2.aggregates.events).toBe(p1.aggregates.events); // a consent record is not activity
    expect(profileSchema.parse(p3)).toMatchObject({ consentHistory: p3.consentHistory });
  });

  it('ignores a consent event whose record is not valid, and a source it may not claim', () => {
    // Prepare / Act
    const bad = consentEntriesOf(cleanEvent({ event: CONSENT_EVENT, properties: { consent: { 'email.marketing': 'maybe' } } }));
    const claimed = consentEntriesOf(cleanEvent({ event: CONSENT_EVENT, properties: { consent: { profiling: 'denied' }, source: 'legacy' } }));
    // Assess
    expect(bad).toEqual([]);
    expect(claimed).toEqual([{ key: 'profiling', status: 'denied', at: T(0), source: 'api' }]);
  });

  it('reads a v1 stored profile (flat boolean map, no history) and derives from it', () => {
    // Prepare: as stored before consent histories existed.
    const stored = { ...newProfile('u-9', T(0)), consent: { email: true, marketing: true, personalisation: false } } as Record<string, unknown>;
    delete stored.consentHistory;
    // Act
    const p = profileSchema.parse(stored);
    // Assess
    expect(p.consentHistory).toBeUndefined();
    expect(marketingStatus(consentHistoryOf(p), 'email')).toBe('granted');
    expect(purposeStatus(consentHistoryOf(p), 'personalisation')).toBe('denied');
    expect(purposeStatus(consentHistoryOf(p), 'profiling')).toBe('unknown');
  });
});
