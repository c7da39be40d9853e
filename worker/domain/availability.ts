/**
 * The slot engine: which start times a barber can be booked at, and why a given start cannot.
 *
 * Pure: no I/O, no clock (the caller passes `now`), and no dependence on the process's own time
 * zone — only Intl with an explicit `timeZone` and UTC arithmetic on epoch milliseconds. It runs
 * on every availability cache miss and inside every booking check (in the barber's Durable
 * Object, under its lock), so it is written for speed; see docs/decisions/0010-slot-engine.md.
 *
 * Semantics (all instants are epoch ms, all intervals half-open [start, end)):
 *
 * - **Working time** is each local day's weekly rules converted to instants, clipped to that
 *   local day, then MERGED where they touch or overlap. Hours that run past midnight
 *   (Fri 18:00-24:00 + Sat 00:00-02:00) are therefore one stretch, and a 23:30-00:30 slot fits.
 *   A slot belongs to the local date of its START.
 * - **A slot** is [s, s + durationMin). It must lie entirely inside one merged stretch of
 *   working time.
 * - **Step** is read on the wall clock: s is on step when its local minute-of-day is a multiple
 *   of `stepMin` and its local seconds and milliseconds are 0. Slots are 09:00, 09:15, … local on
 *   both sides of a DST change. The grid restarts at every local midnight (matters only for a
 *   step that does not divide 1440).
 * - **Rule boundaries** convert like Temporal's 'compatible' disambiguation (same as
 *   `zonedTimeToUtc` in ./time): a boundary inside a spring-forward gap moves forward by the gap
 *   (02:30 → 03:30 in New York), a boundary inside a fall-back overlap takes the earlier instant.
 * - **Spring-forward gap**: the skipped wall times do not exist, so no slot starts there
 *   (a 01:00-04:00 rule on 2026-03-08 in New York gives 01:00…01:45 EST and 03:00…03:30 EDT).
 * - **Fall-back overlap**: both passes through the repeated hour are real, distinct instants. If
 *   they are inside working time, both are offered (01:00 EDT and 01:00 EST are two slots); on
 *   the wire they differ (05:00Z and 06:00Z).
 * - **Busy time and buffers**: a new appointment occupies [s - bufferBefore, s + duration +
 *   bufferAfter); an existing busy interval b occupies [b.start - bufferBefore, b.end +
 *   bufferAfter); the two must not overlap, so consecutive appointments are at least
 *   after + before minutes apart. Buffers may fall outside working hours.
 * - **Time off**: the slot itself, [s, s + duration), must not overlap time off (no buffers).
 * - **Notice and window**: too soon when s < now + minNoticeMin; too far when the local date of s
 *   is after (local date of now) + bookingWindowDays.
 * - Back-to-back is allowed (half-open overlap). Busy and time-off lists may be unsorted and
 *   overlapping; they are copied, sorted and merged internally (inputs are never mutated).
 *   Intervals with end <= start are ignored.
 * - Parameters are whole minutes (durationMin and stepMin >= 1, the rest >= 0); anything else
 *   throws a RangeError, as does an unknown zone. Rule minutes are clamped to [0, 1440].
 *
 * Zone model: the offset is read from Intl (`timeZoneName: 'longOffset'`, no formatToParts) once
 * per day boundary — at each UTC midnight of the range; where two consecutive readings differ,
 * the transition instant is found by bisection. The offset is then a step function, so wall time ↔
 * instant is arithmetic: days without a change take the linear path (instant = wall − offset),
 * only a day holding a transition looks at it. This assumes at most one offset change between
 * consecutive UTC midnights, which holds for every zone's rules in the tz database today. Readings are remembered per
 * zone (bounded), so a warm call makes no Intl call at all; `clearSlotEngineCache` forgets them.
 */
import { offsetMinutes, type PlainDate } from './time';
import type { WeeklyRule } from './working-hours';

