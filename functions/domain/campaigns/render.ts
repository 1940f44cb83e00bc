/**
 * Rendering a variant for one person: subject, preheader, HTML and text bodies, an SMS text,
 * or a webhook's JSON body, filled from traits, tags, scores and `recommendations`.
 *
 * Design:
 * - `handlebars` is not a dependency (node_modules has none), and a campaign needs only a small
 *   part of it, so this is a minimal renderer of a strict subset of Handlebars syntax:
 *   `{{path}}`, `{{#if}}` / `{{#unless}}` / `{{#each}}` with `{{else}}`, `this`, `@index`,
 *   `@first`, `@last`, `../` and `@root.`, and `{{! comments }}`. Being a subset keeps the
 *   door open to SES templates (SendBulkEmail renders Handlebars): a template that works
 *   here renders the same there. Lookups follow Handlebars (inside `#each` a bare name is the
 *   item's field; missing values render as nothing; `0`, `''` and `[]` are false in `#if`).
 * - Safe by construction: in HTML every value is escaped as Handlebars escapes it
 *   (& < > " ' ` =), and the unescaped forms (`{{{x}}}`, `{{&x}}`), partials and helpers are
 *   refused when the template is compiled — profile traits come from end users and must
 *   never become markup. Header values (the subject) lose CR/LF, so no value can add a header.
 * - Templates are compiled once and cached (a page renders the same variant a thousand
 *   times); compile errors name the offset, and `checkTemplate` lets validation reject a bad
 *   template before anything is sent.
 * - A webhook body is JSON whose string leaves are templates, rendered as text; a leaf that is
 *   exactly one `{{path}}` keeps the value's JSON type (a number stays a number). The result
 *   is always valid JSON, whatever the values hold — no JSON is ever built by concatenation.
 */
import type { CampaignChannel, CampaignVariant } from '../../../schemas/campaign.ts';
import type { Profile } from '../../../schemas/profile.ts';
import { buildUnsubscribeHeaders, signUnsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken } from './unsubscribe.ts';
import type { ProfileScores } from './segments.ts';

export { buildUnsubscribeHeaders, signUnsubscribeToken, unsubscribeUrl, verifyUnsubscribeToken };

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at character ${offset})`);
    this.name = 'TemplateError';
  }
}

type Path = { up: number; root: boolean; data: boolean; parts: string[] };
type Node =
  | { type: 'text'; value: string }
  | { type: 'value'; path: Path }
  | { type: 'block'; helper: 'if' | 'unless' | 'each'; path: Path; body: Node[]; inverse: Node[] };

export interface Template {
  readonly source: string;
  readonly nodes: readonly Node[];
}

const SEGMENT = /^[A-Za-z_$][\w$-]*$|^\d+$/;

function parsePath(raw: string, offset: number): Path {
  let s = raw;
  let up = 0;
  let root = false;
  let data = false;
  while (s.startsWith('../')) {
    up++;
    s = s.slice(3);
  }
  if (s.startsWith('@root')) {
    root = true;
    s = s.slice(5).replace(/^\./, '');
  } else if (s.startsWith('@')) {
    data = true;
    s = s.slice(1);
  }
  if (s === 'this' || s === '.' || s === '') {
    if (data) throw new TemplateError(`bad path "${raw}"`, offset);
    return { up, root, data, parts: [] };
  }
  if (s.startsWith('this.')) s = s.slice(5);
  const parts = s.split('.');
  if (parts.some((p) => !SEGMENT.test(p))) throw new TemplateError(`bad path "${raw}"`, offset);
  if (data && !(parts.length === 1 && ['index', 'first', 'last', 'key'].includes(parts[0]))) {
    throw new TemplateError(`unknown data variable "${raw}"`, offset);
  }
  return { up, root, data, parts };
}

/** Parses a template; throws TemplateError on anything outside the supported subset. */
export function compileTemplate(source: string): Template {
  const root: Node[] = [];
  const stack: { node: Extract<Node, { type: 'block' }>; inElse: boolean; offset: number }[] = [];
  const out = () => {
    const top = stack.at(-1);
    return top ? (top.inElse ? top.node.inverse : top.node.body) : root;
  };
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      out().push({ type: 'text', value: source.slice(i) });
      break;
    }
    if (open > i) out().push({ type: 'text', value: source.slice(i, open) });
    if (source.startsWith('{{!--', open)) {
      const end = source.indexOf('--}}', open + 5);
      if (end < 0) throw new TemplateError('unclosed comment', open);
      i = end + 4;
      continue;
    }
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateError('unclosed {{', open);
    const inner = source.slice(open + 2, close);
    i = close + 2;
    if (inner.startsWith('!')) continue;
    if (inner.startsWith('{') || inner.startsWith('&')) throw new TemplateError('unescaped output is not allowed', open);
    const tag = inner.trim();
    if (tag.startsWith('#')) {
      const m = /^#(if|unless|each)\s+(\S+)$/.exec(tag);
      if (!m) throw new TemplateError(`unsupported block "{{${tag}}}" (only #if, #unless, #each with one path)`, open);
      const node = { type: 'block' as const, helper: m[1] as 'if' | 'unless' | 'each', path: parsePath(m[2], open), body: [], inverse: [] };
      out().push(node);
      stack.push({ node, inElse: false, offset: open });
    } else if (tag.startsWith('/')) {
      const top = stack.pop();
      if (!top) throw new TemplateError(`"{{${tag}}}" closes nothing`, open);
      if (tag.slice(1).trim() !== top.node.helper) throw new TemplateError(`"{{${tag}}}" does not close #${top.node.helper}`, open);
    } else if (tag === 'else') {
      const top = stack.at(-1);
      if (!top || top.inElse) throw new TemplateError('{{else}} outside a block', open);
      top.inElse = true;
    } else {
      if (/\s/.test(tag) || tag.startsWith('>') || tag.startsWith('~') || tag.endsWith('~')) {
        throw new TemplateError(`unsupported expression "{{${inner}}}" (helpers, partials and whitespace control are not supported)`, open);
      }
      out().push({ type: 'value', path: parsePath(tag, open) });
    }
  }
  const unclosed = stack.at(-1);
  if (unclosed) throw new TemplateError(`#${unclosed.node.helper} is not closed`, unclosed.offset);
  return { source, nodes: root };
}

