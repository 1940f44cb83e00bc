/**
 * The product catalog: what recommendations are decorated with (name, category, price) and
 * what Personalize's items dataset is made of.
 *
 * Design:
 * - Stored in the model registry as the model `catalog` (versioned, promoted, cached by the
 *   serving function like any model), and exported as Personalize's items CSV
 *   (ITEM_ID, CATEGORY, PRICE, DESCRIPTION) for dataset imports.
 * - Built from product lines (an order export, the Online Retail file, or a plain item
 *   list): one item per id, named by its most frequent description (the dataset spells one
 *   stock code several ways), priced at the median line price.
 */
import { z } from 'zod';

export const CATALOG_SCHEMA_VERSION = 1;

export const catalogItemSchema = z.object({
  itemId: z.string().min(1).max(256),
  name: z.string().max(1000),
  category: z.string().max(100).optional(),
  price: z.number().nonnegative().optional(),
});
export type CatalogItem = z.infer<typeof catalogItemSchema>;

export const catalogSchema = z.object({
  schemaVersion: z.literal(CATALOG_SCHEMA_VERSION),
  builtAt: z.string(),
  items: z.array(catalogItemSchema),
});
export type Catalog = z.infer<typeof catalogSchema>;

export interface ProductLine {
  itemId: string;
  name?: string;
  category?: string;
  price?: number;
}

/** Collects product lines into one item per id. */
export class CatalogBuilder {
  private readonly byId = new Map<string, { names: Map<string, number>; categories: Map<string, number>; prices: number[] }>();
  lines = 0;

  add(line: ProductLine): void {
    const id = line.itemId.trim();
    if (!id) return;
    this.lines++;
    let e = this.byId.get(id);
    if (!e) this.byId.set(id, (e = { names: new Map(), categories: new Map(), prices: [] }));
    const name = line.name?.trim();
    if (name) e.names.set(name, (e.names.get(name) ?? 0) + 1);
    if (line.category) e.categories.set(line.category, (e.categories.get(line.category) ?? 0) + 1);
    // The median needs every price; a few hundred per item at most, and capped to stay so.
    if (line.price !== undefined && Number.isFinite(line.price) && line.price >= 0 && e.prices.length < 1000) e.prices.push(line.price);
  }

  build(at: Date): Catalog {
    const mode = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
    const items: CatalogItem[] = [...this.byId].map(([itemId, e]) => {
      const prices = e.prices.sort((a, b) => a - b);
      const category = mode(e.categories);
      return {
        itemId,
        name: mode(e.names) ?? itemId,
        ...(category ? { category } : {}),
        ...(prices.length ? { price: prices[Math.floor((prices.length - 1) / 2)] } : {}),
      };
    });
    items.sort((a, b) => a.itemId.localeCompare(b.itemId));
    return { schemaVersion: CATALOG_SCHEMA_VERSION, builtAt: at.toISOString(), items };
  }
}

export class InvalidCatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCatalogError';
  }
}

export function parseCatalog(text: string): Catalog {
  const r = catalogSchema.safeParse(JSON.parse(text));
  if (!r.success) throw new InvalidCatalogError(`catalog does not match schema v${CATALOG_SCHEMA_VERSION}: ${r.error.message.slice(0, 300)}`);
  return r.data;
}

/** Personalize's items CSV. DESCRIPTION is a textual field; CATEGORY categorical. */
export function personalizeItemsCsv(catalog: Catalog): string {
  const q = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = catalog.items.map((i) => [q(i.itemId), q(i.category ?? 'other'), i.price ?? '', q(i.name)].join(','));
  return `ITEM_ID,CATEGORY,PRICE,DESCRIPTION\n${lines.join('\n')}\n`;
}

/** Item lookup for decorating answers. */
export function catalogIndex(catalog: Catalog | undefined): Map<string, CatalogItem> {
  return new Map((catalog?.items ?? []).map((i) => [i.itemId, i]));
}
