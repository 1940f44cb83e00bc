/**
 * Time zones for campaigns: send at a local time of day in each person's zone, never in their
 * quiet hours, and group people into buckets the state machine waits for.
 *
 * Design:
 * - No date library: `Intl.DateTimeFormat` with `timeZone` reads Node's bundled IANA database
 *   (full ICU since Node 13), which is all we need — the wall-clock parts of an instant in a
 *   zone. Going the other way (a wall-clock time in a zone → an instant) is done here by
 *   trying the zone's offsets from a day before and a day after (zones change offset at most
 *   once within two days), keeping a candidate whose wall clock matches. This is correct
 *   across DST changes and for zones with 30- or 45-minute offsets (Asia/Kolkata,
 *   Asia/Kathmandu), with the same rule as Temporal's `disambiguation: 'compatible'`:
 *     - a time that happens twice (autumn, clocks back) is the earlier instant;
 *     - a time that never happens (spring gap) moves forward by the gap (01:30 on London's
 *       spring-forward day is sent at 02:30 BST, not skipped).
 * - A person's zone is the profile's `timezone` (from the event context), else a
 *   `traits.timezone`, else the campaign's fallback; an invalid name falls back too, so a
 *   garbage trait never blocks a send or throws in a page.
 * - Quiet hours [start, end) are local wall-clock times and may span midnight. A send that
 *   would fall inside them is deferred to their end (a deferral, not a skip).
 * - Buckets: people whose next allowed instant is the same are one bucket. For a local-time
 *   schedule that is "everyone at the same UTC offset that day", so a campaign across the
 *   world needs about 40 buckets, not one Wait per person. The bucket carries the offset for
 *   display; its identity is the instant (two zones with the same offset share a bucket).
 */
import type { CampaignSchedule, QuietHours } from '../../../schemas/campaign.ts';
import type { Profile } from '../../../schemas/profile.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    // hourCycle h23: some ICU versions print midnight as "24" with hour12: false.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isValidTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export interface ZonedTimeZone {
  zone: string;
  /** True when the person's own zone was missing or invalid. */
  fellBack: boolean;
}

/** The zone to use: `candidate` if it is a valid IANA zone, else `fallback`. */
export function resolveTimeZone(candidate: unknown, fallback: string): ZonedTimeZone {
  return isValidTimeZone(candidate) ? { zone: candidate, fellBack: false } : { zone: fallback, fellBack: true };
}

/** The person's zone: profile `timezone`, then `traits.timezone`, then the campaign's fallback. */
export function personTimeZone(profile: Pick<Profile, 'timezone' | 'traits'>, fallback: string): ZonedTimeZone {
  if (isValidTimeZone(profile.timezone)) return { zone: profile.timezone, fellBack: false };
  return resolveTimeZone(profile.traits.timezone, fallback);
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Wall-clock parts of `instant` in `zone`. */
export function localParts(instant: Date, zone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(instant)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday),
  };
}

