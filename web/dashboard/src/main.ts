/**
 * The Sightline dashboard: a small static app without a framework (five pages of tables,
 * forms and charts do not need one). Hash routes, so the static host needs no rewrite rules:
 *   #/overview · #/profiles[/<id>] · #/segments · #/campaigns[/<id>] · #/models
 * Every number shown comes from the admin API (api.ts) and carries a data-testid the browser
 * tests compare with the API's answer. Rates of groups smaller than k arrive as null and are
 * shown as "fewer than k" (k-anonymity in reporting), never as a percentage.
 */
import { api, ApiError, ensureToken } from './api.ts';
import { barChart, timeChart } from './charts.ts';

type Child = Node | string | number | null | undefined | false;
function h(tag: string, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : String(v));
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}
const main = () => document.getElementById('main')!;
const announce = (text: string) => (document.getElementById('status')!.textContent = text);
const fmt = (n: number) => n.toLocaleString('en-GB');
const pct = (r: number) => `${(r * 100).toFixed(1)} %`;

interface Rate {
  count: number | null;
  of: number;
  rate: number | null;
  suppressed: boolean;
}
/** A k-guarded count: the number, or why it is withheld. */
const count = (n: number | null, k: number) => (n === null ? `fewer than ${k}` : fmt(n));
/** A k-guarded rate: the percentage, or why it is withheld. */
const rateText = (r: Rate, k: number) => (r.rate === null ? (r.suppressed ? `fewer than ${k}` : '–') : pct(r.rate));

function table(caption: string, head: string[], rows: Child[][], opts: { testid?: string; numeric?: number[] } = {}): HTMLElement {
  const num = new Set(opts.numeric ?? []);
  return h(
    'table',
    { 'data-testid': opts.testid },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((x, i) => h('th', { scope: 'col', class: num.has(i) ? 'num' : undefined }, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => h('td', { class: num.has(i) ? 'num' : undefined }, c))))),
  );
}
const card = (label: string, value: Child, testid: string) => h('div', { class: 'card' }, h('span', { class: 'value', 'data-testid': testid }, value), h('span', { class: 'label' }, label));

function page(title: string, ...children: Child[]) {
  const m = main();
  m.replaceChildren(h('h1', {}, title), ...children.filter(Boolean).map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
  document.title = `${title} · Sightline`;
  m.focus();
}

// ---- overview ------------------------------------------------------------------------------

async function overviewPage() {
  const [o, health] = await Promise.all([api('/admin/v1/overview'), api('/admin/v1/health')]);
  const dist = (title: string, d: { value: string; count: number; share: Rate }[], testid: string) => {
    const box = h('section', {}, h('h2', {}, title));
    barChart(box, `${title}: profiles per group`, d.map((x) => x.value), d.map((x) => x.count));
    box.append(table(title, ['group', 'profiles', 'share'], d.map((x) => [x.value, fmt(x.count), rateText(x.share, o.k)]), { testid, numeric: [1, 2] }));
    return box;
  };
  const events = h('section', {}, h('h2', {}, 'Events accepted per minute (last hour)'));
  timeChart(events, 'Events accepted per minute', health.eventsPerMinute.map((p: { minute: string }) => Date.parse(p.minute) / 1000), [{ label: 'events', values: health.eventsPerMinute.map((p: { count: number }) => p.count) }]);
  const total = health.eventsPerMinute.reduce((s: number, p: { count: number }) => s + p.count, 0);
  events.append(h('p', {}, 'In the last hour: ', h('strong', { 'data-testid': 'events-last-hour' }, fmt(total)), ` events (source: ${health.source}${health.eventsTruncated ? ', truncated' : ''}).`));
  page(
    'Overview',
    h('div', { class: 'cards' }, card('profiles', fmt(o.profiles), 'profiles'), card('events counted', fmt(o.events), 'events'), card('merged profiles', fmt(o.merged), 'merged')),
    events,
    h('div', { class: 'grid' }, dist('Lifecycle', o.lifecycle, 'lifecycle'), dist('RFM segment', o.rfm, 'rfm')),
    h('section', {}, h('h2', {}, 'Pipeline health'),
      table('Failed events by reason (today and yesterday, UTC)', ['reason', 'events'], health.failedByReason.map((f: { reason: string; count: number }) => [f.reason, fmt(f.count)]), { testid: 'failed', numeric: [1] }),
      table('Consumer lag (iterator age)', ['consumer', 'age'], health.consumerLag.map((c: { consumer: string; iteratorAgeMs: number | null }) => [c.consumer, c.iteratorAgeMs === null ? 'not measured here' : `${fmt(c.iteratorAgeMs)} ms`]), { numeric: [1] })),
  );
}

// ---- profiles ------------------------------------------------------------------------------

async function profilesPage(id?: string) {
  if (id) return profilePage(id);
  const input = h('input', { id: 'q', type: 'search', autocomplete: 'off', 'aria-describedby': 'q-help' }) as HTMLInputElement;
  const results = h('div', { 'aria-live': 'polite' });
  const form = h('form', { role: 'search' }, h('label', { for: 'q' }, 'Find a profile'), h('p', { id: 'q-help', class: 'muted' }, 'A profile id, a userId (or its beginning), anon:<id>, or the SHA-256 of an email.'), h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Search')), results);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await api(`/admin/v1/profiles?q=${encodeURIComponent(input.value)}`);
    results.replaceChildren(
      table(`${r.matches.length} match(es)${r.truncated ? ' (first 20)' : ''}`, ['profile', 'lifecycle', 'country', 'orders'], r.matches.map((m: { profileId: string; lifecycle: string; country: string; orders: number }) => [h('a', { href: `#/profiles/${encodeURIComponent(m.profileId)}` }, m.profileId), m.lifecycle, m.country, fmt(m.orders)]), { testid: 'matches', numeric: [3] }),
    );
    announce(`${r.matches.length} profiles found`);
  });
  page('Profiles', form);
  input.focus();
}

