/**
 * The admin API's handlers on in-memory ports: each route's 200 answer validates against its
 * schema (schemas/api/admin-routes.ts), bad input is a 400 naming the field, unknown things
 * are 404, and a group smaller than k is never given a rate.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from '../../../schemas/api/admin-routes.ts';
import { MemoryProfileStore, MemoryScoreStore } from '../../helpers/memory-profile-store.ts';
import { MemoryModelRegistry } from '../../helpers/memory-model-registry.ts';
import { buyer } from '../../helpers/scoring-fixtures.ts';
import type { CampaignRun, CampaignRuns, ObservedSendRecord } from '../../../functions/domain/observe/ports.ts';
import type { CampaignDefinition } from '../../../schemas/campaign.ts';
import { readFileSync } from 'node:fs';

type Handler = (e: unknown) => Promise<unknown>;
let H: Record<string, (deps: never) => Handler>;

beforeAll(async () => {
  // The handler modules parse their environment at import (cold start).
  Object.assign(process.env, { CAMPAIGNS_TABLE_NAME: 'test-campaigns', CAMPAIGN_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:Campaign' });
  H = {
    profiles: (await import('../../../functions/handlers/admin-profiles.ts')).makeAdminProfiles as never,
    segments: (await import('../../../functions/handlers/admin-segments.ts')).makeAdminSegments as never,
    campaigns: (await import('../../../functions/handlers/admin-campaigns.ts')).makeAdminCampaigns as never,
    models: (await import('../../../functions/handlers/admin-models.ts')).makeAdminModels as never,
    health: (await import('../../../functions/handlers/admin-health.ts')).makeAdminHealth as never,
  };
});

const now = () => new Date('2026-03-01T12:00:00Z');

/** Calls a route and returns status and parsed body; a 200 body must match the route's schema. */
async function call(handler: Handler, method: string, path: string, opts: { params?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {}) {
  const route = ADMIN_ROUTES.find((r) => r.method === method && r.path === path)!;
  const out = (await handler({ routeKey: `${method} ${path}`, pathParameters: opts.params, queryStringParameters: opts.query, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })) as { statusCode: number; body: string; headers: Record<string, string> };
  const body = JSON.parse(out.body);
  if (out.statusCode === 200) expect(route.response.safeParse(body).error?.issues ?? []).toEqual([]);
  expect(Object.keys(out.headers ?? {}).some((h) => h.startsWith('access-control-'))).toBe(false);
  return { status: out.statusCode, body };
}

function shop(n: number) {
  const store = Object.assign(new MemoryProfileStore(), { getScores: (ids: string[]) => scores.getScores(ids) });
  const scores = new MemoryScoreStore();
  for (let i = 0; i < n; i++) {
    const p = buyer(`u-c${String(i).padStart(3, '0')}`, { '2026-01': 1 + (i % 3) }, { tags: { lifecycle: i < 3 ? 'at_risk' : 'active', rfm_segment: i < 3 ? 'lost' : 'champions' } });
    store.profiles.set(p.profileId, p);
  }
  return store;
}

describe('admin-profiles', () => {
  it('overview counts every live profile and withholds the share of a group smaller than k', async () => {
    // Prepare
    const store = shop(25);
    const h = H.profiles({ store, sendRecords: { get: async () => undefined }, catalog: { listCampaignIds: async () => [] }, now, k: 10 } as never);
    // Act
    const r = await call(h, 'GET', '/admin/v1/overview');
    // Assess
    expect(r.body.profiles).toBe(25);
    const lost = r.body.rfm.find((d: { value: string }) => d.value === 'lost');
    expect(lost).toMatchObject({ count: 3, share: { rate: null, suppressed: true } });
    expect(r.body.rfm.find((d: { value: string }) => d.value === 'champions').share.rate).toBeCloseTo(22 / 25);
  });

  it('finds a profile by id and by prefix, shows it with its contacts, and answers 404 for nobody', async () => {
    // Prepare
    const store = shop(12);
    const record: ObservedSendRecord = { campaignId: 'spring', personId: 'u-c001', status: 'SENT', arm: 'a', claimedAt: '2026-02-01T00:00:00Z', updatedAt: '2026-02-01T00:00:00Z', sentAt: '2026-02-01T00:00:01Z' };
    const h = H.profiles({ store, sendRecords: { get: async (k: { personId: string }) => (k.personId === 'u-c001' ? record : undefined) }, catalog: { listCampaignIds: async () => ['spring'] }, now, k: 10 } as never);
    // Act
    const byPrefix = await call(h, 'GET', '/admin/v1/profiles', { query: { q: 'c00' } });
    const one = await call(h, 'GET', '/admin/v1/profiles/{id}', { params: { id: 'u-c001' } });
    const none = await call(h, 'GET', '/admin/v1/profiles/{id}', { params: { id: 'u-nobody' } });
    // Assess
    expect(byPrefix.body.matches.map((m: { profileId: string }) => m.profileId)).toHaveLength(10);
    expect(one.status).toBe(200);
    expect(one.body.contacts).toEqual([{ campaignId: 'spring', status: 'SENT', arm: 'a', at: '2026-02-01T00:00:01Z' }]);
    expect(none.status).toBe(404);
  });
});

describe('admin-segments', () => {
  it('previews a new definition in one pass and names every wrong field of a bad one', async () => {
    // Prepare
    const store = shop(20);
    const h = H.segments({ campaigns: { getSegment: async () => undefined, listSegments: async () => [] }, scanner: store, scores: store, now } as never);
    // Act
    const ok = await call(h, 'POST', '/admin/v1/segments/preview', { body: { schemaVersion: 1, id: 'two-plus', name: 'Two orders or more', where: { field: 'aggregates.orders', op: 'gte', value: 2 } } });
    const bad = await call(h, 'POST', '/admin/v1/segments/preview', { body: { schemaVersion: 1, id: 'x', name: 'x', where: { field: 'nowhere.orders', op: 'gte', value: 2 } } });
    const missing = await call(h, 'GET', '/admin/v1/segments/{id}', { params: { id: 'nope' } });
    // Assess
    expect(ok.body.size).toBe(13); // i % 3 ∈ {1, 2} of 20
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.issues)).toContain('where');
    expect(missing.status).toBe(404);
  });
});

