import { describe, expect, it } from 'vitest';
import { profileSchema, type Profile } from '../../../../schemas/profile.ts';
import {
  buildRenderContext,
  checkTemplate,
  compileTemplate,
  escapeHtml,
  insertPreheader,
  renderJsonTemplate,
  renderTemplate,
  renderVariant,
  TemplateError,
  variantTemplateErrors,
} from '../../../../functions/domain/campaigns/render.ts';

function profile(over: Partial<Record<keyof Profile, unknown>> = {}): Profile {
  return profileSchema.parse({
    schemaVersion: 1,
    profileId: 'p1',
    version: 1,
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    identities: {},
    aggregates: { orders: 3 },
    traits: { first_name: 'Ann', country: 'France' },
    tags: { lifecycle: 'active', loyal: true },
    ...over,
  });
}

const score = (value: number) => ({ value, output: 'probability' as const, base: 0, contributions: [], explanation: [], model: 'm', version: '1', at: '2025-01-01T00:00:00Z' });

const context = buildRenderContext({
  profile: profile(),
  scores: { propensity: score(0.42) },
  recommendations: [
    { itemId: 'mug', title: 'Mug & Saucer' },
    { itemId: 'pot', title: 'Tea pot' },
  ],
  campaign: { id: 'c1', name: 'Spring' },
  unsubscribeUrl: 'https://x.test/u?token=a.b&x=1',
});

describe('renderTemplate', () => {
  it('fills traits, tags, scores and campaign values', () => {
    expect(renderTemplate('Hi {{traits.first_name}} ({{tags.lifecycle}}, {{scores.propensity}}) {{campaign.name}}', context, 'text')).toBe('Hi Ann (active, 0.42) Spring');
  });

  it('renders a missing value as nothing and tolerates spaces inside braces', () => {
    expect(renderTemplate('[{{traits.nope}}][{{ traits.first_name }}]', context, 'text')).toBe('[][Ann]');
  });

  it('loops over recommendations with @index, @first, @last and ../', () => {
    // Prepare
    const t = '{{#each recommendations}}{{#if @first}}For {{../traits.first_name}}: {{/if}}{{@index}}={{title}}{{#unless @last}}, {{/unless}}{{/each}}';

    // Act
    const out = renderTemplate(t, context, 'text');

    // Assess
    expect(out).toBe('For Ann: 0=Mug & Saucer, 1=Tea pot');
  });

  it('uses {{else}} for an empty list and for a false condition, with Handlebars truthiness', () => {
    // Prepare
    const empty = { ...context, recommendations: [] };

    // Act / Assess
    expect(renderTemplate('{{#each recommendations}}x{{else}}none{{/each}}', empty, 'text')).toBe('none');
    expect(renderTemplate('{{#if traits.nickname}}{{traits.nickname}}{{else}}there{{/if}}', context, 'text')).toBe('there');
    expect(renderTemplate('{{#if tags.loyal}}loyal{{/if}}', context, 'text')).toBe('loyal');
    expect(renderTemplate('{{#if zero}}y{{else}}n{{/if}}', { zero: 0 }, 'text')).toBe('n');
    expect(renderTemplate('{{#if list}}y{{else}}n{{/if}}', { list: [] }, 'text')).toBe('n');
    expect(renderTemplate('{{@root.campaign.id}}', context, 'text')).toBe('c1');
  });

  it('iterates an object with @key, and prints this', () => {
    expect(renderTemplate('{{#each m}}{{@key}}:{{this}};{{/each}}', { m: { a: 1, b: 2 } }, 'text')).toBe('a:1;b:2;');
  });

  it('escapes every value in HTML, as Handlebars does', () => {
    // Prepare
    const evil = { traits: { first_name: '<script>alert("x")</script> & \'`=' } };

    // Act
    const html = renderTemplate('<p title="{{traits.first_name}}">{{traits.first_name}}</p>', evil, 'html');

    // Assess
    expect(html).not.toContain('<script>');
    expect(html).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;&#x60;&#x3D;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;&#x60;&#x3D;</p>');
    expect(escapeHtml('a&b')).toBe('a&amp;b');
  });

  it('keeps header values on one line', () => {
    expect(renderTemplate('Hello {{traits.first_name}}', { traits: { first_name: 'Ann\r\nBcc: x@y.test' } }, 'header')).toBe('Hello Ann Bcc: x@y.test');
  });

  it('drops comments and renders objects as nothing', () => {
    expect(renderTemplate('a{{! note }}b{{!-- {{x}} --}}c{{obj}}', { obj: { a: 1 } }, 'text')).toBe('abc');
  });

  it.each([
    ['{{{traits.first_name}}}', 'unescaped'],
    ['{{&traits.first_name}}', 'unescaped'],
    ['{{> partial}}', 'unsupported'],
    ['{{formatDate traits.x}}', 'unsupported'],
    ['{{#with traits}}x{{/with}}', 'unsupported block'],
    ['{{#if a}}x', 'not closed'],
    ['{{#if a}}x{{/each}}', 'does not close'],
    ['x{{/if}}', 'closes nothing'],
    ['{{else}}', 'outside a block'],
    ['{{#if a}}1{{else}}2{{else}}3{{/if}}', 'outside a block'],
    ['{{traits.first name', 'unclosed'],
    ['{{!-- open', 'unclosed comment'],
    ['{{@secret}}', 'unknown data variable'],
    ['{{a..b}}', 'bad path'],
  ])('refuses %s', (source, message) => {
    // Prepare / Act / Assess
    expect(() => compileTemplate(source)).toThrow(TemplateError);
    expect(checkTemplate(source)).toContain(message);
  });

  it('accepts a valid template', () => {
    expect(checkTemplate('Hi {{traits.first_name}} {{#each recommendations}}{{this.itemId}}{{/each}}')).toBeUndefined();
  });
});

