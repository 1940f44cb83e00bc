/**
 * Writes schemas/openapi.json (schemas/openapi.ts): `npx tsx schemas/generate-openapi.ts`;
 * `--check` exits 1 when the committed file is stale (tests/unit/handlers/admin-openapi.test.ts
 * checks the same).
 */
import { fileURLToPath } from 'node:url';
import { openApiText } from './openapi.ts';
import { writeOrCheck } from './write-generated.ts';

writeOrCheck(fileURLToPath(new URL('./openapi.json', import.meta.url)), openApiText(), 'npx tsx schemas/generate-openapi.ts');
