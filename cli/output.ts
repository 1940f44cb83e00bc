/**
 * How every CLI action ends: the command's result, printed as JSON (`--json`) or through
 * its formatter. A formatter that finds a failure in the result (events refused, a 4xx from
 * the API) says so with `ok: false`, and the process exits 1.
 */
export interface Shown {
  text: string;
  ok: boolean;
}

export function show<R>(result: R, format: (r: R) => string | Shown, json = false): void {
  const shown = format(result);
  const { text, ok } = typeof shown === 'string' ? { text: shown, ok: true } : shown;
  console.log(json ? JSON.stringify(result, null, 2) : text);
  if (!ok) process.exitCode = 1;
}

/** Progress on stderr for a person at a terminal, nothing otherwise (pipes, --json). */
export const progressLine = (json?: boolean) => (!json && process.stderr.isTTY ? (m: string) => process.stderr.write(`\r\x1b[K${m}`) : undefined);
export const clearProgress = () => process.stderr.isTTY && process.stderr.write('\r\x1b[K');
