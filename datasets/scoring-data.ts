/**
 * Loading the real data sets for the scoring evaluations (never committed; read from a path).
 *
 * Online Retail cleaning, as the scoring models need it:
 * - lines without CustomerID are dropped (no one to score);
 * - `C` invoices are returns: never purchases, counted as returns of their customer;
 * - `A` invoices (bad-debt adjustments), non-product stock codes (POST, DOT, M, BANK
 *   CHARGES, AMAZONFEE, …; the list is the retail module's), zero or negative prices and
 *   non-positive quantities on purchase invoices are dropped;
 * - exact duplicate lines are dropped (the file has about 5,000).
 * Times stay in UK shop time, read as if UTC: cut-offs such as 2011-09-09T00:00 are then
 * UK midnights and day counts follow the shop's calendar, with no DST shifts.
 */
import { classifyRetailLine, type RetailRow } from './online-retail.ts';
import { readCsv } from './read-csv.ts';
import type { CustomerTransaction } from '../functions/domain/score/churn.ts';

export const DEFAULT_BANK = '../shared/datasets/bank-additional-full.csv.gz';
export const DEFAULT_RETAIL = '../shared/datasets/online-retail.csv.gz';

/** bank-additional-full rows in file (time) order, values as strings. */
export async function loadBank(file: string): Promise<Record<string, string>[]> {
  const rows: Record<string, string>[] = [];
  for await (const r of readCsv(file, { delimiter: ';', trim: true })) rows.push(r);
  return rows;
}

export interface RetailData {
  customers: Map<string, CustomerTransaction[]>;
  report: { lines: number; kept: number; returns: number; noCustomer: number; dropped: number; duplicates: number };
}

/** Shop time `YYYY-MM-DDTHH:MM` as epoch ms, read as UTC (see above). */
export const shopTime = (local: string) => Date.parse(`${local.trim().replace(' ', 'T')}:00Z`);

export async function loadRetail(file: string): Promise<RetailData> {
  const customers = new Map<string, CustomerTransaction[]>();
  const seen = new Set<string>();
  const report = { lines: 0, kept: 0, returns: 0, noCustomer: 0, dropped: 0, duplicates: 0 };
  for await (const r of readCsv<RetailRow>(file)) {
    report.lines++;
    const customer = r.CustomerID.trim();
    if (!customer) {
      report.noCustomer++;
      continue;
    }
    const key = `${r.InvoiceNo}|${r.StockCode}|${r.Description}|${r.Quantity}|${r.InvoiceDate}|${r.UnitPrice}|${customer}`;
    if (seen.has(key)) {
      report.duplicates++;
      continue;
    }
    seen.add(key);
    // Duplicates are found across the whole file above (any line, before the product rules).
    const line = classifyRetailLine(r);
    if (line.kind === 'rejected') {
      report.dropped++;
      continue;
    }
    const isReturn = line.kind === 'return';
    const invoice = line.invoiceNo;
    const list = customers.get(customer) ?? customers.set(customer, []).get(customer)!;
    list.push({ invoice, at: shopTime(r.InvoiceDate), amount: line.quantity * line.price, kind: line.kind });
    if (isReturn) report.returns++;
    else report.kept++;
  }
  return { customers, report };
}
