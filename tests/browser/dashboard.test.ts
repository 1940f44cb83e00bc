/// <reference lib="dom" />
/**
 * The dashboard in Debian's Chromium against the real local platform with the demo shop
 * (seedDemo: the same seed, training and demo campaign as npm start). Each page is opened and
 * the numbers it shows are compared with the admin API's answers (which must validate against
 * their schemas); a segment is built and its size read; a small campaign is started from the
 * page and watched until its execution has SUCCEEDED; the main flow is walked with the keyboard
 * alone; every page is saved as a screenshot (tests/artefacts/, copied to docs/screenshots/).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { artefactPath, chromiumAvailable, launchBrowser } from '../helpers/browser.ts';
import { testPlatform } from '../helpers/platform.ts';
import { seedDemo } from '../../local/seed.ts';
import { ADMIN_ROUTES } from '../../schemas/api/admin-routes.ts';

const TOKEN = 'browser-test-admin-token-0123456789';
let platform: Awaited<ReturnType<typeof testPlatform>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

/** The admin API's answer, validated against the route's response schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function adminApi(path: string, init: { method?: string; body?: unknown } = {}): Promise<any> {
  const res = await fetch(`${platform.apiUrl}${path}`, { method: init.method ?? 'GET', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const body = await res.json();
  expect(res.status, `${path}: ${JSON.stringify(body).slice(0, 300)}`).toBe(200);
  const bare = path.split('?')[0];
  const route = ADMIN_ROUTES.find((r) => r.method === (init.method ?? 'GET') && new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare))!;
  expect(route.response.safeParse(body).error?.issues ?? [], path).toEqual([]);
  return body;
}
const text = async (testid: string) => (await page.getByTestId(testid).first().textContent())?.trim();
const num = (s: string | undefined) => Number((s ?? '').replace(/[^0-9.-]/g, ''));
const shot = (name: string) => page.screenshot({ path: artefactPath(`dashboard-${name}.png`), fullPage: true });

describe.skipIf(!chromiumAvailable())('dashboard in a browser', () => {
  beforeAll(async () => {
    platform = await testPlatform({ adminToken: TOKEN, waitOverrides: 0 });
    const source = await platform.createSource('demo');
    await seedDemo(platform, { apiUrl: platform.apiUrl, writeKey: source.writeKey, sourceId: source.sourceId } as never);
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 30 * 60_000);
  afterAll(async () => {
    await browser?.close();
    await platform?.cleanup();
  });

  it('overview shows the admin API’s profile, event and lifecycle counts', async () => {
    // Prepare
    const o = await adminApi('/admin/v1/overview');
    await adminApi('/admin/v1/health');
    // Act
    await page.goto(`${platform.apiUrl}/dashboard/#token=${TOKEN}`);
    await page.getByTestId('profiles').waitFor();
    // Assess
    expect(num(await text('profiles'))).toBe(o.profiles);
    expect(num(await text('events'))).toBe(o.events);
    const rows = await page.getByTestId('lifecycle').locator('tbody tr').allTextContents();
    expect(rows.length).toBe(o.lifecycle.length);
    for (const d of o.lifecycle) expect(rows.some((r) => r.startsWith(d.value) && r.includes(d.count.toLocaleString('en-GB')))).toBe(true);
    // A group under k is never a rate: its share cell says so.
    for (const d of o.rfm.filter((x: { count: number }) => x.count < o.k)) expect((await page.getByTestId('rfm').locator('tr', { hasText: d.value }).textContent()) ?? '').toContain(`fewer than ${o.k}`);
    expect(await page.locator('.uplot').count()).toBeGreaterThanOrEqual(3);
    expect(page.url()).not.toContain(TOKEN); // the token leaves the address bar at once
    await shot('overview');
  });

  it('the main flow works with the keyboard alone: nav → profiles → search → a profile with its score explanations', async () => {
    // Prepare: someone the API scores
    const search = await adminApi('/admin/v1/profiles?q=cust-01');
    const target = search.matches[0].profileId as string;
    const detail = await adminApi(`/admin/v1/profiles/${target}`);
    await page.goto(`${platform.apiUrl}/dashboard/#/overview`);
    await page.getByTestId('profiles').waitFor();
    // Act: skip link first, then the nav, by Tab and Enter only
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    let guard = 0;
    while ((await page.evaluate(() => document.activeElement?.textContent)) !== 'Profiles' && guard++ < 10) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('#q').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('q');
    await page.keyboard.type('cust-01');
    await page.keyboard.press('Enter');
    await page.getByTestId('matches').waitFor();
    await page.keyboard.press('Tab'); // the search button
    await page.keyboard.press('Tab'); // the first result
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(target);
    await page.keyboard.press('Enter');
    await page.getByTestId('orders').waitFor();
    // Assess
    expect(num(await text('orders'))).toBe(detail.profile.aggregates.orders);
    const tagRows = await page.getByTestId('tags').locator('tbody tr').count();
    expect(tagRows).toBe(Object.keys(detail.profile.tags).length);
    for (const name of Object.keys(detail.scores)) await expect(page.getByTestId(`score-${name}`).locator('.uplot').count()).resolves.toBe(1);
    await shot('profile');
  });

  it('the segment builder shows the size the API previews for the same definition', async () => {
    // Prepare
    const expected = await adminApi('/admin/v1/segments/preview', { method: 'POST', body: { schemaVersion: 1, id: 'draft', name: 'Draft', where: { field: 'aggregates.orders', op: 'gte', value: 3 } } });
    await page.goto(`${platform.apiUrl}/dashboard/#/segments`);
    await page.locator('#value-0').waitFor();
    // Act
    await page.locator('#value-0').fill('3');
    await page.waitForFunction((n) => document.querySelector('[data-testid=segment-size]')?.textContent === n.toLocaleString('en-GB'), expected.size);
    // Assess
    expect(num(await text('segment-size'))).toBe(expected.size);
    expect(expected.size).toBeGreaterThan(0);
    await shot('segments');
  });

  it('the demo campaign page shows the API’s progress and per-arm results', async () => {
    // Prepare
    const demo = await adminApi('/admin/v1/campaigns/demo-spring-sale');
    await page.goto(`${platform.apiUrl}/dashboard/#/campaigns/demo-spring-sale`);
    await page.getByTestId('sent').waitFor();
    expect(num(await text('sent'))).toBe(demo.progress.totals.sent);
    expect(num(await text('decided'))).toBe(demo.progress.decided);
    expect(await page.getByTestId('arms').locator('tbody tr').count()).toBe(demo.results.arms.length);
    const holdout = demo.results.arms.find((a: { arm: string }) => a.arm === 'holdout');
    if (holdout && holdout.recipients < demo.results.k) expect(await text('ctr-holdout')).toBe(`fewer than ${demo.results.k}`);
    // The report: the simulated orders are credited, and the page shows the API's lift, intervals, decision and cumulative counts.
    const report = demo.results.report;
    const pts = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)}`;
    const campaignArm = report.overall;
    expect(campaignArm.converted).toBeGreaterThan(0);
    if (campaignArm.liftVsHoldout && !report.arms.find((a: { kind: string }) => a.kind === 'holdout').suppressed) {
      const l = campaignArm.liftVsHoldout.absolute;
      expect(await text('lift-overall')).toContain(`lift ${pts(l.estimate)} pt [${pts(l.lower)}, ${pts(l.upper)}]`);
      expect(await text('lift-campaign')).toBe(`${pts(l.estimate)} pt [${pts(l.lower)}, ${pts(l.upper)}]`);
    } else expect(await text('lift-overall')).toContain(`fewer than ${demo.results.k}`);
    for (const a of report.arms.filter((x: { suppressed: boolean; conversionRate: unknown }) => !x.suppressed && x.conversionRate)) expect(await text(`conv-${a.arm}`)).toBe(`${(a.conversionRate.estimate * 100).toFixed(1)} % [${(a.conversionRate.lower * 100).toFixed(1)} %, ${(a.conversionRate.upper * 100).toFixed(1)} %]`);
    expect(await text('decision')).toContain(report.winner.explanation);
    expect(await text('click-alert')).toContain(report.clickThrough.explanation);
    for (const t of report.timeline.filter((x: { points: unknown[] }) => x.points.length > 0)) expect(num(await text(`cumulative-${t.arm}`))).toBe(t.points.at(-1).converted);
    expect(await page.getByTestId('report').locator('.uplot').count()).toBe(1);
    await shot('campaign');
  });

  it('a small campaign started from the page runs to done while the page shows its progress', async () => {
    // Prepare
    const definition = JSON.parse(readFileSync(new URL('../../examples/campaigns/demo-spring-sale.json', import.meta.url), 'utf8'));
    const small = { ...definition, id: 'browser-small', name: 'Browser test: loyal few', audience: { segment: { schemaVersion: 1, id: 'three-plus', name: 'Three orders or more', where: { field: 'aggregates.orders', op: 'gte', value: 3 } } } };
    delete small.frequencyCap;
    // Act
    await page.goto(`${platform.apiUrl}/dashboard/#/campaigns`);
    await page.locator('#definition').fill(JSON.stringify(small, null, 2));
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid=execution-status]')?.textContent === 'SUCCEEDED', undefined, { timeout: 5 * 60_000 });
    // Assess
    const done = await adminApi('/admin/v1/campaigns/browser-small/progress');
    expect(done.execution.status).toBe('SUCCEEDED');
    expect(done.state).toBe('done');
    await page.waitForFunction((n) => document.querySelector('[data-testid=decided]')?.textContent === n.toLocaleString('en-GB'), done.decided);
    expect(done.decided).toBeGreaterThan(0);
    await shot('campaign-started');
  }, 10 * 60_000);

  it('the models page shows every version the registry lists and drift per feature', async () => {
    // Prepare
    const m = await adminApi('/admin/v1/models');
    const drift = await adminApi('/admin/v1/models/drift');
    // Act
    await page.goto(`${platform.apiUrl}/dashboard/#/models`);
    await page.getByTestId('model-churn').waitFor();
    // Assess
    for (const model of m.models.filter((x: { versions: unknown[] }) => x.versions.length > 0)) {
      expect(await page.getByTestId(`versions-${model.name}`).locator('tbody tr').count()).toBe(model.versions.length);
    }
    for (const r of drift.reports) expect(await page.getByTestId(`drift-${r.model}`).locator('tbody tr').count()).toBe(r.features.length);
    await shot('models');
  });

  it('refuses the admin API to a page without the token', async () => {
    // Act
    const ctx = await launchBrowser();
    try {
      const p = await ctx.newPage();
      await p.goto(`${platform.apiUrl}/dashboard/#/overview`);
      // Assess
      await p.getByRole('alert').waitFor();
      expect(await p.getByRole('alert').textContent()).toContain('Not signed in');
    } finally {
      await ctx.close();
    }
  });
});
