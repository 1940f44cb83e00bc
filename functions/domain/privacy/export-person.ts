/**
 * The right of access: everything held about a person, from every store, as one document.
 *
 * Each store is searched with the same subject as erasure uses (resolve-subject.ts), so what
 * the export shows is what an erasure would remove. The document lists every store — the
 * searched ones with their count and items, the others with why they are not searched — and
 * the person's archived events as CSV (Personalize's interactions format).
 */
import { encodeInteractionLog, type InteractionRow } from '../recommend/interaction-log.ts';
import { PRIVACY_STORES, type PersonStore, type PrivacyStoreName, type Subject } from './ports.ts';

export interface StoreExport {
  store: PrivacyStoreName;
  searched: boolean;
  count: number;
  items: unknown[];
  notes: string[];
}

export interface PersonExport {
  kind: 'sightline-export';
  version: 1;
  requestedId: string;
  generatedAt: string;
  profileFound: boolean;
  subject: Omit<Subject, 'requestedId'>;
  /** The profile's consent as stored (the consent history when the profile keeps one). */
  consent: unknown;
  stores: StoreExport[];
  /** Their rows of the interactions archive, as CSV. */
  eventsCsv: string;
}

/** An archive item as the archive store finds it: the object and the row. */
export interface ArchivedRow {
  object: string;
  row: InteractionRow;
}

export async function exportPerson(
  id: string,
  deps: {
    resolve: (id: string) => Promise<{ subject: Subject; profileFound: boolean }>;
    stores: PersonStore[];
    notes: Record<PrivacyStoreName, string[]>;
    now: () => Date;
  },
): Promise<PersonExport> {
  const { subject, profileFound } = await deps.resolve(id);
  const found = new Map<PrivacyStoreName, StoreExport>();
  // One store at a time: an export is rare, and the stores' own pagination bounds memory.
  for (const s of deps.stores) {
    const f = await s.find(subject);
    found.set(s.store, { store: s.store, searched: true, count: f.count, items: f.items, notes: [] });
  }
  const stores = PRIVACY_STORES.map((store) => found.get(store) ?? { store, searched: false, count: 0, items: [], notes: deps.notes[store] });
  const archived = (found.get('archive')?.items ?? []) as ArchivedRow[];
  const profiles = (found.get('profiles')?.items ?? []) as { sk?: string; profileId?: string; consent?: unknown; consentHistory?: unknown; mergedInto?: string }[];
  const live = profiles.filter((p) => p.sk === 'PROFILE' && !p.mergedInto);
  const consent = live.map((p) => ({ profileId: p.profileId, consent: p.consent ?? {}, ...(p.consentHistory !== undefined ? { history: p.consentHistory } : {}) }));
  const { requestedId: _r, ...ids } = subject;
  return {
    kind: 'sightline-export',
    version: 1,
    requestedId: id,
    generatedAt: deps.now().toISOString(),
    profileFound,
    subject: ids,
    consent,
    stores,
    eventsCsv: encodeInteractionLog(archived.map((a) => a.row).sort((a, b) => a.timestamp - b.timestamp)),
  };
}
