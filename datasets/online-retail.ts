/**
 * UCI Online Retail → Segment events, with a line-by-line reconciliation.
 *
 * Design:
 * - Streaming: rows arrive in file order and an invoice's lines are contiguous in the file
 *   (all but one of 25,900 invoices: 542806 is interrupted by two lines of C542805).
 *   `push(row)` returns the events of the invoice that the row closed, `end()` the rest, so
 *   memory holds one invoice, plus the line keys of the last RECENT_INVOICES invoices.
 * - A non-contiguous invoice (seen again after another one) is not merged (that would mean
 *   holding every invoice to the end): its later lines become a late part of the same order
 *   (messageId `retail-<InvoiceNo>-late<n>`, `part` ≥ 2), which the profile stage adds to
 *   the order's revenue and items without counting a second order. Exact duplicates across
 *   the interruption are still caught while the invoice is among the recent ones.
 * - Every input line lands in exactly one bucket: accepted as is, accepted after a
 *   correction, or rejected by the first rule that matches, in the order of REJECT_RULES.
 *   `reconcile()` checks the sums and throws if a line went missing, so the report can be
 *   trusted.
 * - Guests (no CustomerID: a quarter of the lines) are real sales: kept, as the anonymous
 *   id `guest-<InvoiceNo>` (nothing links two guest invoices to one person).
 * - A line with a price but no description is still a sale: it is kept without a `name`
 *   (correction `empty_description`). In the real file every empty description has price 0,
 *   so those lines fall under `zero_price` first.
 * - Deterministic messageIds (`retail-<InvoiceNo>`, `retail-identify-<CustomerID>`): a
 *   re-run of the replay is de-duplicated by the pipeline instead of counted twice.
 * - InvoiceDate is UK shop time without a zone; it becomes UTC with the Europe/London rule
 *   (BST from the last Sunday of March to the last Sunday of October, 01:00 UTC each).
 */

import type { SegmentLikeEvent } from '../schemas/events.ts';

export interface RetailRow {
  InvoiceNo: string;
  StockCode: string;
  Description: string;
  Quantity: string;
  InvoiceDate: string;
  UnitPrice: string;
  CustomerID: string;
  Country: string;
}

/** Reject rules, in the order they are tried: a line counts under the first that matches. */
export const REJECT_RULES = [
  'unparseable',
  'adjustment',
  'non_product_code',
  'duplicate_line',
  'zero_price',
  'negative_price',
  'non_positive_quantity',
] as const;
export type RejectRule = (typeof REJECT_RULES)[number];
/** `trimmed_description` also covers runs of inner spaces collapsed to one. */
export const CORRECTIONS = ['trimmed_description', 'empty_description'] as const;
export type Correction = (typeof CORRECTIONS)[number];

/**
 * Postage, carriage, fees, discounts, manual entries, samples, charity commission and gift
 * vouchers: money lines, not products a person chose. (The `DCGS…` codes are not here: they
 * are real products sold through the dot-com shop, such as BOYS PARTY BAG at £3.29.)
 */
const NON_PRODUCT = new Set(['POST', 'DOT', 'M', 'C2', 'BANK CHARGES', 'AMAZONFEE', 'PADS', 'S', 'D', 'CRUK', 'B']);
export function isNonProductCode(code: string): boolean {
  const c = code.trim().toUpperCase();
  return NON_PRODUCT.has(c) || /^GIFT_0001_\d+$/.test(c);
}

/**
 * A coarse category from the description (the dataset has none): whole words, so DECOUPAGE
 * is not a CUP and GREETING not a TIN; a trailing S or ES is allowed. First match wins, so
 * the order matters: a T-LIGHT HOLDER is a candle, not storage; a CHRISTMAS MUG is Christmas;
 * FLOWER EARRINGS are fashion, not garden.
 * It leaves about a sixth of the distinct descriptions as `other`.
 */
