/**
 * Reading a stored artifact (a model in the registry): its JSON text or an already-parsed
 * value, checked against its schema; every problem named by path in one error of the
 * caller's class, so a corrupt or foreign version is refused with a reason, never served.
 */
import type { ZodType } from 'zod';

export function parseArtifact<T>(artifact: string | unknown, schema: ZodType<T>, invalid: (issues: string) => Error): T {
  let value: unknown = artifact;
  if (typeof artifact === 'string') {
    try {
      value = JSON.parse(artifact);
    } catch (e) {
      throw invalid(`not JSON (${(e as Error).message})`);
    }
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  return parsed.data;
}