/** Epoch milliseconds, half-open [start, end). */
export interface Interval {
  start: number;
  end: number;
}

export interface SlotRules {
  /** Shop IANA zone. */
  timeZone: string;
  /** The barber's weekly hours in the shop zone (several per day = breaks). */
  rules: readonly WeeklyRule[];
  timeOff: readonly Interval[];
  /** Active appointments and live holds (their own start/end, unbuffered). */
  busy: readonly Interval[];
  /** Service duration (per-barber override already applied). */
  durationMin: number;
  bufferBeforeMin: number;
  bufferAfterMin: number;
  /** Slot step on the wall clock, e.g. 15. */
  stepMin: number;
  /** Earliest start = now + notice. */
  minNoticeMin: number;
  /** Last bookable local date = local date of `now` + bookingWindowDays. */
  bookingWindowDays: number;
  /** Epoch ms. */
  now: number;
}

export type SlotRejection = 'outside_hours' | 'time_off' | 'taken' | 'too_soon' | 'too_far' | 'not_on_step';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** No local day is shorter than this (skipped calendar days, Samoa 2011, aside). */
const SHORTEST_DAY = 20 * HOUR;

// ---------------------------------------------------------------------------------------------
// Zone offsets

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
const LONG_OFFSET = /GMT(?:([+\-\u2212])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/;

function offsetFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC at `instant`, in ms (whole seconds). One Intl call. */
function zoneOffset(instant: number, timeZone: string): number {
  const m = LONG_OFFSET.exec(offsetFormatter(timeZone).format(instant));
  // Unexpected spelling: fall back to the field-by-field reading (whole minutes).
  if (!m) return offsetMinutes(new Date(instant), timeZone) * MINUTE;
  if (m[1] === undefined) return 0;
  const sign = m[1] === '+' ? 1 : -1;
  return sign * (Number(m[2]) * HOUR + Number(m[3] ?? 0) * MINUTE + Number(m[4] ?? 0) * 1000);
}

/**
 * The zone's offset as a step function over a stretch of time: offs[0] before ts[0], offs[i]
 * from ts[i-1] to ts[i], offs[ts.length] after the last transition.
 */
interface ZoneModel {
  ts: number[];
  offs: number[];
}

/** First instant in (lo, hi] whose offset is `offHi` (the one transition between lo and hi). */
function findTransition(timeZone: string, lo: number, hi: number, offHi: number): number {
  // Transitions fall on whole minutes in practice: bisect minutes, then confirm.
  let l = Math.floor(lo / MINUTE);
  let h = Math.ceil(hi / MINUTE);
  while (h - l > 1) {
    const mid = Math.floor((l + h) / 2);
    if (zoneOffset(mid * MINUTE, timeZone) === offHi) h = mid;
    else l = mid;
  }
  let t = h * MINUTE;
  if (zoneOffset(t - 1, timeZone) === offHi) {
    // A historic transition off the minute: bisect milliseconds within that minute.
    let a = Math.max(lo, t - MINUTE);
    let b = t - 1;
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (zoneOffset(mid, timeZone) === offHi) b = mid;
      else a = mid;
    }
    t = b;
  }
  return t;
}

/**
 * Memo of what Intl said, per zone: the offset at each UTC midnight (epoch day → ms) and the
 * transition found between two midnights (epoch day of the later one → instant). Readings are a
 * pure function of the zone and the runtime's tz data, so remembering them changes no answer; it
 * turns a warm call's Intl work into map lookups. Bounded: cleared whole past MEMO_LIMIT entries.
 */
interface ZoneMemo {
  midnight: Map<number, number>;
  transition: Map<number, number>;
}
const memos = new Map<string, ZoneMemo>();
let memoEntries = 0;
const MEMO_LIMIT = 20_000;

function memoFor(timeZone: string): ZoneMemo {
  let memo = memos.get(timeZone);
  if (!memo) {
    memo = { midnight: new Map(), transition: new Map() };
    memos.set(timeZone, memo);
  }
  return memo;
}