/** The compile error's message, or undefined when the template is fine. */
export function checkTemplate(source: string): string | undefined {
  try {
    compileTemplate(source);
    return undefined;
  } catch (e) {
    if (e instanceof TemplateError) return e.message;
    throw e;
  }
}

const cache = new Map<string, Template>();
const CACHE_LIMIT = 500;
function compiled(source: string | Template): Template {
  if (typeof source !== 'string') return source;
  let t = cache.get(source);
  if (!t) {
    t = compileTemplate(source);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(source, t);
  }
  return t;
}

export type RenderMode = 'html' | 'text' | 'header';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]);
}

interface Frame {
  value: unknown;
  data: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function resolve(path: Path, frames: Frame[]): unknown {
  if (path.data) return frames.at(-1)?.data[path.parts[0]];
  let v = path.root ? frames[0].value : frames[Math.max(0, frames.length - 1 - path.up)].value;
  for (const part of path.parts) {
    if (!isObject(v) || !Object.hasOwn(v, part)) return undefined;
    v = v[part];
  }
  return v;
}

const truthy = (v: unknown) => !(v === undefined || v === null || v === false || v === '' || v === 0 || (Array.isArray(v) && v.length === 0));

function display(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map(display).join(',');
  return ''; // an object has no useful text; "[object Object]" in a mail helps nobody
}

function renderNodes(nodes: readonly Node[], frames: Frame[], mode: RenderMode, out: string[]): void {
  for (const n of nodes) {
    if (n.type === 'text') out.push(n.value);
    else if (n.type === 'value') {
      const s = display(resolve(n.path, frames));
      out.push(mode === 'html' ? escapeHtml(s) : mode === 'header' ? s.replace(/[\r\n]+/g, ' ') : s);
    } else {
      const v = resolve(n.path, frames);
      if (n.helper === 'each') {
        const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, k) => [k, x]) : isObject(v) ? Object.entries(v) : [];
        if (entries.length === 0) renderNodes(n.inverse, frames, mode, out);
        entries.forEach(([key, item], k) => {
          const data = { index: k, key, first: k === 0, last: k === entries.length - 1 };
          renderNodes(n.body, [...frames, { value: item, data }], mode, out);
        });
      } else {
        const yes = n.helper === 'if' ? truthy(v) : !truthy(v);
        renderNodes(yes ? n.body : n.inverse, frames, mode, out);
      }
    }
  }
}

/** Renders a template (source or compiled) against a context. */
export function renderTemplate(template: string | Template, context: unknown, mode: RenderMode): string {
  const out: string[] = [];
  renderNodes(compiled(template).nodes, [{ value: context, data: {} }], mode, out);
  return out.join('');
}

