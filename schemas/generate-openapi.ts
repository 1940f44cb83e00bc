/**
 * Writes schemas/openapi.json (schemas/openapi.ts): `npx tsx schemas/generate-openapi.ts`;
 * `--check` exits 1 when the committed file is stale (tests/unit/handlers/admin-openapi.test.ts
 * checks the same).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiText } from './openapi.ts';

const out = fileURLToPath(new URL('./openapi.json', import.meta.url));
const text = openApiText();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error('schemas/openapi.json is stale: run npx tsx schemas/generate-openapi.ts');
    process.exit(1);
  }
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