/** The zone's UTC offset at `instant`, in minutes (east positive: Kolkata +330, New York −300/−240). */
export function offsetMinutes(instant: Date, zone: string): number {
  const p = localParts(instant, zone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const whole = Math.floor(instant.getTime() / 1000) * 1000; // formatToParts drops milliseconds
  return Math.round((asUtc - whole) / MINUTE);
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The instant a wall-clock time in `zone` happens (earlier one when twice, shifted past a gap). */
export function zonedTimeToInstant(wall: WallTime, zone: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const before = offsetMinutes(new Date(asUtc - DAY), zone);
  const after = offsetMinutes(new Date(asUtc + DAY), zone);
  const candidates = [...new Set([before, after])]
    .map((o) => asUtc - o * MINUTE)
    .filter((t) => offsetMinutes(new Date(t), zone) === Math.round((asUtc - t) / MINUTE))
    .sort((a, b) => a - b);
  // A gap: no offset gives this wall time; the pre-transition offset lands just after the gap.
  return new Date(candidates.length > 0 ? candidates[0] : asUtc - before * MINUTE);
}

export function parseTimeOfDay(hhmm: string): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`not a time of day (HH:MM): ${hhmm}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** Civil date arithmetic on Y-M-D (no zone involved). */
function addDays(y: number, m: number, d: number, n: number): { year: number; month: number; day: number } {
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** The first instant at or after `from` whose local time in `zone` is `hhmm`. */
export function nextLocalTime(from: Date, hhmm: string, zone: string): Date {
  const { hour, minute } = parseTimeOfDay(hhmm);
  const today = localParts(from, zone);
  for (let n = 0; n < 3; n++) {
    const d = addDays(today.year, today.month, today.day, n);
    const t = zonedTimeToInstant({ ...d, hour, minute }, zone);
    if (t.getTime() >= from.getTime()) return t;
  }
  /* c8 ignore next */
  throw new Error('unreachable: a local time recurs within two days');
}

/** Minute of the local day (0…1439). */
export function localMinuteOfDay(instant: Date, zone: string): number {
  const p = localParts(instant, zone);
  return p.hour * 60 + p.minute;
}

export function isInQuietHours(instant: Date, quiet: QuietHours, zone: string): boolean {
  const s = parseTimeOfDay(quiet.start);
  const e = parseTimeOfDay(quiet.end);
  const start = s.hour * 60 + s.minute;
  const end = e.hour * 60 + e.minute;
  const m = localMinuteOfDay(instant, zone);
  if (start === end) return false;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

export interface SendTimeInput {
  schedule: CampaignSchedule;
  quietHours?: QuietHours;
  /** The person's zone as known (profile timezone); validated here. */
  timezone: unknown;
  /** The campaign's zone for people without a valid one (the localTime schedule's, or UTC). */
  fallbackTimezone?: string;
  /** When the campaign (or this page) runs. */
  now: Date;
}

export interface SendTime {
  at: Date;
  zone: string;
  fellBack: boolean;
  /** Pushed to the end of quiet hours. */
  deferred: boolean;
  /** A dated local-time schedule whose moment had passed for this person: sent at once. */
  late: boolean;
  /** The zone's UTC offset at `at`, minutes. */
  offsetMinutes: number;
}

/** The campaign's zone for people without one. */
export function campaignFallbackZone(schedule: CampaignSchedule, fallback?: string): string {
  if (schedule.type === 'localTime') return schedule.fallbackTimezone;
  return fallback && isValidTimeZone(fallback) ? fallback : 'UTC';
}

/**
 * The next instant a person may be sent: the schedule's moment in their zone (never before
 * `now`), pushed past quiet hours.
 */
export function nextAllowedSendInstant(input: SendTimeInput): SendTime {
  const { schedule, quietHours, now } = input;
  const { zone, fellBack } = resolveTimeZone(input.timezone, campaignFallbackZone(schedule, input.fallbackTimezone));
  let at: Date;
  let late = false;
  if (schedule.type === 'now') at = now;
  else if (schedule.type === 'at') at = new Date(Math.max(Date.parse(schedule.at), now.getTime()));
  else if (schedule.date) {
    const [year, month, day] = schedule.date.split('-').map(Number);
    const t = zonedTimeToInstant({ year, month, day, ...parseTimeOfDay(schedule.time) }, zone);
    late = t.getTime() < now.getTime();
    at = late ? now : t;
  } else at = nextLocalTime(now, schedule.time, zone);
  let deferred = false;
  if (quietHours && isInQuietHours(at, quietHours, zone)) {
    at = nextLocalTime(at, quietHours.end, zone);
    deferred = true;
  }
  return { at, zone, fellBack, deferred, late, offsetMinutes: offsetMinutes(at, zone) };
}

/** "+05:30", "-04:00", "+00:00". */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export interface SendBucket {
  /** The bucket's start, ISO UTC: also its identity. */
  startAt: string;
  /** The UTC offsets of the people in it (one for local-time schedules, unless zones coincide). */
  offsets: string[];
  personIds: string[];
}

export interface BucketPerson {
  personId: string;
  timezone: unknown;
}

/** Groups people by their next allowed instant, earliest bucket first. */
export function bucketBySendTime(
  people: Iterable<BucketPerson>,
  plan: Omit<SendTimeInput, 'timezone'>,
): SendBucket[] {
  const buckets = new Map<number, { offsets: Set<number>; personIds: string[] }>();
  for (const p of people) {
    const t = nextAllowedSendInstant({ ...plan, timezone: p.timezone });
    // Whole minutes: people due in the same minute share a Wait.
    const key = Math.floor(t.at.getTime() / MINUTE) * MINUTE;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { offsets: new Set(), personIds: [] }));
    b.offsets.add(t.offsetMinutes);
    b.personIds.push(p.personId);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([key, b]) => ({
      startAt: new Date(key).toISOString(),
      offsets: [...b.offsets].sort((x, y) => x - y).map(formatOffset),
      personIds: b.personIds,
    }));
}

/** The frequency-cap windows of an instant in the person's zone: local date and ISO week. */
export function capWindowKeys(instant: Date, zone: string): { day: string; week: string } {
  const p = localParts(instant, zone);
  const day = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  // ISO 8601 week: the week with the year's first Thursday is week 1; weeks start on Monday.
  const date = new Date(Date.UTC(p.year, p.month - 1, p.day));
  const isoWeekday = p.weekday === 0 ? 7 : p.weekday;
  date.setUTCDate(date.getUTCDate() + 4 - isoWeekday); // the Thursday of this week
  const isoYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(isoYear, 0, 1)) / DAY + 1) / 7);
  return { day, week: `${isoYear}-W${String(week).padStart(2, '0')}` };
}