const CATEGORY_WORDS: [string, string[]][] = [
  ['christmas', ['CHRISTMAS', 'XMAS', 'ADVENT', 'SANTA', 'REINDEER', 'SNOWFLAKE', 'SNOWMAN', 'BAUBLE', 'NATIVITY', 'ELF']],
  ['candles', ['CANDLE', 'T-LIGHT', 'TEALIGHT', 'TEA LIGHT', 'LANTERN', 'INCENSE', 'CANDLEHOLDER', 'VOTIVE']],
  ['bags', ['BAG', 'TOTE', 'SHOPPER', 'PURSE', 'HANDBAG', 'RUCKSACK', 'BACKPACK']],
  ['fashion', ['UMBRELLA', 'HAIR', 'NECKLACE', 'BRACELET', 'EARRING', 'JEWEL', 'JEWELLERY', 'SCARF', 'GLOVE', 'HAT', 'RING', 'BROOCH', 'CHARM', 'BEAD', 'DIAMANTE', 'BLING', 'PASSPORT COVER', 'HAIRCLIP', 'SLIPPER', 'WALLET']],
  ['kitchen', ['MUG', 'CUP', 'TEACUP', 'SAUCER', 'PLATE', 'BOWL', 'JUG', 'TEAPOT', 'CAKE', 'CAKESTAND', 'BAKING', 'LUNCH BOX', 'CUTLERY', 'SPOON', 'NAPKIN', 'TRAY', 'COASTER', 'JAR', 'TIN', 'BOTTLE', 'APRON', 'TEA TOWEL', 'DISH', 'PAN', 'KITCHEN', 'PANTRY', 'BREAD', 'EGG', 'BEAKER', 'TUMBLER', 'GLASS', 'PICNIC', 'FOOD', 'CHOPSTICK', 'STRAW', 'TEA', 'COFFEE', 'SUGAR', 'RECIPE']],
  ['stationery', ['CARD', 'PAPER', 'WRAP', 'NOTEBOOK', 'NOTEPAD', 'PENCIL', 'PEN', 'STICKER', 'ENVELOPE', 'TAPE', 'CALENDAR', 'DIARY', 'BOOK', 'RIBBON', 'REEL', 'TISSUE', 'GIFT TAG', 'STAMP', 'ERASER', 'RULER', 'CRAYON', 'CHALK', 'JOURNAL']],
  ['lighting', ['LIGHT', 'LAMP', 'BULB', 'NIGHTLIGHT', 'LAMPSHADE']],
  ['decor', ['FRAME', 'SIGN', 'CLOCK', 'MIRROR', 'CUSHION', 'DOORMAT', 'ORNAMENT', 'DECORATION', 'HEART', 'BUNTING', 'GARLAND', 'WREATH', 'VASE', 'HOOK', 'DOORSTOP', 'WALL ART', 'TILE', 'CURTAIN', 'MAGNET', 'HANGER', 'CHALKBOARD', 'BLACKBOARD', 'PLAQUE', 'COAT RACK', 'MOBILE', 'PHOTO', 'THROW', 'QUILT', 'DOORKNOB', 'WINDMILL', 'CHIME']],
  ['toys', ['TOY', 'GAME', 'DOLL', 'PUZZLE', 'JIGSAW', 'SPACEBOY', 'DOLLY', 'SKITTLES', 'CHILDREN', 'CHILDS', 'PLAYHOUSE', 'BLOCK', 'BALLOON', 'SOLDIER', 'TEDDY', 'PAINT SET', 'SKIPPING ROPE', 'SPINNING TOP']],
  ['storage', ['BOX', 'BASKET', 'STORAGE', 'HOLDER', 'DRAWER', 'CABINET', 'CHEST', 'BIN', 'CONTAINER', 'TRUNK', 'CRATE', 'SHELF', 'CADDY']],
  ['garden', ['GARDEN', 'PLANT', 'PLANTER', 'FLOWER', 'WATERING', 'BIRD', 'BIRDHOUSE', 'FEEDER', 'PARASOL', 'PLANT POT', 'SEED', 'GNOME']],
];
const CATEGORY_RULES: [string, RegExp][] = CATEGORY_WORDS.map(([category, words]) => [
  category,
  new RegExp(`(?:^|[^A-Z0-9-])(?:${words.join('|')})(?:E?S)?(?=$|[^A-Z0-9-])`),
]);
export function categoryOf(description: string): string {
  const d = description.toUpperCase();
  return CATEGORY_RULES.find(([, re]) => re.test(d))?.[0] ?? 'other';
}

