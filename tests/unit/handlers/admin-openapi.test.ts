/**
 * The committed schemas/openapi.json is what schemas/openapi.ts builds (regenerate with
 * `npx tsx schemas/generate-openapi.ts`), is OpenAPI 3.1, and documents every admin route with
 * a response schema; GET /openapi.json serves the same bytes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiText } from '../../../schemas/openapi.ts';
import { ADMIN_ROUTES } from '../../../schemas/api/admin-routes.ts';
import { getOpenApi } from '../../../functions/handlers/get-openapi.ts';

describe('OpenAPI', () => {
  it('is committed up to date and served by GET /openapi.json', async () => {
    // Prepare
    const committed = readFileSync(new URL('../../../schemas/openapi.json', import.meta.url), 'utf8');
    // Act
    const served = (await getOpenApi({})) as { statusCode: number; body: string };
    // Assess
    expect(committed).toBe(openApiText());
    expect(served.statusCode).toBe(200);
    expect(served.body).toBe(committed);
  });

  it('documents every admin route with a JSON response schema (3.1: JSON Schema 2020-12)', () => {
    // Prepare
    const doc = JSON.parse(openApiText());
    // Assess
    expect(doc.openapi).toBe('3.1.0');
    for (const r of ADMIN_ROUTES) {
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(op.responses['200'].content['application/json'].schema.type).toBe('object');
      expect(op.security).toEqual([{ cognito: [] }]);
      if (r.request) expect(op.requestBody.content['application/json'].schema).toBeDefined();
    }
  });
});
