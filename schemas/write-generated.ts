/**
 * Writes a generated file, or with `--check` exits 1 when the committed one differs (missing
 * counts as stale): what schemas/generate-json-schema.ts and schemas/generate-openapi.ts share.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export function writeOrCheck(out: string, text: string, command: string, argv: readonly string[] = process.argv): void {
  if (!argv.includes('--check')) {
    writeFileSync(out, text);
    console.log(`wrote ${out}`);
    return;
  }
  let current = '';
  try {
    current = readFileSync(out, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== text) {
    console.error(`${out} is stale: run ${command}`);
    process.exit(1);
  }
}
