/**
 * Compute per event of Clean + Tag, in-process (no I/O: an in-memory profile store),
 * against JSON.parse + JSON.stringify of the same envelopes in the same run, as a ratio.
 *
 *   npx tsx bench/compute.ts [--file ../shared/datasets/online-retail.csv.gz] [--rounds 3]
 *
 * Without the dataset it uses the seeded demo shop.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RetailConverter, type RetailRow } from '../datasets/online-retail.ts';
import { readCsv } from '../datasets/read-csv.ts';
import type { SegmentLikeEvent } from '../schemas/events.ts';
import { demoShop } from '../datasets/demo-shop.ts';
import { cleanEnvelope } from '../functions/domain/clean/clean.ts';
import { updateProfiles } from '../functions/domain/profiles/update-profiles.ts';
import { RULE_SET_ID, RULE_SET_V1 } from '../functions/domain/tag/tags.ts';
import type { CleanEvent } from '../schemas/clean-event.ts';
import { MemoryProfileStore } from '../tests/helpers/memory-profile-store.ts';
import { fmt, machine, writeSection } from './lib/report.ts';

const { values } = parseArgs({ options: { file: { type: 'string', default: '../shared/datasets/online-retail.csv.gz' }, rounds: { type: 'string', default: '3' }, write: { type: 'boolean', default: true } }, allowNegative: true });

async function load(): Promise<{ source: string; events: SegmentLikeEvent[] }> {
  if (values.file && existsSync(values.file)) {
    const c = new RetailConverter();
    const events: SegmentLikeEvent[] = [];
    for await (const row of readCsv<RetailRow>(values.file)) events.push(...c.push(row));
    events.push(...c.end());
    return { source: `UCI Online Retail (${values.file})`, events };
  }
  return { source: 'synthetic demo shop (seed 7)', events: demoShop({ seed: 7, end: new Date('2026-11-22T00:00:00Z') }) };
}

const { source, events } = await load();
const receivedAt = new Date().toISOString();
const envelopes = events.map((e) => JSON.stringify({ v: 1, sourceId: 'bench', receivedAt, event: e }));
const rounds = Number(values.rounds);
const results: { baseline: number; pipeline: number; clean: number; tag: number }[] = [];

for (let r = 0; r < rounds; r++) {
  // Baseline: what any JSON-in, JSON-out stage costs at least.
  let t = process.hrtime.bigint();
  let sink = 0;
  for (const s of envelopes) sink += JSON.stringify(JSON.parse(s)).length;
  const baseline = Number(process.hrtime.bigint() - t) / 1e3;

  // Clean: parse + clean + serialise for the clean stream.
  t = process.hrtime.bigint();
  const clean: CleanEvent[] = [];
  for (const s of envelopes) {
    const out = cleanEnvelope(JSON.parse(s));
    if (out.kind === 'clean') {
      sink += JSON.stringify(out.event).length;
      clean.push(out.event);
    }
  }
  const cleanUs = Number(process.hrtime.bigint() - t) / 1e3;

  // Tag: identity resolution, aggregates and tags, in batches of 500 as the stream mapping delivers them.
  const store = new MemoryProfileStore();
  const deps = { store, ruleSet: RULE_SET_V1, ruleSetId: RULE_SET_ID, now: () => new Date(), clock: 'event' as const };
  t = process.hrtime.bigint();
  for (let i = 0; i < clean.length; i += 500) await updateProfiles(clean.slice(i, i + 500), deps);
  const tagUs = Number(process.hrtime.bigint() - t) / 1e3;
  if (sink < 0) console.log(sink);
  results.push({ baseline: baseline / envelopes.length, clean: cleanUs / envelopes.length, tag: tagUs / envelopes.length, pipeline: (cleanUs + tagUs) / envelopes.length });
}

const best = (k: keyof (typeof results)[0]) => Math.min(...results.map((r) => r[k]));
const avgBytes = envelopes.reduce((s, e) => s + e.length, 0) / envelopes.length;
const table = `| stage | µs per event (best of ${rounds}) |
|---|---|
| JSON.parse + JSON.stringify (baseline) | ${fmt(best('baseline'))} |
| Clean (parse, validate, normalise, PII policy, serialise) | ${fmt(best('clean'))} |
| Tag (identity, aggregates, tags; in-memory store) | ${fmt(best('tag'))} |
| Clean + Tag | ${fmt(best('pipeline'))} |
| **ratio Clean + Tag / baseline** | **${fmt(best('pipeline') / best('baseline'), 1)} ×** |`;
console.log(`${source}: ${envelopes.length} events, ${fmt(avgBytes, 0)} bytes per envelope\n${table}`);
if (values.write) {
  writeSection(
    'compute',
    `## Compute per event: Clean + Tag against JSON round-trip

Command: \`npx tsx bench/compute.ts --file ../shared/datasets/online-retail.csv.gz --rounds ${rounds}\`
Machine: ${machine()}
Data: ${source}, ${envelopes.length.toLocaleString('en-GB')} events, ${fmt(avgBytes, 0)} bytes per raw envelope on average.

${table}

In-process, single thread, no I/O (the profile store is in memory); the same events and run for both sides.`,
  );
}