function lastSundayUtc(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), 1);
}

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/;

/**
 * `YYYY-MM-DDTHH:MM` UK wall time → UTC ISO string. The hour that does not exist (01:xx on
 * the last Sunday of March) is read as GMT, the hour that happens twice (01:xx on the last
 * Sunday of October) as its first, BST, occurrence — Temporal's "compatible" choice.
 */
export function ukLocalToUtc(local: string): string {
  const m = LOCAL_DATE.exec(local.trim());
  if (!m) throw new Error(`InvoiceDate "${local}" is not YYYY-MM-DDTHH:MM`);
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const bst = asUtc - 3_600_000 >= lastSundayUtc(y, 2) && asUtc - 3_600_000 < lastSundayUtc(y, 9);
  return new Date(bst ? asUtc - 3_600_000 : asUtc).toISOString();
}

/**
 * Keeps every order event well under Segment's 32 KB per event (a product here is about
 * 130 bytes of JSON; the largest event of the real file is about 26 KB).
 */
export const PRODUCTS_PER_EVENT = 200;
/** How many closed invoices keep their line keys, to catch duplicates across an interruption. */
export const RECENT_INVOICES = 1000;

export interface RetailProduct {
  product_id: string;
  sku: string;
  name?: string;
  price: number;
  quantity: number;
  category: string;
}

export interface Reconciliation {
  lines: number;
  accepted: number;
  corrected: number;
  rejected: number;
  byRule: Record<RejectRule, number>;
  byCorrection: Record<Correction, number>;
  /** Accepted lines (as is or corrected) of invoices without a CustomerID: replayed as guests. */
  guestLines: number;
  /** Events produced; an invoice over PRODUCTS_PER_EVENT lines, or interrupted, is more than one. */
  events: { identify: number; orderCompleted: number; orderRefunded: number };
  /** Distinct invoices with at least one accepted line. */
  invoices: number;
  /** Invoices whose lines were interrupted by another invoice's (sent as late parts). */
  reopenedInvoices: number;
  customers: number;
}

interface OpenInvoice {
  invoiceNo: string;
  customerId: string;
  country: string;
  date: string;
  products: RetailProduct[];
  seen: Set<string>;
  /** 0 for the invoice's first run of lines, n for its n-th reopening. */
  reopened: number;
}

const NUMBER = /^-?\d+(\.\d+)?$/;
const toNumber = (s: string | undefined) => (s !== undefined && NUMBER.test(s.trim()) ? Number(s) : Number.NaN);
const round2 = (n: number) => Math.round(n * 100) / 100;

/** One line of the file, classified: a purchase or return line to keep, or the rule that rejects it. */
export type RetailLine =
  | {
      kind: 'purchase' | 'return';
      invoiceNo: string;
      stockCode: string;
      /** Description trimmed, inner runs of spaces collapsed; '' when empty. */
      name: string;
      /** Always positive (a return's quantity is negated in the file). */
      quantity: number;
      price: number;
      /** '' for guest invoices. */
      customerId: string;
      country: string;
      /** InvoiceDate as written: UK shop time `YYYY-MM-DDTHH:MM`. */
      date: string;
      correction?: Correction;
    }
  | { kind: 'rejected'; reason: RejectRule };

export interface ClassifyOptions {
  /**
   * Asked (in the order of REJECT_RULES: after the adjustment and product-code rules,
   * before the price rules) whether this line repeats one seen before; each caller keeps its
   * own memory (the converter per invoice, the scoring loader across the file). Without
   * it, duplicates are not looked for.
   */
  isDuplicate?: (row: RetailRow) => boolean;
}

/**
 * The Online Retail line rules, written once: the event converter, the scoring loader, the
 * recommender's training reader and the benchmarks all classify with this.
 */
