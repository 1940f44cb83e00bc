/**
 * Writes schemas/campaign.schema.json from the zod campaign schema: `npx tsx schemas/generate-json-schema.ts`
 * (`--check` exits 1 when the committed file is stale, for CI).
 *
 * The JSON Schema describes the input a marketer writes (`io: 'input'`: fields with defaults
 * are optional). Cross-field rules (unique variant ids, send time outside quiet hours, …) are
 * zod refinements that JSON Schema cannot express; `validateCampaign` is the authority, the
 * file is for editors and for tools outside TypeScript.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { campaignSchema } from './campaign.ts';
import { writeOrCheck } from './write-generated.ts';

export function campaignJsonSchema(): string {
  const schema = z.toJSONSchema(campaignSchema, { io: 'input', target: 'draft-2020-12' });
  const titled = { title: 'Sightline campaign definition', ...schema };
  return `${JSON.stringify(titled, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeOrCheck(fileURLToPath(new URL('./campaign.schema.json', import.meta.url)), campaignJsonSchema(), 'npx tsx schemas/generate-json-schema.ts');
}
