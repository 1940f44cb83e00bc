/**
 * UCI Online Retail → Segment events, with a line-by-line reconciliation.
 *
 * Design:
 * - Streaming: rows arrive in file order and an invoice's lines are contiguous in the file;
 *   `push(row)` returns the events of the invoice that the row closed, `end()` the rest. A
 *   non-contiguous invoice (seen again after another one) is still one event: its lines are
 *   merged into a late correction event with the same messageId base and a suffix.
 * - Every input line lands in exactly one bucket: accepted as is, accepted after a
 *   correction, or rejected by a named rule. `reconcile()` checks the sum and throws if a
 *   line went missing, so the report can be trusted.
 * - Deterministic messageIds (`retail-<InvoiceNo>`, `retail-identify-<CustomerID>`): a
 *   re-run of the replay is de-duplicated by the pipeline instead of counted twice.
 * - InvoiceDate is UK shop time without a zone; it becomes UTC with the Europe/London rule
 *   (BST from the last Sunday of March to the last Sunday of October, 01:00 UTC).
 */

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

export const REJECT_RULES = [
  'adjustment',
  'non_product_code',
  'duplicate_line',
  'zero_price',
  'negative_price',
  'non_positive_quantity',
  'unparseable',
] as const;
export type RejectRule = (typeof REJECT_RULES)[number];
export const CORRECTIONS = ['trimmed_description', 'empty_description'] as const;
export type Correction = (typeof CORRECTIONS)[number];

/** Postage, fees, manual entries, samples and vouchers: not products a person chose. */
const NON_PRODUCT = new Set(['POST', 'DOT', 'M', 'C2', 'BANK CHARGES', 'AMAZONFEE', 'PADS', 'S', 'D', 'CRUK', 'B', 'DCGSSBOY', 'DCGSSGIRL', 'ADJUST', 'ADJUST2', 'TEST001', 'TEST002']);
export function isNonProductCode(code: string): boolean {
  const c = code.trim().toUpperCase();
  return NON_PRODUCT.has(c) || /^GIFT_0001_\d+$/.test(c);
}

/** A coarse category from the description: the dataset has none. First match wins. */
const CATEGORY_KEYWORDS: [string, RegExp][] = [
  ['christmas', /CHRISTMAS|XMAS|ADVENT|SANTA|REINDEER|SNOWFLAKE/],
  ['bags', /\bBAG\b|BAGS|TOTE|SHOPPER|PURSE/],
  ['candles', /CANDLE|T-LIGHT|TEALIGHT|LANTERN|INCENSE/],
  ['kitchen', /MUG|CUP|TEACUP|PLATE|BOWL|JUG|TEAPOT|CAKE|BAKING|LUNCH BOX|CUTLERY|NAPKIN|TRAY|COASTER|JAR|TIN|BOTTLE|APRON/],
  ['stationery', /CARD|PAPER|WRAP|NOTEBOOK|PENCIL|PEN\b|STICKER|ENVELOPE|TAPE|CALENDAR|DIARY/],
  ['lighting', /LIGHT|LAMP|BULB/],
  ['decor', /FRAME|SIGN|CLOCK|MIRROR|CUSHION|DOORMAT|ORNAMENT|DECORATION|HEART|BUNTING|GARLAND|WREATH|VASE|HOOK|DOORSTOP/],
  ['toys', /TOY|GAME|DOLL|PUZZLE|SPACEBOY|DOLLY|SKITTLES|CHILDREN|CHILDS/],
  ['storage', /BOX|BASKET|STORAGE|HOLDER|DRAWER|CABINET/],
  ['garden', /GARDEN|PLANT|FLOWER|WATERING|BIRD/],
  ['fashion', /UMBRELLA|HAIR|NECKLACE|BRACELET|EARRING|JEWEL|SCARF|GLOVES|HAT\b/],
];
export function categoryOf(description: string): string {
  const d = description.toUpperCase();
  return CATEGORY_KEYWORDS.find(([, re]) => re.test(d))?.[0] ?? 'other';
}

function lastSundayUtc(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month + 1, 0));
  return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), 1);
}

/** `YYYY-MM-DDTHH:MM` UK wall time → UTC ISO string. */
export function ukLocalToUtc(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(local.trim());
  if (!m) throw new Error(`InvoiceDate "${local}" is not YYYY-MM-DDTHH:MM`);
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  // BST (UTC+1) between the last Sundays of March and October, 01:00 UTC each.
  const bst = asUtc - 3_600_000 >= lastSundayUtc(y, 2) && asUtc - 3_600_000 < lastSundayUtc(y, 9);
  return new Date(bst ? asUtc - 3_600_000 : asUtc).toISOString();
}

/** Keeps every order event well under Segment's 32 KB (a product here is about 100 bytes). */
export const PRODUCTS_PER_EVENT = 200;

/** The Segment event shape the replays and the demo produce (a subset of schemas/events.ts). */
export interface SegmentLikeEvent {
  type: 'identify' | 'track' | 'page' | 'screen' | 'alias' | 'group';
  messageId: string;
  userId?: string;
  anonymousId?: string;
  previousId?: string;
  event?: string;
  name?: string;
  timestamp: string;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  context?: Record<string, unknown>;
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
  /** Events produced; an invoice over PRODUCTS_PER_EVENT lines is more than one order event. */
  events: { identify: number; orderCompleted: number; orderRefunded: number };
  invoices: number;
  customers: number;
}

