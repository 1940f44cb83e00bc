/**
 * The source configuration served to RudderStack's browser SDK: what its ConfigManager
 * requires (isValidSourceConfig in @rudderstack/analytics-js 3.34: an object `source` with an
 * `id`, an object `config` and an array `destinations`), enabled, and nothing that would make
 * it fetch more (no device-mode destinations, no telemetry).
 */
import { describe, expect, it } from 'vitest';
import { rudderSourceConfig } from '../../../../functions/domain/collect/source-config.ts';

describe('rudderSourceConfig', () => {
  it('holds what the SDK requires, enabled, with no destinations and its telemetry off', () => {
    // Act
    const doc = rudderSourceConfig('src-web');
    // Assess: the SDK's own validity rule, spelled out.
    expect(typeof doc.source.id).toBe('string');
    expect(doc.source.config).toBeTypeOf('object');
    expect(Array.isArray(doc.source.destinations)).toBe(true);
    expect(doc).toEqual({
      source: {
        id: 'src-web',
        enabled: true,
        config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
        destinations: [],
      },
    });
  });

  it('is JSON the same for every call (no write key, nothing per request)', () => {
    // Assess
    expect(JSON.stringify(rudderSourceConfig('src-web'))).toBe(JSON.stringify(rudderSourceConfig('src-web')));
    expect(JSON.stringify(rudderSourceConfig('src-web'))).not.toMatch(/writeKey/i);
  });
});