/** Forget every remembered zone reading (for benchmarks of the cold path; never needed for correctness). */
export function clearSlotEngineCache(): void {
  memos.clear();
  memoEntries = 0;
}

/** Offset at the UTC midnight that starts epoch day `day`. */
function midnightOffset(timeZone: string, memo: ZoneMemo, day: number): number {
  let off = memo.midnight.get(day);
  if (off === undefined) {
    off = zoneOffset(day * DAY, timeZone);
    memo.midnight.set(day, off);
    if (++memoEntries > MEMO_LIMIT) clearSlotEngineCache(); // this call keeps its (now detached) memo
  }
  return off;
}

/** The transition between the UTC midnights of `day - 1` and `day`, whose offsets differ. */
function transitionBefore(timeZone: string, memo: ZoneMemo, day: number): number {
  let t = memo.transition.get(day);
  if (t === undefined) {
    t = findTransition(timeZone, (day - 1) * DAY, day * DAY, midnightOffset(timeZone, memo, day));
    memo.transition.set(day, t);
    if (++memoEntries > MEMO_LIMIT) clearSlotEngineCache();
  }
  return t;
}

/** Offset of `timeZone` at any instant, from the readings at the UTC midnights around it. */
function instantOffset(timeZone: string, instant: number): number {
  const memo = memoFor(timeZone);
  const day = floorDiv(instant, DAY);
  const before = midnightOffset(timeZone, memo, day);
  const after = midnightOffset(timeZone, memo, day + 1);
  if (before === after) return before;
  return instant < transitionBefore(timeZone, memo, day + 1) ? before : after;
}

/**
 * The offset step function covering local days [firstDay, lastDay] (epoch day numbers) and their
 * closing midnight: one reading per UTC midnight from firstDay-1 to lastDay+2, plus a bisection
 * wherever two consecutive readings differ.
 */
function buildZoneModel(timeZone: string, firstDay: number, lastDay: number): ZoneModel {
  const memo = memoFor(timeZone);
  let off = midnightOffset(timeZone, memo, firstDay - 1);
  const ts: number[] = [];
  const offs: number[] = [off];
  for (let d = firstDay; d <= lastDay + 2; d++) {
    const nextOff = midnightOffset(timeZone, memo, d);
    if (nextOff !== off) {
      ts.push(transitionBefore(timeZone, memo, d));
      offs.push(nextOff);
    }
    off = nextOff;
  }
  return { ts, offs };
}

function offsetAt(model: ZoneModel, instant: number): number {
  const { ts, offs } = model;
  let i = 0;
  while (i < ts.length && instant >= ts[i]!) i++;
  return offs[i]!;
}

/**
 * The instant at which the wall clock reads `wall` (local time written as if it were UTC ms),
 * with 'compatible' disambiguation: earliest reading in an overlap, forward by the gap in a gap.
 */
function wallToInstant(model: ZoneModel, wall: number): number {
  const { ts, offs } = model;
  const n = ts.length;
  if (n === 0) return wall - offs[0]!;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i <= n; i++) {
    const t = wall - offs[i]!;
    if ((i === 0 || t >= ts[i - 1]!) && (i === n || t < ts[i]!) && t < best) best = t;
  }
  if (best !== Number.POSITIVE_INFINITY) return best;
  // In a gap: the offset from before the transition, which lands after it.
  for (let i = 0; i < n; i++) {
    const t = ts[i]!;
    if (wall >= t + offs[i]! && wall < t + offs[i + 1]!) return wall - offs[i]!;
  }
  return wall - offs[0]!;
}

// ---------------------------------------------------------------------------------------------
// Inputs