describe('admin-campaigns', () => {
  const definition = JSON.parse(readFileSync(new URL('../../../examples/campaigns/demo-spring-sale.json', import.meta.url), 'utf8')) as CampaignDefinition;
  const runs = (): CampaignRuns & { started: string[] } => {
    const started: string[] = [];
    return {
      started,
      start: async (id) => (started.includes(id) ? { executionArn: `arn:x:${id}`, started: false } : (started.push(id), { executionArn: `arn:x:${id}`, started: true })),
      describe: async (id): Promise<CampaignRun | undefined> => (id === definition.id ? { campaignId: id, status: 'RUNNING', startedAt: '2026-03-01T11:00:00.000Z' } : undefined),
      list: async () => [{ campaignId: definition.id, status: 'RUNNING', startedAt: '2026-03-01T11:00:00.000Z' }],
    };
  };
  const records: ObservedSendRecord[] = [
    ...Array.from({ length: 30 }, (_, i): ObservedSendRecord & { conversions?: number } => ({ campaignId: definition.id, personId: `a${i}`, status: 'SENT', arm: 'a', claimedAt: '2026-03-01T11:00:00.000Z', sentAt: '2026-03-01T11:00:00.000Z', updatedAt: 'x', deliveredAt: 'x', ...(i < 6 ? { firstClickAt: 'x' } : {}), ...(i < 3 ? { conversions: 1, firstConversionAt: '2026-03-01T12:00:00.000Z' } : {}) })),
    ...Array.from({ length: 4 }, (_, i): ObservedSendRecord => ({ campaignId: definition.id, personId: `h${i}`, status: 'SKIPPED', reason: 'holdout', arm: 'holdout', claimedAt: 'x', updatedAt: 'x' })),
    { campaignId: definition.id, personId: 'n1', status: 'SKIPPED', reason: 'no_consent', claimedAt: 'x', updatedAt: 'x' },
  ];
  const noReports = { getWinner: async () => undefined, getReport: async () => undefined };
  const store = () => {
    const controls = new Map<string, string>();
    return {
      controls,
      getDefinition: async (id: string) => (id === definition.id ? definition : undefined),
      getSummary: async () => ({ campaignId: definition.id, state: 'sending' as const, sweeps: 1, totals: { scanned: 40, audience: 35, sent: 30, holdout: 4, failed: 0, deferred: 5, alreadyDone: 0, skipped: { no_consent: 1 } }, updatedAt: 'now' }),
      getControl: async (id: string) => (controls.get(id) ?? 'running') as never,
      setControl: async (id: string, c: string) => void controls.set(id, c),
    };
  };

  it('shows definition, progress and per-arm results; the holdout of 4 gets no click rate', async () => {
    // Prepare
    const h = H.campaigns({ store: store(), runs: runs(), records: { allRecords: async () => records }, reports: noReports, now, k: 10 } as never);
    // Act
    const list = await call(h, 'GET', '/admin/v1/campaigns');
    const one = await call(h, 'GET', '/admin/v1/campaigns/{id}', { params: { id: definition.id } });
    // Assess
    expect(list.body.campaigns).toEqual([{ campaignId: definition.id, status: 'RUNNING', startedAt: '2026-03-01T11:00:00.000Z' }]);
    expect(one.body.progress).toMatchObject({ state: 'sending', decided: 35, pending: 5, execution: { status: 'RUNNING' } });
    const arm = (id: string) => one.body.results.arms.find((x: { arm: string }) => x.arm === id);
    const [a, holdout] = [arm('a'), arm('holdout')];
    expect(arm('b')).toMatchObject({ recipients: 0, clicked: { suppressed: true } });
    expect(a).toMatchObject({ arm: 'a', recipients: 30, delivered: 30, clicked: { count: 6, of: 30, rate: 0.2, suppressed: false }, converted: { count: 3, rate: 0.1 } });
    // k-anonymity: a holdout of 4 shows neither its rates nor the counts that would give them away.
    expect(holdout).toMatchObject({ arm: 'holdout', recipients: 4, delivered: null, clicked: { count: null, rate: null, suppressed: true }, converted: { count: null, rate: null, suppressed: true } });
    // The report as of the request: the variant's conversion interval, no lift against a suppressed holdout.
    const report = one.body.results.report;
    expect(report.arms.find((x: { arm: string }) => x.arm === 'a').conversionRate.estimate).toBeCloseTo(0.1);
    expect(report.arms.find((x: { arm: string }) => x.arm === 'holdout')).toMatchObject({ suppressed: true, conversionRate: null, liftVsHoldout: null });
    expect(report.timeline.find((t: { arm: string }) => t.arm === 'a').points.at(-1).converted).toBe(3);
  });

  it('pauses, refuses an unknown control, starts a valid definition once, and refuses an invalid one naming its fields', async () => {
    // Prepare
    const s = store();
    const r = runs();
    const h = H.campaigns({ store: s, runs: r, records: { allRecords: async () => [] }, reports: noReports, now } as never);
    // Act
    const paused = await call(h, 'POST', '/admin/v1/campaigns/{id}/control', { params: { id: definition.id }, body: { control: 'paused' } });
    const wrong = await call(h, 'POST', '/admin/v1/campaigns/{id}/control', { params: { id: definition.id }, body: { control: 'stop' } });
    const first = await call(h, 'POST', '/admin/v1/campaigns', { body: { ...definition, id: 'new-one' } });
    const again = await call(h, 'POST', '/admin/v1/campaigns', { body: { ...definition, id: 'new-one' } });
    const invalid = await call(h, 'POST', '/admin/v1/campaigns', { body: { ...definition, id: 'bad', holdoutPercent: 150, variants: [] } });
    // Assess
    expect(paused.body).toEqual({ campaignId: definition.id, control: 'paused' });
    expect(s.controls.get(definition.id)).toBe('paused');
    expect(wrong.status).toBe(400);
    expect([first.body.started, again.body.started]).toEqual([true, false]);
    expect(r.started).toEqual(['new-one']);
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues.map((i: { field: string }) => i.field)).toEqual(expect.arrayContaining(['holdoutPercent', 'variants']));
  });
});

