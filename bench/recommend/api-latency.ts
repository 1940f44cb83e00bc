/**
 * Recommendation latency through the local platform's API: the recommender trained from the
 * Online Retail file by the same command as `sightline train recommender --data`, published
 * to the registry on s3rver, then GET /v1/recommendations/{userId} and
 * GET /v1/items/{itemId}/similar over loopback, one request at a time (so each figure is a
 * request's own time: HTTP server, worker thread, handler, model; no queueing).
 *
 *   npx tsx bench/recommend/api-latency.ts --file ../shared/datasets/online-retail.csv.gz [--requests 3000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPlatform } from '../../local/platform.ts';
import { trainRecommenderCommand } from '../../cli/commands/recommender.ts';
import { writeResultsSection, machine } from './results-file.ts';

const { values } = parseArgs({ options: { file: { type: 'string' }, requests: { type: 'string', default: '3000' } } });
if (!values.file) throw new Error('--file <online-retail.csv.gz> is required');
const requests = Number(values.requests);

const dir = mkdtempSync(join(tmpdir(), 'sightline-latency-'));
const platform = await startPlatform({ dataDir: dir });
try {
  const modelsBucket = platform.resource('get-recommendations', 'MODELS_BUCKET');
  const trained = await trainRecommenderCommand({ services: platform.services, modelsBucket, data: values.file });
  const users = Array.from({ length: 5000 }, (_, i) => String(12346 + i));
  const items = ['85123A', '22423', '47566', '85099B', '84879', '20725', '22720', '21212'];
  const time = async (path: string) => {
    const t = performance.now();
    const res = await fetch(`${platform.apiUrl}${path}`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return (performance.now() - t) * 1000;
  };
  const pct = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
  await time(`/v1/recommendations/${users[0]}?n=10`); // cold start of the worker: load and parse the model
  const rec: number[] = [];
  const sim: number[] = [];
  for (let i = 0; i < requests; i++) rec.push(await time(`/v1/recommendations/${users[i % users.length]}?n=10`));
  for (let i = 0; i < requests / 3; i++) sim.push(await time(`/v1/items/${items[i % items.length]}/similar?n=10`));
  const ms = (us: number) => (us / 1000).toFixed(2);
  const md = `## API latency on the local platform

Command: \`npx tsx bench/recommend/api-latency.ts --file ${values.file} --requests ${requests}\`
Machine: ${machine()}
Model: ${trained.method}, trained by \`sightline train recommender --data\` on ${trained.interactions.toLocaleString('en-GB')} purchases (${trained.users.toLocaleString('en-GB')} people, ${trained.items.toLocaleString('en-GB')} items) in ${trained.seconds.toFixed(1)} s, ${(trained.info.bytes / 1024 / 1024).toFixed(1)} MiB JSON; served from the registry on s3rver.
Requests one at a time over loopback (HTTP server → worker thread → handler → model), after one warm-up request that loads the model. Known and unknown customer ids mixed (ids 12346…17345; unknown ones get the popularity fallback).

| route | requests | p50 ms | p90 ms | p99 ms | max ms |
|---|---|---|---|---|---|
| GET /v1/recommendations/{userId}?n=10 | ${rec.length} | ${ms(pct(rec, 50))} | ${ms(pct(rec, 90))} | ${ms(pct(rec, 99))} | ${ms(Math.max(...rec))} |
| GET /v1/items/{itemId}/similar?n=10 | ${sim.length} | ${ms(pct(sim, 50))} | ${ms(pct(sim, 90))} | ${ms(pct(sim, 99))} | ${ms(Math.max(...sim))} |
`;
  writeResultsSection('api-latency', md);
  console.log(md);
} finally {
  await platform.stop();
  rmSync(dir, { recursive: true, force: true });
}