async function profilePage(id: string) {
  const d = await api(`/admin/v1/profiles/${encodeURIComponent(id)}`);
  const p = d.profile;
  const scores = h('section', {}, h('h2', {}, 'Scores and why'));
  for (const [name, s] of Object.entries<any>(d.scores)) {
    const box = h('div', { 'data-testid': `score-${name}` }, h('h3', {}, `${name}: `, h('span', { 'data-testid': `score-${name}-value` }, s.output === 'probability' ? pct(s.value) : fmt(Math.round(s.value * 100) / 100)), h('span', { class: 'muted' }, ` (model ${s.version})`)));
    const top = s.contributions.slice(0, 8);
    barChart(box, `${name}: contribution of each input (${s.output === 'probability' ? 'log-odds' : 'units'})`, top.map((c: { feature: string }) => c.feature), top.map((c: { contribution: number }) => c.contribution), { signed: true });
    box.append(h('ul', {}, ...s.explanation.map((e: string) => h('li', {}, e))));
    box.append(table(`${name}: contributions`, ['input', 'value', 'contribution'], top.map((c: { feature: string; value: unknown; contribution: number }) => [c.feature, String(c.value), c.contribution.toFixed(3)]), { numeric: [2] }));
    scores.append(box);
  }
  if (Object.keys(d.scores).length === 0) scores.append(h('p', {}, 'No scores yet.'));
  page(
    `Profile ${p.profileId}`,
    h('p', {}, h('a', { href: '#/profiles' }, '← back to search')),
    h('div', { class: 'cards' }, card('orders', fmt(p.aggregates.orders), 'orders'), card('revenue', fmt(Math.round(p.aggregates.revenue)), 'revenue'), card('events', fmt(p.aggregates.events), 'profile-events')),
    table('Tags', ['tag', 'value'], Object.entries(p.tags).map(([k, v]) => [k, String(v)]), { testid: 'tags' }),
    scores,
    table('Consent', ['purpose', 'given'], Object.entries(d.consent).map(([k, v]) => [k, v ? 'yes' : 'no']), { testid: 'consent' }),
    table('Latest campaign contacts', ['campaign', 'status', 'arm', 'when'], d.contacts.map((c: any) => [c.campaignId, c.reason ? `${c.status} (${c.reason})` : c.status, c.arm ?? '', c.at ?? '']), { testid: 'contacts' }),
  );
}

// ---- segments ------------------------------------------------------------------------------

const OPS = ['gte', 'gt', 'lte', 'lt', 'eq', 'ne', 'contains', 'exists'];