const SINGLE_VALUE = /^\{\{\s*([^\s{}#/!&>~]+)\s*\}\}$/;

/** Renders the string leaves of a JSON value as text templates; a lone `{{path}}` keeps its type. */
export function renderJsonTemplate(value: unknown, context: unknown): unknown {
  if (typeof value === 'string') {
    const m = SINGLE_VALUE.exec(value);
    if (m && m[1] !== 'else') {
      const v = resolve(parsePath(m[1], 0), [{ value: context, data: {} }]);
      return v === undefined ? null : JSON.parse(JSON.stringify(v)) as unknown; // only JSON-able data leaves
    }
    return renderTemplate(value, context, 'text');
  }
  if (Array.isArray(value)) return value.map((v) => renderJsonTemplate(v, context));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderJsonTemplate(v, context)]));
  return value;
}

/** Every template string in a JSON value, with its dotted path. */
function jsonTemplates(value: unknown, path: string, out: { path: string; source: string }[]): void {
  if (typeof value === 'string') out.push({ path, source: value });
  else if (Array.isArray(value)) value.forEach((v, i) => jsonTemplates(v, `${path}.${i}`, out));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) jsonTemplates(v, `${path}.${k}`, out);
}

export interface RenderContext {
  profileId: string;
  traits: Record<string, unknown>;
  tags: Record<string, string | number | boolean>;
  /** model → the score's value (`{{scores.propensity}}`). */
  scores: Record<string, number>;
  aggregates: Profile['aggregates'];
  /** What fillRecommendedSlots returned, enriched by the caller (title, url, image) if it can. */
  recommendations: unknown[];
  campaign: { id: string; name: string };
  unsubscribeUrl?: string;
}

export interface RenderContextInput {
  profile: Profile;
  scores?: ProfileScores;
  recommendations?: unknown[];
  campaign: { id: string; name: string };
  unsubscribeUrl?: string;
}

export function buildRenderContext(input: RenderContextInput): RenderContext {
  const { profile } = input;
  const map =
    input.scores === undefined
      ? (profile.scores ?? {})
      : 'schemaVersion' in input.scores && 'profileId' in input.scores
        ? (input.scores as { scores: Record<string, { value: number }> }).scores
        : (input.scores as Record<string, { value: number }>);
  return {
    profileId: profile.profileId,
    traits: profile.traits,
    tags: profile.tags,
    scores: Object.fromEntries(Object.entries(map).map(([k, s]) => [k, s.value])),
    aggregates: profile.aggregates,
    recommendations: input.recommendations ?? [],
    campaign: input.campaign,
    ...(input.unsubscribeUrl ? { unsubscribeUrl: input.unsubscribeUrl } : {}),
  };
}

export type RenderedVariant =
  | { channel: 'email'; subject: string; preheader?: string; html: string; text: string }
  | { channel: 'sms'; text: string }
  | { channel: 'webhook'; body: unknown };

/**
 * The preheader as the hidden first element of the body (how inbox previews read it),
 * right after `<body…>` when there is one.
 */
export function insertPreheader(html: string, preheader: string): string {
  const hidden = `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">${escapeHtml(preheader)}</div>`;
  const body = /<body[^>]*>/i.exec(html);
  return body ? html.slice(0, body.index + body[0].length) + hidden + html.slice(body.index + body[0].length) : hidden + html;
}

export function renderVariant(channel: CampaignChannel, variant: CampaignVariant, context: RenderContext): RenderedVariant {
  if (channel === 'email' && 'subject' in variant) {
    const preheader = variant.preheader === undefined ? undefined : renderTemplate(variant.preheader, context, 'header');
    const html = renderTemplate(variant.html, context, 'html');
    return {
      channel,
      subject: renderTemplate(variant.subject, context, 'header'),
      ...(preheader ? { preheader } : {}),
      html: preheader ? insertPreheader(html, preheader) : html,
      text: renderTemplate(variant.text, context, 'text'),
    };
  }
  if (channel === 'sms' && 'text' in variant && !('subject' in variant)) return { channel, text: renderTemplate(variant.text, context, 'text') };
  if (channel === 'webhook' && 'body' in variant) return { channel, body: renderJsonTemplate(variant.body, context) };
  throw new RangeError(`variant ${variant.id} does not fit channel ${channel}`);
}

/** Every template of a variant that does not compile, with its path inside the variant. */
export function variantTemplateErrors(variant: CampaignVariant): { path: string; message: string }[] {
  const sources: { path: string; source: string }[] = [];
  for (const key of ['subject', 'preheader', 'html', 'text'] as const) {
    const v = (variant as Record<string, unknown>)[key];
    if (typeof v === 'string') sources.push({ path: key, source: v });
  }
  if ('body' in variant) jsonTemplates(variant.body, 'body', sources);
  return sources.flatMap(({ path, source }) => {
    const message = checkTemplate(source);
    return message ? [{ path, message }] : [];
  });
}
