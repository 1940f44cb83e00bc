import { describe, expect, it } from 'vitest';
import { validateCampaignDefinition } from '../../../../functions/domain/campaigns/validate-campaign.ts';

const good = {
  id: 'spring-2025',
  name: 'Spring',
  channel: 'email',
  from: 'shop@example.com',
  audience: { segmentId: 'buyers' },
  variants: [
    { id: 'a', subject: 'Hi {{traits.first_name}}', html: '<p>{{#each recommendations}}{{itemId}}{{/each}}</p>', text: 'Hi' },
    { id: 'b', subject: 'Hello', html: '<p>b</p>', text: 'b' },
  ],
};

describe('validateCampaignDefinition', () => {
  it('accepts a definition whose templates compile', () => {
    // Prepare / Act
    const r = validateCampaignDefinition(good);

    // Assess
    expect(r.ok).toBe(true);
  });

  it('names every template that does not compile, by its path', () => {
    // Prepare
    const bad = { ...good, variants: [{ ...good.variants[0], subject: '{{#if x}}' }, { ...good.variants[1], html: '{{{raw}}}' }] };

    // Act
    const r = validateCampaignDefinition(bad);

    // Assess
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path)).toEqual(['variants.0.subject', 'variants.1.html']);
  });

  it('reports field and template errors together', () => {
    // Prepare
    const bad = { ...good, holdoutPercent: 80, variants: [{ ...good.variants[0], text: '{{/each}}' }] };

    // Act
    const r = validateCampaignDefinition(bad);

    // Assess
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path)).toEqual(['holdoutPercent', 'variants.0.text']);
  });
});