describe('renderJsonTemplate', () => {
  it('renders string leaves, keeps the type of a lone value and always gives valid JSON', () => {
    // Prepare
    const body = {
      user: '{{profileId}}',
      score: '{{scores.propensity}}',
      greeting: 'Hi "{{traits.first_name}}"',
      items: ['{{recommendations}}'],
      missing: '{{traits.none}}',
      fixed: 3,
      nested: { country: '{{traits.country}}' },
    };

    // Act
    const out = renderJsonTemplate(body, { ...context, traits: { ...context.traits, first_name: 'A"n\n' } });

    // Assess
    expect(out).toEqual({
      user: 'p1',
      score: 0.42,
      greeting: 'Hi "A"n\n"',
      items: [[{ itemId: 'mug', title: 'Mug & Saucer' }, { itemId: 'pot', title: 'Tea pot' }]],
      missing: null,
      fixed: 3,
      nested: { country: 'France' },
    });
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });
});

describe('renderVariant', () => {
  it('renders an email with its preheader hidden at the top of the body', () => {
    // Prepare
    const variant = { id: 'a', weight: 1, subject: 'For you, {{traits.first_name}}', preheader: '{{traits.first_name}}, new picks', html: '<html><body><p>{{traits.first_name}}</p><a href="{{unsubscribeUrl}}">unsubscribe</a></body></html>', text: 'Hi {{traits.first_name}}' };

    // Act
    const r = renderVariant('email', variant, context);

    // Assess
    expect(r).toMatchObject({ channel: 'email', subject: 'For you, Ann', preheader: 'Ann, new picks', text: 'Hi Ann' });
    if (r.channel !== 'email') return;
    expect(r.html).toContain('<body><div style="display:none;max-height:0;overflow:hidden;mso-hide:all">Ann, new picks</div><p>Ann</p>');
    expect(r.html).toContain('href="https://x.test/u?token&#x3D;a.b&amp;x&#x3D;1"');
  });

  it('renders SMS and webhook variants', () => {
    expect(renderVariant('sms', { id: 's', weight: 1, text: 'Hi {{traits.first_name}}' }, context)).toEqual({ channel: 'sms', text: 'Hi Ann' });
    expect(renderVariant('webhook', { id: 'w', weight: 1, body: { who: '{{profileId}}' } }, context)).toEqual({ channel: 'webhook', body: { who: 'p1' } });
  });

  it('refuses a variant of another channel', () => {
    expect(() => renderVariant('sms', { id: 'w', weight: 1, body: {} }, context)).toThrow(RangeError);
  });

  it('puts the preheader first when there is no body tag', () => {
    expect(insertPreheader('<p>x</p>', 'a<b')).toBe('<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">a&lt;b</div><p>x</p>');
  });
});

describe('buildRenderContext', () => {
  it('flattens scores to their values and takes them from the profile when none are given', () => {
    // Prepare / Act
    const c = buildRenderContext({ profile: profile({ scores: { churn: score(0.7) } }), campaign: { id: 'c', name: 'n' } });

    // Assess
    expect(c.scores).toEqual({ churn: 0.7 });
    expect(c.recommendations).toEqual([]);
    expect(c.unsubscribeUrl).toBeUndefined();
  });

  it('reads a SCORES item', () => {
    const c = buildRenderContext({
      profile: profile(),
      scores: { schemaVersion: 1, profileId: 'p1', profileVersion: 1, scores: { clv: { ...score(120), output: 'amount' } }, updatedAt: 'x' },
      campaign: { id: 'c', name: 'n' },
    });
    expect(c.scores).toEqual({ clv: 120 });
  });
});

describe('variantTemplateErrors', () => {
  it('names each broken template with its path', () => {
    expect(variantTemplateErrors({ id: 'a', weight: 1, subject: '{{#if x}}', html: 'ok', text: '{{{raw}}}' }).map((e) => e.path)).toEqual(['subject', 'text']);
    expect(variantTemplateErrors({ id: 'w', weight: 1, body: { a: { b: ['{{/if}}'] } } }).map((e) => e.path)).toEqual(['body.a.b.0']);
  });
});