interface Line {
  code: string;
  name: string;
  quantity: number;
  price: number;
}

interface OpenInvoice {
  invoiceNo: string;
  customerId: string;
  country: string;
  date: string;
  lines: Line[];
  seen: Set<string>;
  part: number;
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
    customers: 0,
  };
  private open?: OpenInvoice;
  private readonly closed = new Map<string, number>();
  private readonly identified = new Set<string>();

  private reject(rule: RejectRule): void {
    this.rec.rejected += 1;
    this.rec.byRule[rule] += 1;
  }

  /** Adds one row; returns the events completed by it (those of the previous invoice). */
  push(row: RetailRow): SegmentLikeEvent[] {
    this.rec.lines += 1;
    const invoiceNo = (row.InvoiceNo ?? '').trim();
    const out: SegmentLikeEvent[] = [];
    if (this.open && this.open.invoiceNo !== invoiceNo) out.push(...this.flush());

    const quantity = Number(row.Quantity);
    const price = Number(row.UnitPrice);
    if (!invoiceNo || !Number.isFinite(quantity) || !Number.isFinite(price) || !row.InvoiceDate) {
      this.reject('unparseable');
      return out;
    }
    if (invoiceNo.startsWith('A')) {
      this.reject('adjustment');
      return out;
    }
    if (isNonProductCode(row.StockCode ?? '')) {
      this.reject('non_product_code');
      return out;
    }
    if (!this.open) {
      const part = this.closed.get(invoiceNo) ?? 0;
      this.open = { invoiceNo, customerId: (row.CustomerID ?? '').trim().replace(/\.0$/, ''), country: (row.Country ?? '').trim(), date: row.InvoiceDate, lines: [], seen: new Set(), part };
    }
    const key = [row.StockCode, row.Description, row.Quantity, row.UnitPrice, row.InvoiceDate, row.CustomerID].join('\u0001');
    if (this.open.seen.has(key)) {
      this.reject('duplicate_line');
      return out;
    }
    this.open.seen.add(key);
    if (price === 0) {
      this.reject('zero_price');
      return out;
    }
    if (price < 0) {
      this.reject('negative_price');
      return out;
    }
    const cancellation = invoiceNo.startsWith('C');
    if (!cancellation && quantity <= 0) {
      this.reject('non_positive_quantity');
      return out;
    }
    const raw = row.Description ?? '';
    const name = raw.trim().replace(/\s+/g, ' ');
    if (name === '') {
      this.rec.corrected += 1;
      this.rec.byCorrection.empty_description += 1;
    } else if (name !== raw) {
      this.rec.corrected += 1;
      this.rec.byCorrection.trimmed_description += 1;
    } else {
      this.rec.accepted += 1;
    }
    if (!this.open.customerId) this.rec.guestLines += 1;
    this.open.lines.push({ code: row.StockCode.trim(), name, quantity: Math.abs(quantity), price });
    return out;
  }

  end(): SegmentLikeEvent[] {
    return this.open ? this.flush() : [];
  }

  private flush(): SegmentLikeEvent[] {
    const inv = this.open!;
    this.open = undefined;
    if (inv.lines.length === 0) return [];
    this.closed.set(inv.invoiceNo, inv.part + 1);
    this.rec.invoices += 1;
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
    const products = inv.lines.map((l) => ({ product_id: l.code, ...(l.name ? { name: l.name } : {}), price: l.price, quantity: l.quantity, category: categoryOf(l.name) }));
    // Segment's limit is 32 KB per event; a wholesale invoice can hold 1,000+ lines. Such an
    // order is sent in parts (`part`, `parts`): the pipeline counts the order once and sums
    // every part's revenue and items.
    const parts = Math.ceil(products.length / PRODUCTS_PER_EVENT);
    for (let p = 0; p < parts; p++) {
      const chunk = products.slice(p * PRODUCTS_PER_EVENT, (p + 1) * PRODUCTS_PER_EVENT);
      const revenue = Math.round(chunk.reduce((s, l) => s + l.price * l.quantity, 0) * 100) / 100;
      if (cancellation) this.rec.events.orderRefunded += 1;
      else this.rec.events.orderCompleted += 1;
      const base = inv.part === 0 ? `retail-${inv.invoiceNo}` : `retail-${inv.invoiceNo}-late${inv.part + 1}`;
      events.push({
        type: 'track',
        messageId: p === 0 ? base : `${base}-p${p + 1}`,
        ...person,
        event: cancellation ? 'Order Refunded' : 'Order Completed',
        timestamp,
        properties: { order_id: inv.invoiceNo, revenue, currency: 'GBP', products: chunk, ...(parts > 1 ? { part: p + 1 + (inv.part > 0 ? 1 : 0), parts } : inv.part > 0 ? { part: 2 } : {}) },
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
      throw new Error(`reconciliation broken: ${r.lines} lines ≠ ${r.accepted} accepted + ${r.corrected} corrected + ${r.rejected} rejected`);
    }
    return structuredClone(r);
  }
}