export function classifyRetailLine(row: RetailRow, options: ClassifyOptions = {}): RetailLine {
  const invoiceNo = (row.InvoiceNo ?? '').trim();
  const quantity = toNumber(row.Quantity);
  const price = toNumber(row.UnitPrice);
  const reject = (reason: RejectRule): RetailLine => ({ kind: 'rejected', reason });
  if (!invoiceNo || !row.StockCode?.trim() || Number.isNaN(quantity) || Number.isNaN(price) || !LOCAL_DATE.test((row.InvoiceDate ?? '').trim())) return reject('unparseable');
  if (invoiceNo.startsWith('A')) return reject('adjustment');
  if (isNonProductCode(row.StockCode)) return reject('non_product_code');
  if (options.isDuplicate?.(row)) return reject('duplicate_line');
  if (price === 0) return reject('zero_price');
  if (price < 0) return reject('negative_price');
  const cancellation = invoiceNo.startsWith('C');
  // A cancellation's quantities are negative; anywhere else a quantity must be positive.
  if (quantity === 0 || (!cancellation && quantity < 0)) return reject('non_positive_quantity');
  const raw = row.Description ?? '';
  const name = raw.trim().replace(/\s+/g, ' ');
  const correction: Correction | undefined = name === '' ? 'empty_description' : name !== raw ? 'trimmed_description' : undefined;
  return {
    kind: cancellation ? 'return' : 'purchase',
    invoiceNo,
    stockCode: row.StockCode.trim(),
    name,
    quantity: Math.abs(quantity),
    price,
    customerId: (row.CustomerID ?? '').trim().replace(/\.0$/, ''),
    country: (row.Country ?? '').trim(),
    date: row.InvoiceDate.trim(),
    ...(correction ? { correction } : {}),
  };
}

export class RetailConverter {
  private readonly rec: Reconciliation = {
    lines: 0,
    accepted: 0,
    corrected: 0,
    rejected: 0,
    byRule: Object.fromEntries(REJECT_RULES.map((r) => [r, 0])) as Record<RejectRule, number>,
    byCorrection: Object.fromEntries(CORRECTIONS.map((r) => [r, 0])) as Record<Correction, number>,
    guestLines: 0,
    events: { identify: 0, orderCompleted: 0, orderRefunded: 0 },
    invoices: 0,
    reopenedInvoices: 0,
    customers: 0,
  };
  private open?: OpenInvoice;
  /** Every invoice seen: how many times it was opened (a few hundred KB for the full file). */
  private readonly opened = new Map<string, number>();
  /** Line keys of the most recent invoices, oldest first (a Map keeps insertion order). */
  private readonly recentSeen = new Map<string, Set<string>>();
  /** Invoices that produced events: a reopening of one of them is a late part, not part 1. */
  private readonly sent = new Set<string>();
  private readonly identified = new Set<string>();

  private reject(rule: RejectRule): void {
    this.rec.rejected += 1;
    this.rec.byRule[rule] += 1;
  }

  /** Adds one row; returns the events completed by it (those of the previous invoice). */
  push(row: RetailRow): SegmentLikeEvent[] {
    this.rec.lines += 1;
    const invoiceNo = (row.InvoiceNo ?? '').trim();
    const out = this.open && this.open.invoiceNo !== invoiceNo ? this.flush() : [];

    const line = classifyRetailLine(row, {
      isDuplicate: (r) => {
        const inv = (this.open ??= this.openInvoice(invoiceNo, r));
        // Exact duplicate within the invoice; InvoiceNo is implied, Country follows CustomerID.
        const key = [r.StockCode, r.Description, r.Quantity, r.UnitPrice, r.InvoiceDate, r.CustomerID].join('\u0001');
        if (inv.seen.has(key)) return true;
        inv.seen.add(key);
        return false;
      },
    });
    if (line.kind === 'rejected') {
      this.reject(line.reason);
      return out;
    }
    const inv = this.open!;
    if (line.correction) {
      this.rec.corrected += 1;
      this.rec.byCorrection[line.correction] += 1;
    } else {
      this.rec.accepted += 1;
    }
    if (!inv.customerId) this.rec.guestLines += 1;
    const { stockCode: code, name } = line;
    inv.products.push({ product_id: code, sku: code, ...(name ? { name } : {}), price: line.price, quantity: line.quantity, category: categoryOf(name) });
    return out;
  }

  end(): SegmentLikeEvent[] {
    return this.open ? this.flush() : [];
  }