interface Prepared {
  timeZone: string;
  /** Rules bucketed by weekday, each bucket sorted by start; minutes clamped to [0, 1440]. */
  byWeekday: Array<Array<[number, number]>>;
  durMs: number;
  /** bufferBefore + bufferAfter: how far a busy interval is widened on each side. */
  gapMs: number;
  stepMs: number;
  notBefore: number;
  windowDays: number;
  now: number;
  /** Local days after the last start day whose rules a slot may still run into. */
  spareDays: number;
}

function wholeMinutes(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

function prepare(input: Pick<SlotRules, 'timeZone' | 'rules'>): Pick<Prepared, 'timeZone' | 'byWeekday'>;
function prepare(input: SlotRules, full: true): Prepared;
function prepare(input: SlotRules | Pick<SlotRules, 'timeZone' | 'rules'>, full?: true): Prepared | Pick<Prepared, 'timeZone' | 'byWeekday'> {
  const byWeekday: Array<Array<[number, number]>> = [[], [], [], [], [], [], []];
  for (const r of input.rules) {
    const bucket = byWeekday[r.weekday];
    if (!bucket) continue;
    const start = Math.max(0, r.startMinute);
    const end = Math.min(1440, r.endMinute);
    if (end > start) bucket.push([start, end]);
  }
  for (const bucket of byWeekday) if (bucket.length > 1) bucket.sort((a, b) => a[0] - b[0]);
  if (!full) return { timeZone: input.timeZone, byWeekday };
  const x = input as SlotRules;
  const durMs = wholeMinutes('durationMin', x.durationMin, 1) * MINUTE;
  if (!Number.isFinite(x.now)) throw new RangeError(`now must be a finite epoch ms, got ${String(x.now)}`);
  return {
    timeZone: x.timeZone,
    byWeekday,
    durMs,
    gapMs: (wholeMinutes('bufferBeforeMin', x.bufferBeforeMin, 0) + wholeMinutes('bufferAfterMin', x.bufferAfterMin, 0)) * MINUTE,
    stepMs: wholeMinutes('stepMin', x.stepMin, 1) * MINUTE,
    notBefore: x.now + wholeMinutes('minNoticeMin', x.minNoticeMin, 0) * MINUTE,
    windowDays: wholeMinutes('bookingWindowDays', x.bookingWindowDays, 0),
    now: x.now,
    spareDays: Math.ceil(durMs / SHORTEST_DAY),
  };
}

function dayNumber(date: PlainDate): number {
  return Math.floor(Date.UTC(date.year, date.month - 1, date.day) / DAY);
}

function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Sorted, merged copies of the intervals overlapping [lo, hi), each widened by `widen`. */
function mergeBlocks(list: readonly Interval[], widen: number, lo: number, hi: number): { starts: number[]; ends: number[] } {
  const raw: Interval[] = [];
  let sorted = true;
  for (const iv of list) {
    if (!(iv.end > iv.start)) continue;
    const start = iv.start - widen;
    const end = iv.end + widen;
    if (end <= lo || start >= hi) continue;
    if (raw.length > 0 && start < raw[raw.length - 1]!.start) sorted = false;
    raw.push({ start, end });
  }
  if (!sorted) raw.sort((a, b) => a.start - b.start);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const iv of raw) {
    const last = ends.length - 1;
    if (last >= 0 && iv.start <= ends[last]!) {
      if (iv.end > ends[last]!) ends[last] = iv.end;
    } else {
      starts.push(iv.start);
      ends.push(iv.end);
    }
  }
  return { starts, ends };
}

/** Local midnights of days firstDay … lastDay+1 as instants. */
function dayBounds(model: ZoneModel, firstDay: number, lastDay: number): number[] {
  const bounds: number[] = [];
  for (let d = firstDay; d <= lastDay + 1; d++) bounds.push(wallToInstant(model, d * DAY));
  return bounds;
}