async function segmentsPage() {
  const saved = await api('/admin/v1/segments');
  const rows = h('div', {});
  const combine = h('select', { id: 'combine' }, h('option', { value: 'and' }, 'all conditions (and)'), h('option', { value: 'or' }, 'any condition (or)')) as HTMLSelectElement;
  const size = h('output', { 'data-testid': 'segment-size', for: 'segment-form' }, '–');
  const detail = h('div', {});
  let n = 0;
  const addRow = (field = 'aggregates.orders', op = 'gte', value = '1') => {
    const i = n++;
    const row = h(
      'fieldset',
      { class: 'row', 'data-row': i },
      h('legend', { class: 'visually-hidden' }, `Condition ${i + 1}`),
      h('div', {}, h('label', { for: `field-${i}` }, 'Field'), h('input', { id: `field-${i}`, name: 'field', value: field, size: 28 })),
      h('div', {}, h('label', { for: `op-${i}` }, 'Operator'), h('select', { id: `op-${i}`, name: 'op' }, ...OPS.map((o) => h('option', { value: o, selected: o === op }, o)))),
      h('div', {}, h('label', { for: `value-${i}` }, 'Value'), h('input', { id: `value-${i}`, name: 'value', value, size: 14 })),
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove condition ${i + 1}` }, 'Remove'),
    );
    row.querySelector('button')!.addEventListener('click', () => (row.remove(), schedule()));
    rows.append(row);
  };
  const definition = () => {
    const where = [...rows.querySelectorAll('fieldset')].map((f) => {
      const get = (name: string) => (f.querySelector(`[name=${name}]`) as HTMLInputElement).value.trim();
      const raw = get('value');
      const value = get('op') === 'exists' ? raw !== 'false' : raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
      return { field: get('field'), op: get('op'), value };
    });
    return { schemaVersion: 1, id: 'draft', name: 'Draft', where: where.length === 1 ? where[0] : { [combine.value]: where } };
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  const preview = async () => {
    const mine = ++seq;
    try {
      const p = await api('/admin/v1/segments/preview', { method: 'POST', body: definition() });
      if (mine !== seq) return;
      size.textContent = fmt(p.size);
      detail.replaceChildren(
        h('p', {}, `${fmt(p.matched)} of ${fmt(p.scanned - p.merged)} live profiles match.`),
        h('div', { class: 'grid' }, table('By lifecycle', ['lifecycle', 'people'], p.breakdown.lifecycle.map((b: { value: string; count: number }) => [b.value, fmt(b.count)]), { numeric: [1] }), table('By country', ['country', 'people'], p.breakdown.country.slice(0, 10).map((b: { value: string; count: number }) => [b.value, fmt(b.count)]), { numeric: [1] })),
      );
      announce(`Segment size ${p.size}`);
    } catch (err) {
      if (mine !== seq) return;
      size.textContent = '–';
      detail.replaceChildren(h('p', { class: 'error', role: 'alert' }, (err as Error).message));
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(preview, 300);
  };
  const form = h('form', { id: 'segment-form', 'aria-labelledby': 'builder-h' }, h('h2', { id: 'builder-h' }, 'Build a segment'), h('label', { for: 'combine' }, 'Match'), combine, rows, h('div', { class: 'row' }, h('button', { type: 'button', class: 'secondary', id: 'add-condition' }, 'Add condition'), h('button', { type: 'submit' }, 'Preview now')), h('p', {}, 'Size: ', size, ' people'), detail);
  form.addEventListener('input', schedule);
  form.addEventListener('submit', (e) => (e.preventDefault(), void preview()));
  form.querySelector('#add-condition')!.addEventListener('click', () => (addRow('tags.lifecycle', 'eq', 'active'), schedule()));
  addRow();
  page(
    'Segments',
    table('Saved segments', ['id', 'name'], saved.segments.map((s: { id: string; name: string }) => [s.id, s.name]), { testid: 'saved-segments' }),
    form,
  );
  void preview();
}

// ---- campaigns -----------------------------------------------------------------------------

let poll: ReturnType<typeof setTimeout> | undefined;

async function campaignsPage(id?: string) {
  if (id) return campaignPage(id);
  const list = await api('/admin/v1/campaigns');
  const text = h('textarea', { id: 'definition', spellcheck: 'false', 'aria-describedby': 'definition-help' }) as HTMLTextAreaElement;
  const result = h('div', { 'aria-live': 'polite' });
  const form = h('form', { 'aria-labelledby': 'start-h' }, h('h2', { id: 'start-h' }, 'Start a campaign'), h('label', { for: 'definition' }, 'Campaign definition (JSON)'), h('p', { id: 'definition-help', class: 'muted' }, 'schemas/campaign.schema.json; the id names the execution, so starting it twice sends nothing twice.'), text, h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Start')), result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await api('/admin/v1/campaigns', { method: 'POST', body: JSON.parse(text.value) });
      starting = r.campaignId;
      location.hash = `#/campaigns/${encodeURIComponent(r.campaignId)}`;
    } catch (err) {
      result.replaceChildren(h('p', { class: 'error', role: 'alert' }, (err as Error).message));
    }
  });
  page('Campaigns', table('Campaigns', ['campaign', 'status', 'started'], list.campaigns.map((c: { campaignId: string; status: string; startedAt?: string }) => [h('a', { href: `#/campaigns/${encodeURIComponent(c.campaignId)}` }, c.campaignId), c.status, c.startedAt ?? '']), { testid: 'campaigns' }), form);
}

