/**
 * `sendTime: "optimal"`: each person is sent in their best hour (profiles/activity-hours.ts)
 * inside the campaign's send window, outside quiet hours, in their own zone.
 *
 * Design:
 * - The window is [start, sendBy): start is the schedule's moment ('at', or a dated
 *   'localTime' in the person's zone), or the page's `now` for 'now' and undated schedules;
 *   sendBy defaults to start + 24 h for dated schedules and is required otherwise
 *   (schemas/campaign.ts). Its END is fixed, which is what keeps the choice stable across
 *   the state machine's sweeps: a later sweep only drops slots that have passed, and the
 *   best of the remaining slots is still the one chosen before, so a deferred person is not
 *   pushed later and later (a sliding 24-hour window would do that), and everyone is sent by
 *   sendBy.
 * - Slots start on UTC hours and are binned by the local hour they start in (in a 30- or
 *   45-minute zone such as Asia/Kolkata, the "13" slot starts at 13:30 local). So every
 *   person's send instant is a UTC hour (or `now`, or the end of quiet hours), and a window
 *   of at most 24 hours needs at most 25 or so sweeps of the state machine (MAX_SWEEPS 48);
 *   local :00 starts would add an instant per odd offset. The window is at most 24 hours:
 *   a later sendBy keeps only the 24 hours before it. A slot in quiet hours is usable from the end of the quiet hours if that
 *   falls inside it. The send instant is the slot's start, or `now` if the best slot is the
 *   current one. Ties go to the earliest slot (a DST fall-back hour that happens twice: the
 *   first).
 * - No usable slot (the window is all quiet hours, or has passed): the schedule's own rule
 *   applies from the window's start (sent now, or at the end of the quiet hours), so nobody
 *   is dropped for lack of a good hour.
 * - The population prior comes from the caller (eligibility.ts: the page's people); with a
 *   different page the prior moves a little, which can move a thin-history person's hour,
 *   but never past sendBy.
 */
import { activityScores, hourOfWeek } from '../profiles/activity-hours.ts';
import { isInQuietHours, nextAllowedSendInstant, nextLocalTime, offsetMinutes, parseTimeOfDay, resolveTimeZone, campaignFallbackZone, zonedTimeToInstant, type SendTime, type SendTimeInput } from './schedule.ts';

const HOUR = 3_600_000;
const DAY = 86_400_000;

export interface OptimalSendInput extends SendTimeInput {
  /** ISO instant by which everyone is sent (the window's end). */
  sendBy?: string;
  /** The person's activity histogram (profile.aggregates.activityHours). */
  activity?: string;
  /** The population's profile over the 168 hours (activity-hours.ts populationProfile). */
  population?: readonly number[];
}

export interface OptimalSendTime extends SendTime {
  /** The local hour-of-week bin chosen (0 = Sunday 00:00); absent when the schedule's rule applied. */
  bestHourOfWeek?: number;
}

/** The window's start and end for this person. */
export function sendWindow(input: OptimalSendInput, zone: string): { start: Date; end: Date } {
  const { schedule, now } = input;
  let start = now;
  if (schedule.type === 'at') start = new Date(Date.parse(schedule.at));
  else if (schedule.type === 'localTime' && schedule.date) {
    const [year, month, day] = schedule.date.split('-').map(Number);
    start = zonedTimeToInstant({ year, month, day, ...parseTimeOfDay(schedule.time) }, zone);
  }
  const end = input.sendBy !== undefined ? Date.parse(input.sendBy) : start.getTime() + DAY;
  return { start: new Date(Math.max(start.getTime(), end - DAY)), end: new Date(end) };
}

interface Slot {
  at: Date;
  bin: number;
}

/** The usable slots of [from, end): one per UTC hour, binned by its local hour, past quiet hours. */
export function sendSlots(from: Date, end: Date, zone: string, quietHours: SendTimeInput['quietHours']): Slot[] {
  let slotStart = Math.floor(from.getTime() / HOUR) * HOUR;
  const slots: Slot[] = [];
  for (; slotStart < end.getTime(); slotStart += HOUR) {
    let at = new Date(Math.max(slotStart, from.getTime()));
    if (quietHours && isInQuietHours(at, quietHours, zone)) at = nextLocalTime(at, quietHours.end, zone);
    if (at.getTime() >= slotStart + HOUR || at.getTime() >= end.getTime()) continue;
    slots.push({ at, bin: hourOfWeek(new Date(slotStart), zone) });
  }
  return slots;
}

/** When to send one person under `sendTime: "optimal"`. */
export function optimalSendInstant(input: OptimalSendInput): OptimalSendTime {
  const { zone, fellBack } = resolveTimeZone(input.timezone, campaignFallbackZone(input.schedule, input.fallbackTimezone));
  const { start, end } = sendWindow(input, zone);
  const from = new Date(Math.max(start.getTime(), input.now.getTime()));
  const slots = sendSlots(from, end, zone, input.quietHours);
  if (slots.length === 0) {
    // The window is spent or silent: the schedule's own rule from its start ('at' → now or
    // later, quiet hours → their end), never a skip.
    return { ...nextAllowedSendInstant({ ...input, schedule: { type: 'at', at: from.toISOString() }, timezone: zone }), fellBack };
  }
  const scores = activityScores(input.activity, { population: input.population });
  let best = slots[0];
  for (const s of slots) if (scores[s.bin] > scores[best.bin]) best = s;
  return { at: best.at, zone, fellBack, deferred: false, late: false, offsetMinutes: offsetMinutes(best.at, zone), bestHourOfWeek: best.bin };
}
