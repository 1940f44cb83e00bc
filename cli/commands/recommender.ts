/**
 * `sightline train recommender`, `sightline catalog import` and `sightline recommend`:
 * training the embedded recommender from the interaction log (or a file), publishing it and
 * the catalog to the model registry, and asking the API for recommendations.
 *
 * Callable from the local platform (npm start trains after seeding), tests and benchmarks.
 */
import { createHash } from 'node:crypto';
import type { Services } from '../../functions/shared/services.ts';
import { localTarget, resourceName, servicesFor } from '../config.ts';
import { adminAuthorization } from '../../local/config.ts';
import type { Shown } from '../output.ts';
import { scanProfiles } from './profiles.ts';
import { publishModel, type ModelPointer, type ModelVersionInfo } from '../../functions/domain/shared/model-registry.ts';
import { CatalogBuilder, personalizeItemsCsv, type Catalog, type ProductLine } from '../../functions/domain/recommend/catalog.ts';
import { interactionFromFields, purchasesForTraining, readInteractionLog } from '../../functions/domain/recommend/interaction-log.ts';
import type { Interaction } from '../../functions/domain/recommend/interactions.ts';
import { serializeRecommenderModel, type RecommenderMethod } from '../../functions/domain/recommend/model-schema.ts';
import { trainRecommender, type TrainRecommenderOptions } from '../../functions/domain/recommend/train-recommender.ts';
import { categoryOf, classifyRetailLine, isNonProductCode, ukLocalToUtc, type RetailRow } from '../../datasets/online-retail.ts';
import { readCsv } from '../../datasets/read-csv.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Online Retail purchase lines as interactions: customers only, no cancellations, non-products or unreadable dates. */
function retailInteraction(r: RetailRow): Interaction | undefined {
  // Duplicate lines are not looked for: a repeated line is a repeated purchase signal here.
  const line = classifyRetailLine(r);
  if (line.kind !== 'purchase' || !line.customerId) return undefined;
  return { userId: line.customerId, itemId: line.stockCode.toUpperCase(), timestamp: ukLocalToUtc(line.date), quantity: line.quantity, country: line.country };
}

/** A purchase row of an interaction-log CSV (functions/domain/recommend/interaction-log.ts). */
function logInteraction(row: Record<string, string>, n: number): Interaction | undefined {
  return purchasesForTraining([interactionFromFields([row.USER_ID, row.ITEM_ID, row.TIMESTAMP, row.EVENT_TYPE, row.QUANTITY, row.COUNTRY], `line ${n + 1}`)])[0];
}

export interface TrainRecommenderResult {
  source: string;
  interactions: number;
  users: number;
  items: number;
  method: RecommenderMethod;
  trainedUntil: string;
  seconds: number;
  info: ModelVersionInfo;
  pointer?: ModelPointer;
}

/**
 * Trains from the local platform's (or a deployment's) interaction log, or from a file: an
 * interaction-log CSV, or the UCI Online Retail file (recognised by its InvoiceNo column).
 */
export async function trainRecommenderCommand(opts: {
  services: Services;
  modelsBucket: string;
  interactionsBucket?: string;
  data?: string;
  method?: RecommenderMethod;
  asOf?: string;
  promote?: boolean;
  /** Tuning beyond the method (defaults: the tuned DEFAULT_RECOMMENDER_OPTIONS). */
  options?: TrainRecommenderOptions;
  /** Each person's country (their profile's traits.country), for interactions that carry none. */
  countries?: Map<string, string>;
  progress?: (message: string) => void;
}): Promise<TrainRecommenderResult> {
  const say = opts.progress ?? (() => {});
  const interactions: Interaction[] = [];
  let source: string;
  if (opts.data) {
    source = opts.data;
    let n = 0;
    for await (const row of readCsv(opts.data)) {
      if (++n % 50_000 === 0) say(`read ${n.toLocaleString('en-GB')} lines`);
      const it = 'InvoiceNo' in row ? retailInteraction(row as unknown as RetailRow) : logInteraction(row, n);
      if (it) interactions.push(it);
    }
  } else {
    if (!opts.interactionsBucket) throw new Error('no interactions bucket: start the local platform (npm start) or pass --bucket or --data');
    source = `s3://${opts.interactionsBucket}/interactions/`;
    const texts: string[] = [];
    for await (const text of opts.services.interactionLog(opts.interactionsBucket).readAll((done, bytes) => say(`read ${done} log objects, ${(bytes / 1024).toFixed(0)} KiB`))) texts.push(text);
    interactions.push(...purchasesForTraining(readInteractionLog(texts)));
  }
  if (opts.countries?.size) {
    for (const it of interactions) if (!it.country) it.country = opts.countries.get(it.userId);
  }
  if (!interactions.length) throw new Error(`no purchases to train on in ${source}: send some orders first (npm run sightline -- replay demo)`);
  say(`training ${opts.method ?? 'ease'} on ${interactions.length.toLocaleString('en-GB')} purchases`);
  const started = performance.now();
  const model = trainRecommender(interactions, { ...opts.options, ...(opts.method ? { method: opts.method } : {}), ...(opts.asOf ? { asOf: opts.asOf } : {}) });
  const seconds = (performance.now() - started) / 1000;
  const body = serializeRecommenderModel(model);
  say(`publishing ${(body.length / 1024 / 1024).toFixed(1)} MiB to the model registry`);
  const { info, pointer } = await publishModel(opts.services.modelRegistry(opts.modelsBucket), {
    name: 'recommender',
    body,
    sha256: sha256(body),
    at: new Date(),
    promote: opts.promote,
    summary: { method: model.method, trainedUntil: model.trainedUntil, users: model.users.length, items: model.items.length, interactions: interactions.length, source },
  });
  return { source, interactions: interactions.length, users: model.users.length, items: model.items.length, method: model.method, trainedUntil: model.trainedUntil, seconds, info, pointer };
}