/** The campaign just started from this page: its definition is stored by the execution's first state, a moment later. */
let starting: string | undefined;

async function campaignPage(id: string) {
  const d = await api(`/admin/v1/campaigns/${encodeURIComponent(id)}`).catch((err) => {
    if (!(err instanceof ApiError && err.status === 404 && starting === id)) throw err;
    page(`Campaign ${id}`, h('p', { 'data-testid': 'execution-status' }, 'STARTING'));
    poll = setTimeout(() => location.hash === `#/campaigns/${encodeURIComponent(id)}` && void campaignPage(id).catch(() => undefined), 1000);
    return undefined;
  });
  if (!d) return;
  if (starting === id) starting = undefined;
  const p = d.progress;
  const k = d.results.k;
  const of = p.decided + p.pending;
  const controls = h('div', { class: 'row' }, ...(['paused', 'running', 'cancelled'] as const).map((c) => {
    const b = h('button', { type: 'button', class: 'secondary' }, c === 'paused' ? 'Pause' : c === 'running' ? 'Resume' : 'Cancel');
    b.addEventListener('click', async () => {
      await api(`/admin/v1/campaigns/${encodeURIComponent(id)}/control`, { method: 'POST', body: { control: c } });
      announce(`Campaign ${c}`);
      void route();
    });
    return b;
  }));
  const arms = d.results.arms;
  const results = h('section', {}, h('h2', {}, 'Results per arm'),
    table(`Rates and counts of groups under ${k} people are withheld; opens are not shown (they decide nothing)`, ['arm', 'recipients', 'delivered', 'bounced', 'complaints', 'click-through', 'conversion'],
      arms.map((a: any) => [a.arm, fmt(a.recipients), count(a.delivered, k), count(a.bounced, k), count(a.complained, k), h('span', { 'data-testid': `ctr-${a.arm}` }, rateText(a.clicked, k)), rateText(a.converted, k)]),
      { testid: 'arms', numeric: [1, 2, 3, 4, 5, 6] }),
    reportView(d.results.report, k));
  const running = p.execution?.status === 'RUNNING';
  page(
    `Campaign ${id}`,
    h('p', {}, h('a', { href: '#/campaigns' }, '← all campaigns')),
    h('p', {}, 'Execution ', h('strong', { 'data-testid': 'execution-status' }, p.execution?.status ?? 'none'), `, ${p.state}, control ${p.control}, ${p.sweeps} sweep(s).`),
    h('label', { for: 'progress' }, `Progress: `, h('span', { 'data-testid': 'decided' }, fmt(p.decided)), ` of ${fmt(of)} people decided`),
    h('progress', { id: 'progress', max: Math.max(1, of), value: p.decided }),
    p.totals ? table('Totals', ['audience', 'sent', 'holdout', 'failed', 'deferred', 'skipped'], [[fmt(p.totals.audience), h('span', { 'data-testid': 'sent' }, fmt(p.totals.sent)), fmt(p.totals.holdout), fmt(p.totals.failed), fmt(p.totals.deferred), Object.entries(p.totals.skipped).map(([r, n]) => `${r} ${n}`).join(', ') || '–']], { numeric: [0, 1, 2, 3, 4] }) : null,
    controls,
    results,
    h('details', {}, h('summary', {}, 'Definition'), h('pre', {}, JSON.stringify(d.definition, null, 2))),
  );
  clearTimeout(poll);
  // Live progress while it runs: re-read every 2 s as long as this page is shown.
  if (running || !p.execution) poll = setTimeout(() => location.hash === `#/campaigns/${encodeURIComponent(id)}` && void campaignPage(id).catch(() => undefined), 2000);
}

