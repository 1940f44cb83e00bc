/**
 * The one place `process.env` is read: each handler parses its own schema once, at cold start.
 * A missing or malformed variable stops the function at start-up with the names of the fields.
 */
import { envSchemas, type FunctionName, type ParsedEnv } from '../../schemas/env/functions.ts';

export function loadEnv<F extends FunctionName>(name: F, source: NodeJS.ProcessEnv = process.env): ParsedEnv<F> {
  const parsed = envSchemas[name].safeParse(source);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment for ${name}: ${fields}`);
  }
  return parsed.data as ParsedEnv<F>;
}
