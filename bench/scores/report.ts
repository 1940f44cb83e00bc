/**
 * Writing a section of bench/results/scores.md between its markers (other sections are
 * left as they are), and the machine line every section carries.
 */
import { execSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCORES_RESULTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'scores.md');

export function machine(): string {
  let nproc = String(cpus().length);
  try {
    nproc = execSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // nproc is coreutils; os.cpus() is the fallback on systems without it.
  }
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `nproc ${nproc} (${model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, node ${process.version}, ${process.platform}/${process.arch}; ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function writeSection(name: string, markdown: string): void {
  const begin = `<!-- section:${name} -->`;
  const end = `<!-- /section:${name} -->`;
  const block = `${begin}\n${markdown.trim()}\n${end}`;
  mkdirSync(dirname(SCORES_RESULTS), { recursive: true });
  let text = existsSync(SCORES_RESULTS)
    ? readFileSync(SCORES_RESULTS, 'utf8')
    : '# Scoring model results\n\nEach section names the command that produced it and the machine it ran on; re-run the command to refresh it. Data: UCI Bank Marketing (bank-additional-full) and UCI Online Retail, read from ../shared/datasets/ (never committed).\n';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(SCORES_RESULTS, text);
}

export const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—');
export const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '—');
export const f4 = (n: number) => (Number.isFinite(n) ? n.toFixed(4) : '—');

/** A markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}
