/**
 * bench/results/measurement.md (issue 12: campaigns that measure themselves), one section per
 * evaluation between markers, so each command refreshes only its own.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSectionTo } from '../lib/report.ts';

export const MEASUREMENT_RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'measurement.md');

const HEADER = `# Campaign measurement: sequential test, intervals, send time, targeting (issue 12)

Each section names the command that produced it and the machine it ran on (2 cores, shared
with other sessions); re-run the command to refresh it. Datasets are read from
../shared/datasets/ and never committed.
`;

export function writeMeasurement(section: string, markdown: string): void {
  writeSectionTo(MEASUREMENT_RESULTS, HEADER, section, markdown);
}

/** `--name value` from the command line, or the fallback. */
export function cliArg(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}

/** Prints a section and, with `--write`, stores it in measurement.md. */
export function publishMeasurement(section: string, lines: readonly string[]): void {
  const md = lines.join('\n');
  console.log(md);
  if (process.argv.includes('--write')) writeMeasurement(section, md);
}