  private openInvoice(invoiceNo: string, row: RetailRow): OpenInvoice {
    const reopened = this.opened.get(invoiceNo) ?? 0;
    this.opened.set(invoiceNo, reopened + 1);
    if (reopened === 1) this.rec.reopenedInvoices += 1;
    return {
      invoiceNo,
      // Every line of an invoice has the same customer in the real file; the first one's wins.
      customerId: (row.CustomerID ?? '').trim().replace(/\.0$/, ''),
      country: (row.Country ?? '').trim(),
      date: row.InvoiceDate.trim(),
      products: [],
      seen: this.recentSeen.get(invoiceNo) ?? new Set(),
      reopened,
    };
  }

  private remember(inv: OpenInvoice): void {
    this.recentSeen.delete(inv.invoiceNo);
    this.recentSeen.set(inv.invoiceNo, inv.seen);
    if (this.recentSeen.size > RECENT_INVOICES) this.recentSeen.delete(this.recentSeen.keys().next().value!);
  }

  private flush(): SegmentLikeEvent[] {
    const inv = this.open!;
    this.open = undefined;
    this.remember(inv);
    if (inv.products.length === 0) return [];
    // An invoice whose first run had only rejected lines sends its later lines as part 1.
    const late = this.sent.has(inv.invoiceNo);
    this.sent.add(inv.invoiceNo);
    if (!late) this.rec.invoices += 1;
    const events: SegmentLikeEvent[] = [];
    const timestamp = ukLocalToUtc(inv.date);
    const person = inv.customerId ? { userId: inv.customerId } : { anonymousId: `guest-${inv.invoiceNo}` };
    if (inv.customerId && !this.identified.has(inv.customerId)) {
      this.identified.add(inv.customerId);
      this.rec.customers += 1;
      this.rec.events.identify += 1;
      events.push({ type: 'identify', messageId: `retail-identify-${inv.customerId}`, userId: inv.customerId, timestamp, traits: { country: inv.country } });
    }
    const cancellation = inv.invoiceNo.startsWith('C');
    // Segment's limit is 32 KB per event; a wholesale invoice can hold 1,000+ lines. Such an
    // order is sent in parts (`part`, `parts`): the pipeline counts the order once (part 1)
    // and sums every part's revenue and items. A late run's parts start after part 1.
    const chunks = Math.ceil(inv.products.length / PRODUCTS_PER_EVENT);
    const base = late ? `retail-${inv.invoiceNo}-late${inv.reopened + 1}` : `retail-${inv.invoiceNo}`;
    for (let p = 0; p < chunks; p++) {
      const products = inv.products.slice(p * PRODUCTS_PER_EVENT, (p + 1) * PRODUCTS_PER_EVENT);
      const revenue = round2(products.reduce((s, l) => s + l.price * l.quantity, 0));
      if (cancellation) this.rec.events.orderRefunded += 1;
      else this.rec.events.orderCompleted += 1;
      const partInfo = late ? { part: p + 2 } : chunks > 1 ? { part: p + 1, parts: chunks } : {};
      events.push({
        type: 'track',
        messageId: p === 0 ? base : `${base}-p${p + 1}`,
        ...person,
        event: cancellation ? 'Order Refunded' : 'Order Completed',
        timestamp,
        properties: { order_id: inv.invoiceNo, revenue, currency: 'GBP', products, ...partInfo },
        context: { timezone: 'Europe/London', location: { country: inv.country } },
      });
    }
    return events;
  }

  /** The reconciliation; throws if any input line is unaccounted for. */
  reconcile(): Reconciliation {
    const r = this.rec;
    const byRule = Object.values(r.byRule).reduce((a, b) => a + b, 0);
    const byCorrection = Object.values(r.byCorrection).reduce((a, b) => a + b, 0);
    if (r.accepted + r.corrected + r.rejected !== r.lines || byRule !== r.rejected || byCorrection !== r.corrected) {
      throw new Error(
        `reconciliation broken: ${r.lines} lines ≠ ${r.accepted} accepted + ${r.corrected} corrected + ${r.rejected} rejected ` +
          `(rules sum to ${byRule}, corrections to ${byCorrection})`,
      );
    }
    return structuredClone(r);
  }
}