/** Merged working time from the rules of local days firstDay … lastDay. */
function workingTime(
  byWeekday: Prepared['byWeekday'],
  model: ZoneModel,
  bounds: readonly number[],
  firstDay: number,
  lastDay: number,
): { starts: number[]; ends: number[] } {
  const starts: number[] = [];
  const ends: number[] = [];
  let sorted = true;
  for (let d = firstDay; d <= lastDay; d++) {
    const rules = byWeekday[weekdayOfDay(d)]!;
    if (rules.length === 0) continue;
    const dayStart = bounds[d - firstDay]!;
    const dayEnd = bounds[d - firstDay + 1]!;
    const midnight = d * DAY;
    for (const [startMin, endMin] of rules) {
      const a = Math.max(dayStart, wallToInstant(model, midnight + startMin * MINUTE));
      const b = Math.min(dayEnd, wallToInstant(model, midnight + endMin * MINUTE));
      if (b <= a) continue;
      if (starts.length > 0 && a < starts[starts.length - 1]!) sorted = false;
      starts.push(a);
      ends.push(b);
    }
  }
  // Only a gap can reorder boundaries ('compatible' maps 02:45 after 03:00 on a spring day).
  let order: number[] | null = null;
  if (!sorted) order = starts.map((_, i) => i).sort((i, j) => starts[i]! - starts[j]!);
  const ms: number[] = [];
  const me: number[] = [];
  for (let k = 0; k < starts.length; k++) {
    const i = order ? order[k]! : k;
    const a = starts[i]!;
    const b = ends[i]!;
    const last = me.length - 1;
    if (last >= 0 && a <= me[last]!) {
      if (b > me[last]!) me[last] = b;
    } else {
      ms.push(a);
      me.push(b);
    }
  }
  return { starts: ms, ends: me };
}

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

// ---------------------------------------------------------------------------------------------
// API

/** Bookable slots whose START falls on a local date in [from, to] (inclusive, shop zone), sorted ascending, unique. */
export function computeSlots(input: SlotRules, from: PlainDate, to: PlainDate): Interval[] {
  const p = prepare(input, true);
  const tz = p.timeZone;
  const nowOffset = instantOffset(tz, p.now);
  const today = floorDiv(p.now + nowOffset, DAY);
  // Days wholly before now + notice cannot hold a slot; two days' margin absorbs any offset
  // change between now and then.
  const firstDay = Math.max(dayNumber(from), floorDiv(p.notBefore + nowOffset, DAY) - 2);
  const lastDay = Math.min(dayNumber(to), today + p.windowDays);
  if (firstDay > lastDay) return [];

  const ruleLastDay = lastDay + p.spareDays;
  const model = buildZoneModel(tz, firstDay, ruleLastDay);
  const bounds = dayBounds(model, firstDay, ruleLastDay);
  const work = workingTime(p.byWeekday, model, bounds, firstDay, ruleLastDay);
  const rangeStart = bounds[0]!;
  const rangeEnd = bounds[lastDay - firstDay + 1]! + p.durMs;
  const off = mergeBlocks(input.timeOff, 0, rangeStart, rangeEnd);
  const busy = mergeBlocks(input.busy, p.gapMs, rangeStart, rangeEnd);

  const { durMs, stepMs, notBefore } = p;
  const ws = work.starts;
  const we = work.ends;
  const ts = off.starts;
  const te = off.ends;
  const bs = busy.starts;
  const be = busy.ends;
  const out: Interval[] = [];
  let wi = 0;
  let ti = 0;
  let bi = 0;

  for (let d = firstDay; d <= lastDay; d++) {
    const dayStart = bounds[d - firstDay]!;
    const dayEnd = bounds[d - firstDay + 1]!;
    if (dayEnd <= notBefore) continue;
    // A day is one constant-offset segment unless a transition falls inside it.
    let segStart = dayStart;
    let k = 0;
    while (segStart < dayEnd) {
      while (k < model.ts.length && model.ts[k]! <= segStart) k++;
      const next = model.ts[k];
      const segEnd = next !== undefined && next < dayEnd ? next : dayEnd;
      // Wall-clock grid for this segment: instants base + n·step read as local midnight + n·step.
      const base = d * DAY - offsetAt(model, segStart);
      const lo = segStart > notBefore ? segStart : notBefore;
      while (wi < ws.length && we[wi]! - durMs < lo) wi++;
      for (let j = wi; j < ws.length && ws[j]! < segEnd; j++) {
        const first = ws[j]! > lo ? ws[j]! : lo;
        const last = Math.min(segEnd - 1, we[j]! - durMs);
        let s = base + Math.ceil((first - base) / stepMs) * stepMs;
        while (s <= last) {
          const e = s + durMs;
          while (ti < ts.length && te[ti]! <= s) ti++;
          if (ti < ts.length && ts[ti]! < e) {
            s = base + Math.ceil((te[ti]! - base) / stepMs) * stepMs;
            continue;
          }
          while (bi < bs.length && be[bi]! <= s) bi++;
          if (bi < bs.length && bs[bi]! < e) {
            s = base + Math.ceil((be[bi]! - base) / stepMs) * stepMs;
            continue;
          }
          out.push({ start: s, end: e });
          s += stepMs;
        }
      }
      segStart = segEnd;
    }
  }
  return out;
}