/** Points of a rate (0.044 → "+4.4 pt"), signed. */
const points = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v * 100).toFixed(1)}`;
/** An interval of rates as percentages, or of differences as signed points. */
const interval = (i: { estimate: number; lower: number; upper: number } | null, signed = false) =>
  i === null ? '–' : signed ? `${points(i.estimate)} pt [${points(i.lower)}, ${points(i.upper)}]` : `${pct(i.estimate)} [${pct(i.lower)}, ${pct(i.upper)}]`;
const money = (m: Record<string, number> | null) => (m === null ? '–' : Object.entries(m).map(([c, v]) => `${v.toFixed(2)} ${c}`).join(', ') || '0');

/**
 * The campaign report (schemas/campaign-report.ts, built by the admin API on each read): the
 * campaign's own lift against the holdout, each arm's conversion rate and lift with their
 * intervals, the winner decision and why, and cumulative converted people per arm over time.
 * A suppressed arm (fewer than k people) shows "fewer than k" wherever a rate would be.
 */
function reportView(report: any, k: number): HTMLElement {
  const box = h('section', { 'data-testid': 'report', 'aria-labelledby': 'report-h' }, h('h2', { id: 'report-h' }, 'Did it work?'));
  const withheld = `fewer than ${k}`;
  const o = report.overall;
  const holdout = report.arms.find((a: any) => a.kind === 'holdout');
  const overall =
    !o ? 'No holdout: nothing to compare the campaign with.'
    : o.suppressed || holdout?.suppressed ? `The campaign or its holdout has ${withheld} people: no lift is shown.`
    : o.liftVsHoldout ? `Campaign ${interval(o.conversionRate)} against holdout ${interval(holdout.conversionRate)}: lift ${interval(o.liftVsHoldout.absolute, true)}`
    : 'No lift yet.';
  box.append(h('p', { class: 'lead' }, h('span', { 'data-testid': 'lift-overall' }, overall)));
  if (report.goal) box.append(h('p', { class: 'muted' }, `Goal: ${report.goal.event} within ${report.goal.windowHours} h of the send (the holdout: of its would-be send); ${report.confidence * 100} % intervals.`));
  const rows = [...report.arms, ...(o ? [o] : [])].map((a: any) => [
    a.kind === 'treated' ? 'campaign (all variants)' : a.arm,
    fmt(a.recipients),
    a.suppressed ? withheld : fmt(a.converted),
    h('span', { 'data-testid': `conv-${a.arm}` }, a.suppressed ? withheld : interval(a.conversionRate)),
    h('span', { 'data-testid': `lift-${a.arm}` }, a.suppressed ? withheld : a.kind === 'holdout' ? '(control)' : interval(a.liftVsHoldout?.absolute ?? null, true)),
    a.suppressed ? withheld : money(a.revenuePerRecipient),
  ]);
  box.append(table('Conversion and lift against the holdout, per arm', ['arm', 'recipients', 'converted', 'conversion rate [interval]', 'lift vs holdout [interval]', 'revenue per recipient'], rows, { testid: 'lift', numeric: [1, 2] }));
  const w = report.winner;
  box.append(
    h('h3', {}, 'Winner'),
    w ? h('p', { 'data-testid': 'decision' }, h('strong', {}, w.outcome === 'winner' ? `${w.winner} wins` : `No winner: ${w.chosen} stays`), ` — ${w.explanation}`) : h('p', { 'data-testid': 'decision' }, 'One variant: nothing to decide.'),
  );
  const ct = report.clickThrough;
  if (ct) box.append(h('h3', {}, 'Click-through against its own baseline'), h('p', { 'data-testid': 'click-alert', class: ct.below ? 'alert' : undefined, role: ct.below ? 'alert' : undefined }, ct.below ? h('strong', {}, 'Alert: ') : null, ct.explanation));
  // Cumulative converted people per arm: step series on the union of their times (uPlot wants one x).
  const shown = report.timeline.filter((t: any) => t.points.length > 0);
  if (shown.length) {
    const xs = [...new Set<number>(shown.flatMap((t: any) => t.points.map((p: any) => Date.parse(p.at) / 1000)))].sort((x, y) => x - y);
    const series = shown.map((t: any) => {
      let i = 0;
      let last = 0;
      return { label: t.arm, values: xs.map((x) => { while (i < t.points.length && Date.parse(t.points[i].at) / 1000 <= x) last = t.points[i++].converted; return last; }) };
    });
    timeChart(box, 'Cumulative converted people per arm', xs, series);
    box.append(table('Converted people per arm (the chart’s last points)', ['arm', 'converted', 'last conversion'], shown.map((t: any) => [t.arm, h('span', { 'data-testid': `cumulative-${t.arm}` }, fmt(t.points.at(-1).converted)), t.points.at(-1).at]), { numeric: [1] }));
  } else box.append(h('p', { class: 'muted' }, 'No conversions credited yet.'));
  return box;
}

// ---- models --------------------------------------------------------------------------------

async function modelsPage() {
  const [m, drift] = await Promise.all([api('/admin/v1/models'), api('/admin/v1/models/drift')]);
  const sections = m.models.map((model: any) => {
    const box = h('section', { 'data-testid': `model-${model.name}` }, h('h2', {}, model.name));
    if (model.versions.length === 0) return box.appendChild(h('p', { class: 'muted' }, 'No version published.')), box;
    const numeric = [...new Set(model.versions.flatMap((v: any) => Object.entries(v.metrics).filter(([key, x]) => typeof x === 'number' && /auc|loss|mae|rmse|likelihood|silhouette|precision|recall|ndcg|hit/i.test(key)).map(([key]) => key)))] as string[];
    if (numeric.length) timeChart(box, `${model.name}: held-out metrics over versions`, model.versions.map((v: any) => Date.parse(v.createdAt) / 1000), numeric.map((key) => ({ label: key, values: model.versions.map((v: any) => (typeof v.metrics[key] === 'number' ? v.metrics[key] : null)) })));
    box.append(table(`${model.name}: versions (current ${model.current?.version ?? 'none'})`, ['version', 'current', ...numeric], [...model.versions].reverse().map((v: any) => [v.version, v.version === model.current?.version ? 'yes' : '', ...numeric.map((key) => (typeof v.metrics[key] === 'number' ? v.metrics[key].toFixed(3) : ''))]), { testid: `versions-${model.name}` }));
    if (Object.keys(model.fairness).length) box.append(table('Fairness (stored with the version)', ['figure', 'value'], Object.entries(model.fairness).map(([key, x]) => [key, String(x)])));
    const r = drift.reports.find((x: any) => x.model === model.name);
    if (r) {
      barChart(box, `${model.name}: drift (PSI) per feature`, r.features.map((f: { name: string }) => f.name), r.features.map((f: { psi: number }) => f.psi));
      box.append(table(`${model.name}: drift over ${fmt(r.rows)} profiles; score PSI ${r.scorePsi.toFixed(3)} (${r.band})`, ['feature', 'PSI', 'reading'], r.features.map((f: { name: string; psi: number; band: string }) => [f.name, f.psi.toFixed(3), f.band]), { testid: `drift-${model.name}`, numeric: [1] }));
    }
    if (model.current?.previous) {
      const b = h('button', { type: 'button', class: 'secondary' }, `Roll back to ${model.current.previous}`);
      b.addEventListener('click', async () => (await api(`/admin/v1/models/${model.name}/rollback`, { method: 'POST' }), void route()));
      box.append(b);
    }
    return box;
  });
  page('Models', ...sections);
}

// ---- router --------------------------------------------------------------------------------

const PAGES: Record<string, (arg?: string) => Promise<void>> = { overview: overviewPage, profiles: profilesPage, segments: segmentsPage, campaigns: campaignsPage, models: modelsPage };

async function route() {
  const [, name = 'overview', arg] = /^#\/([a-z]+)(?:\/(.+))?/.exec(location.hash) ?? [];
  for (const a of document.querySelectorAll('nav a')) a.toggleAttribute('aria-current', (a as HTMLElement).dataset.page === name) && a.setAttribute('aria-current', 'page');
  clearTimeout(poll);
  try {
    await (PAGES[name] ?? overviewPage)(arg ? decodeURIComponent(arg) : undefined);
  } catch (err) {
    const signIn = err instanceof ApiError && (err.status === 401 || err.status === 403);
    page('Something went wrong', h('p', { class: 'error', role: 'alert' }, signIn ? 'Not signed in: open the dashboard address npm start printed (it carries the admin token), or sign in again.' : (err as Error).message));
  }
}

window.addEventListener('hashchange', () => void route());
void ensureToken().then(() => route());
