/**
 * bench/results/recommend.md, section by section (between markers), so the validation runs
 * of each method and the test run can be refreshed one at a time.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { totalmem, cpus } from 'node:os';

export const RESULTS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'recommend.md');
export const TUNED_FILE = join(dirname(fileURLToPath(import.meta.url)), 'tuned-options.json');

const ORDER = ['test', 'validation-popularity', 'validation-item-item', 'validation-ease', 'validation-als'];
const HEADER = `# Embedded recommender — Online Retail evaluation (issue 4)

Each section names the command that produced it and the machine it ran on; re-run the
command to refresh it. Hyper-parameters are chosen on the validation split only (train before
2011-06-09, truth = the next three months); the test split (train before 2011-09-09, truth =
2011-09-09 to 2011-12-09) is run once with what validation chose. Sections are ordered test
first; the validation sections below it are the evidence for every choice. Their "train s"
columns were measured while other jobs shared the two cores (indicative only); the test
section's costs table is the timing reference. A single Recall@10 figure has a 95 % interval
of about ±0.005 (test section, 1,860 customers; validation has fewer), so where a stage's
values differ by a few thousandths the choice among them is not evidence of a better setting.
`;

export function machine(): string {
  let nproc = String(cpus().length);
  try {
    nproc = execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    // no coreutils: the os module's count is the same figure on Linux
  }
  return `nproc ${nproc} (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function writeResultsSection(name: string, markdown: string): void {
  mkdirSync(dirname(RESULTS_FILE), { recursive: true });
  const text = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : HEADER;
  const sections = new Map<string, string>();
  for (const m of text.matchAll(/<!-- section:([\w-]+) -->\n([\s\S]*?)\n<!-- \/section:\1 -->/g)) sections.set(m[1], m[2]);
  sections.set(name, markdown.trim());
  const names = [...sections.keys()].sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
  const head = text.includes('<!-- section:') ? text.slice(0, text.indexOf('<!-- section:')).trimEnd() : text.trimEnd();
  writeFileSync(RESULTS_FILE, `${head}\n\n${names.map((n) => `<!-- section:${n} -->\n${sections.get(n)}\n<!-- /section:${n} -->`).join('\n\n')}\n`);
}