describe('admin-models', () => {
  it('lists versions with metrics, promotes a published version, rolls back, and answers 404 for an unknown version', async () => {
    // Prepare
    const registry = new MemoryModelRegistry();
    for (const [v, auc] of [['20260101T000000Z-aaaaaaaa', 0.71], ['20260201T000000Z-bbbbbbbb', 0.74]] as const) {
      await registry.publish({ name: 'churn', version: v, createdAt: v, sha256: 'x', bytes: 10, summary: { family: 'logistic', heldOutAuc: auc, demographicParityDifference: 0.02 } }, '{}');
    }
    await registry.promote('churn', '20260101T000000Z-aaaaaaaa', 'x');
    const h = H.models({ registry, known: ['churn'], scoring: { get: async () => [] }, scanner: new MemoryProfileStore(), asOf: now, now } as never);
    // Act
    const promoted = await call(h, 'POST', '/admin/v1/models/{name}/promote', { params: { name: 'churn' }, body: { version: '20260201T000000Z-bbbbbbbb' } });
    const listed = await call(h, 'GET', '/admin/v1/models');
    const rolled = await call(h, 'POST', '/admin/v1/models/{name}/rollback', { params: { name: 'churn' } });
    const unknown = await call(h, 'POST', '/admin/v1/models/{name}/promote', { params: { name: 'churn' }, body: { version: 'nope' } });
    const drift = await call(h, 'GET', '/admin/v1/models/drift');
    // Assess
    expect(promoted.body).toMatchObject({ name: 'churn', version: '20260201T000000Z-bbbbbbbb', previous: '20260101T000000Z-aaaaaaaa' });
    expect(listed.body.models[0].versions.map((v: { metrics: { heldOutAuc: number } }) => v.metrics.heldOutAuc)).toEqual([0.71, 0.74]);
    expect(listed.body.models[0].fairness).toEqual({ demographicParityDifference: 0.02 });
    expect(rolled.body.version).toBe('20260101T000000Z-aaaaaaaa');
    expect(unknown.status).toBe(404);
    expect(drift.body.reports).toEqual([]);
  });
});

describe('admin-health', () => {
  it('gives one point per minute of the hour, failed events by reason largest first, and lag per consumer', async () => {
    // Prepare
    const metrics = {
      source: 'streams' as const,
      eventsPerMinute: async () => ({ points: [{ minute: '2026-03-01T11:59:00Z', count: 7 }], truncated: false }),
      consumerLag: async () => [{ consumer: 'clean-events', iteratorAgeMs: null }],
    };
    const failed = { countByReason: async () => ({ counts: { bot: 2, invalid_timestamp: 5 }, truncated: false }) };
    const h = H.health({ metrics, failed, now } as never);
    // Act
    const r = await call(h, 'GET', '/admin/v1/health');
    // Assess
    expect(r.body.eventsPerMinute).toHaveLength(60);
    expect(r.body.eventsPerMinute.at(-1)).toEqual({ minute: '2026-03-01T11:59:00Z', count: 7 });
    expect(r.body.failedByReason).toEqual([{ reason: 'invalid_timestamp', count: 5 }, { reason: 'bot', count: 2 }]);
  });
});
