import { describe, expect, it } from 'vitest';
import { sendPage, type ResolvedCampaign, type SendPageDeps } from '../../../../functions/domain/campaigns/send-page.ts';
import type { CapWindow, ClaimResult, SendKey, SendOutcome, SendRecord } from '../../../../functions/domain/campaigns/ports.ts';
import { newProfile } from '../../../../functions/domain/profiles/profile.ts';
import { validateCampaignDefinition } from '../../../../functions/domain/campaigns/validate-campaign.ts';
import type { Profile } from '../../../../schemas/profile.ts';

const people: Profile[] = Array.from({ length: 6 }, (_, i) => ({
  ...newProfile(`u-p${i}`, '2026-11-01T00:00:00.000Z'),
  traits: { email: `p${i}@example.test` },
  consent: { 'email.marketing': true },
}));

function campaign(): ResolvedCampaign {
  const v = validateCampaignDefinition({
    id: 'c1', name: 'c', channel: 'email', from: 'shop@example.test', holdoutPercent: 0, frequencyCap: { perDay: 1 },
    audience: { segment: { schemaVersion: 1, id: 's', name: 's', where: { field: 'traits.email', op: 'exists' } } },
    variants: [{ id: 'a', subject: 'Hi', html: '<p>Hi</p>', text: 'Hi' }],
  });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return { ...v.campaign, segment: v.campaign.audience.segment! };
}

function fakes(throttleOn: number) {
  const records = new Map<string, SendRecord>();
  const caps = new Map<string, number>();
  const mails: string[] = [];
  let sends = 0;
  const k = (key: SendKey) => `${key.campaignId}|${key.personId}`;
  const deps: SendPageDeps = {
    profiles: { scanProfiles: async () => ({ profiles: people }) },
    scores: { getScores: async () => new Map() },
    records: {
      claim: async (key, at, arm): Promise<ClaimResult> => {
        const existing = records.get(k(key));
        if (existing) return { claimed: false, existing };
        const record: SendRecord = { ...key, status: 'CLAIMED', claimedAt: at, updatedAt: at, ...(arm ? { arm } : {}) };
        records.set(k(key), record);
        return { claimed: true, record };
      },
      complete: async (key, outcome: SendOutcome) => void records.set(k(key), { ...records.get(k(key))!, status: outcome.status }),
      get: async (key) => records.get(k(key)),
      recordSkip: async (key, outcome, at) => {
        if (records.has(k(key))) return false;
        records.set(k(key), { ...key, status: 'SKIPPED', reason: outcome.reason, claimedAt: at, updatedAt: at });
        return true;
      },
      unclaim: async (key) => void (records.get(k(key))?.status === 'CLAIMED' && records.delete(k(key))),
    },
    suppressions: { findMany: async () => new Map(), add: async () => undefined },
    caps: {
      reserve: async (personId: string, windows: readonly CapWindow[]) => {
        if (windows.some((w) => (caps.get(`${personId}|${w.key}`) ?? 0) >= w.cap)) return false;
        for (const w of windows) caps.set(`${personId}|${w.key}`, (caps.get(`${personId}|${w.key}`) ?? 0) + 1);
        return true;
      },
      release: async (personId: string, windows: readonly CapWindow[]) => {
        for (const w of windows) caps.set(`${personId}|${w.key}`, Math.max(0, (caps.get(`${personId}|${w.key}`) ?? 0) - 1));
      },
    },
    sender: async (m) => {
      sends += 1;
      if (sends === throttleOn) throw Object.assign(new Error('Maximum sending rate exceeded'), { notAccepted: true });
      mails.push(m.channel === 'email' ? m.to : '');
      return { ok: true, messageId: `m${sends}` };
    },
    isNotAccepted: (err) => (err as { notAccepted?: boolean }).notAccepted === true,
    now: () => new Date('2026-12-01T12:00:00Z'),
    unsubscribe: { baseUrl: 'https://api.example.test/v1/unsubscribe', secret: 'a-secret-of-sixteen-plus' },
    ratePerSecond: 0,
  };
  return { deps, mails, caps, records };
}

describe('sendPage', () => {
  it('throttled on the 2nd of 6 sends: gives back every cap it had not used, so the re-run mails the other five', async () => {
    // Prepare
    const f = fakes(2);
    // Act
    const first = await sendPage(campaign(), { segment: 0, totalSegments: 1 }, f.deps);
    const again = await sendPage(campaign(), { segment: 0, totalSegments: 1 }, f.deps);
    // Assess
    expect(first).toMatchObject({ throttled: true, done: false });
    expect(first.totals.sent).toBe(1);
    expect(again).toMatchObject({ throttled: false, done: true });
    expect(again.totals.sent).toBe(5);
    expect(again.totals.skipped.frequency_cap).toBeUndefined();
    expect(new Set(f.mails).size).toBe(6);
    expect(f.mails).toHaveLength(6);
  });

  it('an error mid-page gives back the caps of the people not reached, and the claimed one stays claimed', async () => {
    // Prepare
    const f = fakes(3);
    f.deps.isNotAccepted = () => false;
    // Act
    await expect(sendPage(campaign(), { segment: 0, totalSegments: 1 }, f.deps)).rejects.toThrow(/rate exceeded/);
    const reserved = [...f.caps.values()].reduce((a, b) => a + b, 0);
    // Assess: the two sent and the one in doubt (CLAIMED) hold their caps; the other three were given back
    expect(reserved).toBe(3);
    expect([...f.records.values()].map((r) => r.status).sort()).toEqual(['CLAIMED', 'SENT', 'SENT']);
  });
});