/**
 * Why a specific start is not bookable (null = bookable). Agrees exactly with computeSlots:
 * checkSlot(x, s) === null iff a slot starting at s is in computeSlots for s's local date.
 * Precedence when several apply: not_on_step, too_soon, too_far, outside_hours, time_off, taken.
 */
export function checkSlot(input: SlotRules, start: number): SlotRejection | null {
  const p = prepare(input, true);
  if (!Number.isInteger(start)) return 'not_on_step';
  const tz = p.timeZone;
  let day = floorDiv(start + instantOffset(tz, start), DAY);
  let model = buildZoneModel(tz, day, day + p.spareDays);
  // Read the offset from the same model computeSlots uses, so both see the same wall clock.
  const wall = start + offsetAt(model, start);
  if (floorDiv(wall, DAY) !== day) {
    day = floorDiv(wall, DAY);
    model = buildZoneModel(tz, day, day + p.spareDays);
  }
  if ((wall - day * DAY) % p.stepMs !== 0) return 'not_on_step';
  if (start < p.notBefore) return 'too_soon';
  if (day > floorDiv(p.now + instantOffset(tz, p.now), DAY) + p.windowDays) return 'too_far';

  const end = start + p.durMs;
  const bounds = dayBounds(model, day, day + p.spareDays);
  const work = workingTime(p.byWeekday, model, bounds, day, day + p.spareDays);
  let inside = false;
  for (let j = 0; j < work.starts.length; j++) {
    if (work.starts[j]! <= start && start < work.ends[j]!) {
      inside = end <= work.ends[j]!;
      break;
    }
  }
  if (!inside) return 'outside_hours';
  for (const t of input.timeOff) {
    if (t.end > t.start && t.start < end && t.end > start) return 'time_off';
  }
  const g = p.gapMs;
  for (const b of input.busy) {
    if (b.end > b.start && b.start - g < end && b.end + g > start) return 'taken';
  }
  return null;
}

/** Working time as merged instants for [from, to] (for utilisation and "any barber" ranking), ignoring busy/timeOff. */
export function workingIntervals(input: Pick<SlotRules, 'timeZone' | 'rules'>, from: PlainDate, to: PlainDate): Interval[] {
  const p = prepare(input);
  const firstDay = dayNumber(from);
  const lastDay = dayNumber(to);
  if (firstDay > lastDay) return [];
  const model = buildZoneModel(p.timeZone, firstDay, lastDay);
  const bounds = dayBounds(model, firstDay, lastDay);
  const work = workingTime(p.byWeekday, model, bounds, firstDay, lastDay);
  return work.starts.map((start, i) => ({ start, end: work.ends[i]! }));
}
