import { data } from '@remix-run/cloudflare';
import { formatClock, parseClock, type WeeklyRule } from '../../worker/domain/working-hours';
import type { Services } from '../../worker/services/container';
import { saveWorkingHours } from '../../worker/services/management/schedule';
import { weeklyRules } from '../../worker/services/week';
import { formatDateTime } from '../lib/format';
import { editDraft, fieldId, weekdayName, WEEKDAYS, type DraftDay, type DraftInterval, type HoursError } from '../components/barber-hours';
import { officeChair, officeRequest, refusal, unreadable } from './work.week.server';

export type { DraftDay, HoursError };

/** The editor's value for a stored minute: "24:00" is midnight at the end of the day. */
const clockValue = (minute: number) => (minute === 1440 ? '00:00' : formatClock(minute));

export function draftFromRules(rules: readonly WeeklyRule[], locale: string): DraftDay[] {
  return WEEKDAYS.map((weekday) => {
    const intervals = rules
      .filter((r) => r.weekday === weekday)
      .sort((a, b) => a.startMinute - b.startMinute)
      .map((r) => ({ start: clockValue(r.startMinute), end: clockValue(r.endMinute) }));
    return { weekday, name: weekdayName(weekday, locale), off: intervals.length === 0, intervals };
  });
}

/** The form as the barber left it (nothing dropped, so a refused save can be shown again). */
export function draftFromForm(form: FormData, locale: string): DraftDay[] {
  return WEEKDAYS.map((weekday) => {
    const starts = form.getAll(`start-${weekday}`).map(String);
    const ends = form.getAll(`end-${weekday}`).map(String);
    const n = Math.min(Math.max(starts.length, ends.length), 12);
    const intervals: DraftInterval[] = [];
    for (let i = 0; i < n; i++) intervals.push({ start: (starts[i] ?? '').trim(), end: (ends[i] ?? '').trim() });
    return { weekday, name: weekdayName(weekday, locale), off: form.get(`off-${weekday}`) === 'on', intervals };
  });
}

const ORDINAL = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth'];
const which = (day: DraftDay, i: number) => (day.intervals.length === 1 ? day.name : `${day.name}, ${ORDINAL[i] ?? `#${i + 1}`} interval`);

/** An end of "00:00" is midnight at the end of the day. */
const endMinute = (value: string) => (value === '00:00' ? 1440 : parseClock(value));

/**
 * The rules a draft stands for, with where each came from (the service names rules by index),
 * or what cannot even be read as a time. Empty rows are ignored; a day off has no rules.
 */
export function rulesFromDraft(days: readonly DraftDay[]): { rules: WeeklyRule[]; origin: { day: DraftDay; index: number }[]; errors: HoursError[] } {
  const rules: WeeklyRule[] = [];
  const origin: { day: DraftDay; index: number }[] = [];
  const errors: HoursError[] = [];
  for (const day of days) {
    if (day.off) continue;
    day.intervals.forEach((iv, index) => {
      if (!iv.start && !iv.end) return;
      const start = iv.start ? parseClock(iv.start) : null;
      const end = iv.end ? endMinute(iv.end) : null;
      if (start === null) errors.push({ field: fieldId(day.weekday, index, 'start'), text: `${which(day, index)}: enter a start time like 09:00` });
      if (end === null) errors.push({ field: fieldId(day.weekday, index, 'end'), text: `${which(day, index)}: enter an end time like 17:30` });
      if (start === null || end === null) return;
      rules.push({ weekday: day.weekday, startMinute: start, endMinute: end });
      origin.push({ day, index });
    });
  }
  return { rules, origin, errors };
}

/** The service's 422 (`json.rules.<i>`) in the editor's words, on the field it is about. */
export function wordsForRuleErrors(errors: readonly { path: string; message: string }[], origin: readonly { day: DraftDay; index: number }[]): HoursError[] {
  return errors.flatMap((e) => {
    const m = /^json\.rules\.(\d+)$/.exec(e.path);
    const from = m ? origin[Number(m[1])] : undefined;
    if (!from) return [];
    const { day, index } = from;
    if (/overlaps/i.test(e.message)) {
      const other = /\((\d\d:\d\d)-(\d\d:\d\d)\)/.exec(e.message);
      const span = other ? ` ${other[1]}–${other[2] === '24:00' ? '00:00' : other[2]}` : ' another interval';
      return [{ field: fieldId(day.weekday, index, 'start'), text: `${which(day, index)} overlaps${span} on the same day` }];
    }
    if (/after the start/i.test(e.message)) {
      return [{ field: fieldId(day.weekday, index, 'end'), text: `${which(day, index)}: the end must be after the start` }];
    }
    return [{ field: fieldId(day.weekday, index, 'start'), text: `${which(day, index)}: ${e.message}` }];
  });
}

export async function loadHours(services: Services, request: Request) {
  const office = await officeRequest(services, request);
  try {
    const chair = await officeChair(services, office);
    const rules = await weeklyRules(services, chair);
    return data(
      {
        page: { barberId: chair.barber.id, barberName: chair.barber.displayName, own: chair.own, timezone: chair.shop.timezone, days: draftFromRules(rules, office.locale) },
        problem: null,
      },
      { headers: office.headers },
    );
  } catch (err) {
    return unreadable(err, office.headers);
  }
}

export type HoursResult =
  | { kind: 'draft'; days: DraftDay[] }
  | { kind: 'refused'; days: DraftDay[]; errors: HoursError[]; text: string }
  | { kind: 'saved'; text: string; stranded: string[] };

export async function saveHours(services: Services, request: Request) {
  const office = await officeRequest(services, request);
  const form = await request.formData();
  const intent = String(form.get('intent') ?? 'save');
  const days = draftFromForm(form, office.locale);
  const reply = (result: HoursResult, status = 200) => data({ result }, { status, headers: office.headers });
  try {
    // Authorise before anything else, so a stranger learns nothing, not even the form's shape.
    const chair = await officeChair(services, office);
    const edited = editDraft(days, intent);
    if (edited) return reply({ kind: 'draft', days: edited });
    const { rules, origin, errors } = rulesFromDraft(days);
    if (errors.length > 0) return reply({ kind: 'refused', days, errors, text: 'Some times could not be read.' }, 422);
    try {
      const saved = await saveWorkingHours(services, office.userId, { barberId: chair.barber.id, shopId: chair.barber.shopId, timezone: chair.shop.timezone }, rules);
      const stranded = saved.stranded.map((a) => formatDateTime(a.startTime, chair.shop.timezone, office.locale));
      return reply({ kind: 'saved', text: 'Hours saved. The booking page shows the new times now.', stranded });
    } catch (err) {
      const r = refusal(err);
      if (r.status !== 422) throw err;
      const words = wordsForRuleErrors(r.errors, origin);
      return reply({ kind: 'refused', days, errors: words.length ? words : [{ field: fieldId(days[0]!.weekday, 0, 'start'), text: r.text }], text: r.text }, 422);
    }
  } catch (err) {
    const r = refusal(err);
    return data({ result: { kind: 'refused' as const, days: [] as DraftDay[], errors: [] as HoursError[], text: r.text } satisfies HoursResult }, { status: r.status, headers: office.headers });
  }
}