/**
 * userId → country from the profiles table: orders rarely carry a country, people's traits
 * do, and the popularity fallback is per country (Personalize's users dataset holds the same).
 */
export async function profileCountries(services: Services, table: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const p of await scanProfiles(services, table)) {
    const c = p.traits.country;
    if (typeof c !== 'string' || !c || p.mergedInto) continue;
    for (const id of [...p.identities.userIds, ...p.identities.anonymousIds]) out.set(id, c);
  }
  return out;
}

/** Product lines from a file: the Online Retail export (StockCode, Description, UnitPrice) or an item list (item_id, name, category, price). */
export async function readCatalogFile(file: string, at = new Date()): Promise<{ catalog: Catalog; lines: number }> {
  const b = new CatalogBuilder();
  for await (const row of readCsv(file)) {
    let line: ProductLine | undefined;
    if ('StockCode' in row) {
      const r = row as unknown as RetailRow;
      if (!isNonProductCode(r.StockCode) && !r.InvoiceNo?.startsWith('C')) {
        const name = (r.Description ?? '').trim().replace(/\s+/g, ' ');
        line = { itemId: r.StockCode.trim().toUpperCase(), name, category: name ? categoryOf(name) : undefined, price: Number(r.UnitPrice) > 0 ? Number(r.UnitPrice) : undefined };
      }
    } else {
      const id = row.item_id ?? row.ITEM_ID ?? row.itemId ?? row.id;
      if (id === undefined) throw new Error(`${file}: no item id column (expected item_id, or the Online Retail StockCode)`);
      const price = Number(row.price ?? row.PRICE);
      line = { itemId: id, name: row.name ?? row.description ?? row.DESCRIPTION, category: row.category ?? row.CATEGORY, price: Number.isFinite(price) ? price : undefined };
    }
    if (line) b.add(line);
  }
  return { catalog: b.build(at), lines: b.lines };
}

/** Publishes the catalog (registry model `catalog`) and writes Personalize's items CSV beside the interactions. */
export async function importCatalog(opts: { services: Services; modelsBucket: string; interactionsBucket?: string; catalog: Catalog }) {
  const body = JSON.stringify(opts.catalog);
  const published = await publishModel(opts.services.modelRegistry(opts.modelsBucket), {
    name: 'catalog',
    body,
    sha256: sha256(body),
    at: new Date(opts.catalog.builtAt),
    summary: { items: opts.catalog.items.length },
  });
  if (opts.interactionsBucket) {
    await opts.services.interactionLog(opts.interactionsBucket).put('catalog/items.csv', personalizeItemsCsv(opts.catalog));
  }
  return published;
}

/** GET a recommendations route of the API (loopback locally; SigV4 in AWS is the caller's). */
export async function fetchRecommendations(apiUrl: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${apiUrl}${path}`, { headers: adminAuthorization(apiUrl) });
  return { status: res.status, body: await res.json() };
}

export function formatRecommendations(body: { items: { itemId: string; name?: string; score: number; reason: string; because?: string }[]; source: string; model?: string }): string {
  const lines = body.items.map((r, i) => `  ${String(i + 1).padStart(2)}. ${r.itemId.padEnd(10)} ${(r.name ?? '').slice(0, 40).padEnd(40)} ${r.reason}${r.because ? ` (${r.because})` : ''}`);
  return [`source: ${body.source}${body.model ? ` (model ${body.model})` : ''}`, ...lines].join('\n');
}

// ---- the CLI's actions (cli/sightline.ts routes here) ------------------------------------

export async function importCatalogCommand(file: string, o: { modelsBucket?: string; interactionsBucket?: string; itemsDataset?: string }) {
  const target = o.modelsBucket ? undefined : localTarget({ writeKey: 'unused' });
  const services = servicesFor(target);
  const { catalog, lines } = await readCatalogFile(file);
  const { info } = await importCatalog({ services, modelsBucket: resourceName('MODELS_BUCKET', o.modelsBucket), interactionsBucket: o.interactionsBucket ?? target?.resources?.INTERACTIONS_BUCKET, catalog });
  const personalizeCalls = o.itemsDataset ? await services.personalizeItems(o.itemsDataset).put(catalog.items) : undefined;
  return { version: info.version, items: catalog.items.length, lines, ...(personalizeCalls !== undefined ? { personalizeCalls } : {}) };
}

export const formatCatalogImport = (r: Awaited<ReturnType<typeof importCatalogCommand>>) =>
  `catalog ${r.version}: ${r.items.toLocaleString('en-GB')} items from ${r.lines.toLocaleString('en-GB')} product lines` +
  (r.personalizeCalls !== undefined ? `\nPersonalize items dataset: ${r.items} items in ${r.personalizeCalls} PutItems calls` : '');

export function recommendCommand(id: string, o: { n: number; similar?: boolean; allItems?: boolean; endpoint?: string }) {
  const target = localTarget({ endpoint: o.endpoint, writeKey: 'unused' });
  const path = o.similar ? `/v1/items/${encodeURIComponent(id)}/similar?n=${o.n}` : `/v1/recommendations/${encodeURIComponent(id)}?n=${o.n}&excludePurchased=${!o.allItems}`;
  return fetchRecommendations(target.apiUrl, path);
}

export function formatRecommendAnswer(r: { status: number; body: unknown }): Shown {
  return r.status === 200 ? { text: formatRecommendations(r.body as Parameters<typeof formatRecommendations>[0]), ok: true } : { text: `${r.status}: ${JSON.stringify(r.body)}`, ok: false };
}
