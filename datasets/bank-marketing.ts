/**
 * UCI Bank Marketing (bank-additional-full) as the events a bank's apps would send: per row
 * (one campaign contact of one client), an `identify` with who the client is and a track
 * "Campaign Contacted" with the contact's context and its outcome. Loaded this way, the
 * response-propensity model trains from the platform's own profiles, as it would once
 * Sightline's campaigns record their outcomes.
 *
 * - `duration` is never sent: it is known only after the call (and would leak the outcome).
 * - Clients have no id in the file; each row is a client `bank-<row number>`.
 * - The file has no dates, only month and weekday, in date order from May 2008 to November
 *   2010: the year advances whenever the month goes backwards, and a month's rows are spread
 *   evenly over its days (the weekday stays a feature as given, not re-derived).
 * - Economic indicators describe the month of the call; they travel with the contact, and
 *   `employed` is in thousands (nr.employed / 1000), as the model reads it.
 */
import type { SegmentLikeEvent } from '../schemas/events.ts';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
export const BANK_CAMPAIGN = 'term-deposit';

/** A timestamp per row: years inferred from the month sequence starting in May 2008. */
export function bankContactTimes(months: string[], firstYear = 2008): string[] {
  const runs: { year: number; month: number; start: number; end: number }[] = [];
  let year = firstYear;
  months.forEach((m, i) => {
    const month = MONTHS.indexOf(m.trim().toLowerCase());
    if (month < 0) throw new RangeError(`row ${i + 1}: month "${m}" is not jan…dec`);
    const last = runs.at(-1);
    if (last && month === last.month) return void (last.end = i + 1);
    if (last && month < last.month) year += 1;
    runs.push({ year, month, start: i, end: i + 1 });
  });
  const out = new Array<string>(months.length);
  for (const r of runs) {
    const days = new Date(Date.UTC(r.year, r.month + 1, 0)).getUTCDate();
    for (let i = r.start; i < r.end; i++) {
      const share = (i - r.start) / (r.end - r.start);
      // Whole days, 09:00 UTC: the last row of a month stays in it.
      out[i] = new Date(Date.UTC(r.year, r.month, 1 + Math.floor(share * days), 9)).toISOString();
    }
  }
  return out;
}

const num = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : Number(v));
const level = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** The two events of one row; `at` from bankContactTimes. */
export function bankRowEvents(row: Record<string, string>, index: number, at: string): SegmentLikeEvent[] {
  const userId = `bank-${index + 1}`;
  const identify: SegmentLikeEvent = {
    type: 'identify',
    messageId: `bank-${index + 1}-identify`,
    userId,
    timestamp: at,
    traits: { age: num(row.age), job: level(row.job), marital: level(row.marital), education: level(row.education), credit_default: level(row.default), housing_loan: level(row.housing), personal_loan: level(row.loan) },
  };
  const employed = num(row['nr.employed']);
  const contact: SegmentLikeEvent = {
    type: 'track',
    messageId: `bank-${index + 1}-contact`,
    userId,
    event: 'Campaign Contacted',
    timestamp: at,
    properties: {
      campaign_id: BANK_CAMPAIGN,
      channel: level(row.contact),
      outcome: row.y === 'yes' ? 'converted' : 'declined',
      month: level(row.month),
      day_of_week: level(row.day_of_week),
      campaign_contacts: num(row.campaign),
      previous_contacts: num(row.previous),
      days_since_previous: num(row.pdays),
      previous_outcome: level(row.poutcome),
      emp_var_rate: num(row['emp.var.rate']),
      cons_price_idx: num(row['cons.price.idx']),
      cons_conf_idx: num(row['cons.conf.idx']),
      euribor_3m: num(row.euribor3m),
      employed: employed === undefined ? undefined : employed / 1000,
    },
  };
  return [identify, contact];
}

/** Every row's events, in file order. */
export function* bankEvents(rows: Record<string, string>[]): Generator<SegmentLikeEvent> {
  const times = bankContactTimes(rows.map((r) => r.month));
  for (let i = 0; i < rows.length; i++) yield* bankRowEvents(rows[i], i, times[i]);
}
