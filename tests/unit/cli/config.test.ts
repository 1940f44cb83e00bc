import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localTarget } from '../../../cli/config.ts';
import { readLocalConfig } from '../../../local/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'sightline-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('CLI target', () => {
  it('reads the API and write key the local platform saved', () => {
    // Prepare
    const p = file('local.json', JSON.stringify({ apiUrl: 'http://127.0.0.1:4000', writeKey: 'wk_saved', resources: { PROFILES_TABLE_NAME: 'profiles' } }));

    // Act
    const t = localTarget({}, p);

    // Assess
    expect(t).toEqual({ apiUrl: 'http://127.0.0.1:4000', writeKey: 'wk_saved', resources: { PROFILES_TABLE_NAME: 'profiles' } });
  });

  it('lets flags win over the saved file', () => {
    const p = file('local2.json', JSON.stringify({ apiUrl: 'http://127.0.0.1:4000', writeKey: 'wk_saved' }));
    expect(localTarget({ endpoint: 'https://api.example.test/prod', writeKey: 'wk_flag' }, p)).toMatchObject({ apiUrl: 'https://api.example.test/prod', writeKey: 'wk_flag' });
  });

  it('works with flags alone when no local platform was ever started', () => {
    const missing = join(dir, 'absent.json');
    expect(readLocalConfig(missing)).toBeUndefined();
    expect(localTarget({ endpoint: 'http://127.0.0.1:9', writeKey: 'k' }, missing)).toEqual({ apiUrl: 'http://127.0.0.1:9', writeKey: 'k' });
  });

  it('says what to do when there is neither a saved platform nor flags', () => {
    expect(() => localTarget({}, join(dir, 'absent.json'))).toThrow(/npm start.*--endpoint and --write-key/);
    expect(() => localTarget({ endpoint: 'http://127.0.0.1:9' }, join(dir, 'absent.json'))).toThrow(/--write-key/);
  });

  it('names the file when it is not JSON', () => {
    const p = file('broken.json', '{ "apiUrl": ');
    expect(() => localTarget({}, p)).toThrow(/broken\.json is not valid JSON/);
  });
});
