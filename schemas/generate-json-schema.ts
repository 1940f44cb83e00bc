/**
 * Writes schemas/campaign.schema.json from the zod campaign schema: `npx tsx schemas/generate-json-schema.ts`
 * (`--check` exits 1 when the committed file is stale, for CI).
 *
 * The JSON Schema describes the input a marketer writes (`io: 'input'`: fields with defaults
 * are optional). Cross-field rules (unique variant ids, send time outside quiet hours, …) are
 * zod refinements that JSON Schema cannot express; `validateCampaign` is the authority, the
 * file is for editors and for tools outside TypeScript.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { campaignSchema } from './campaign.ts';

export function campaignJsonSchema(): string {
  const schema = z.toJSONSchema(campaignSchema, { io: 'input', target: 'draft-2020-12' });
  const titled = { title: 'Sightline campaign definition', ...schema };
  return `${JSON.stringify(titled, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = fileURLToPath(new URL('./campaign.schema.json', import.meta.url));
  const text = campaignJsonSchema();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(out, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error(`${out} is stale: run npx tsx schemas/generate-json-schema.ts`);
      process.exit(1);
    }
  } else {
    writeFileSync(out, text);
    console.log(`wrote ${out}`);
  }
}
