import { useState, type MouseEvent } from 'react';

/**
 * The weekly hours editor: each weekday a fieldset of intervals (several = breaks) and a day-off
 * box. Adding or removing a row is a submit button, so it works without JavaScript (the page
 * answers with the edited form, unsaved); with JavaScript the same buttons edit in place.
 */

/** "Monday" for a weekday number (0 = Sunday … 6 = Saturday). */
export function weekdayName(weekday: number, locale = 'en'): string {
  // 2023-01-01 was a Sunday.
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', weekday: 'long' }).format(new Date(Date.UTC(2023, 0, 1 + weekday, 12)));
}

/** Monday first, as the week page reads. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 0] as const;

export interface DraftInterval {
  start: string;
  end: string;
}

export interface DraftDay {
  weekday: number;
  name: string;
  off: boolean;
  intervals: DraftInterval[];
}

/** One problem with one field, in words, and the id of the input it is about. */
export interface HoursError {
  field: string;
  text: string;
}

export const fieldId = (weekday: number, index: number, part: 'start' | 'end') => `h-${weekday}-${index}-${part}`;

/** Add or remove a row without saving: the same editor without JavaScript. */
export function editDraft(days: DraftDay[], intent: string): DraftDay[] | null {
  const add = /^add-(\d)$/.exec(intent);
  const remove = /^remove-(\d)-(\d+)$/.exec(intent);
  if (add) {
    const w = Number(add[1]);
    return days.map((d) => {
      if (d.weekday !== w) return d;
      const last = d.intervals[d.intervals.length - 1];
      const next = last?.end ? { start: '', end: '' } : { start: '09:00', end: '17:00' };
      return { ...d, off: false, intervals: [...d.intervals, next] };
    });
  }
  if (remove) {
    const w = Number(remove[1]);
    const i = Number(remove[2]);
    return days.map((d) => (d.weekday === w ? { ...d, intervals: d.intervals.filter((_, j) => j !== i) } : d));
  }
  return null;
}

export function HoursEditor(props: { initial: DraftDay[]; errors: HoursError[]; saving: boolean }) {
  const [days, setDays] = useState(props.initial);
  const errorFor = (id: string) => props.errors.find((e) => e.field === id);
  const edit = (intent: string) => (e: MouseEvent<HTMLButtonElement>) => {
    e.preventDefault();
    const next = editDraft(days, intent);
    if (next) setDays(next);
  };
  const toggleOff = (weekday: number, off: boolean) => setDays(days.map((d) => (d.weekday === weekday ? { ...d, off } : d)));
  const setTime = (weekday: number, index: number, part: 'start' | 'end', value: string) =>
    setDays(days.map((d) => (d.weekday === weekday ? { ...d, intervals: d.intervals.map((iv, j) => (j === index ? { ...iv, [part]: value } : iv)) } : d)));
  return (
    <>
      {days.map((day) => (
        <fieldset key={day.weekday} aria-describedby={`h-${day.weekday}-summary`}>
          <legend>{day.name}</legend>
          <p id={`h-${day.weekday}-summary`} className="sr-only">
            {day.off || day.intervals.length === 0 ? 'Day off' : `${day.intervals.length} ${day.intervals.length === 1 ? 'interval' : 'intervals'}`}
          </p>
          <label className="inline-check">
            <input type="checkbox" name={`off-${day.weekday}`} checked={day.off} onChange={(e) => toggleOff(day.weekday, e.currentTarget.checked)} />
            Day off
          </label>
          <div hidden={day.off}>
            {day.intervals.map((iv, i) => {
              const startId = fieldId(day.weekday, i, 'start');
              const endId = fieldId(day.weekday, i, 'end');
              const startError = errorFor(startId);
              const endError = errorFor(endId);
              const label = day.intervals.length > 1 ? ` (${i + 1})` : '';
              return (
                <div className="interval" key={i}>
                  <label htmlFor={startId}>
                    From{label}
                    <input
                      id={startId}
                      type="time"
                      name={`start-${day.weekday}`}
                      value={iv.start}
                      onChange={(e) => setTime(day.weekday, i, 'start', e.currentTarget.value)}
                      aria-invalid={startError ? true : undefined}
                      aria-describedby={startError ? `${startId}-error` : undefined}
                    />
                  </label>
                  <label htmlFor={endId}>
                    Until{label}
                    <input
                      id={endId}
                      type="time"
                      name={`end-${day.weekday}`}
                      value={iv.end}
                      onChange={(e) => setTime(day.weekday, i, 'end', e.currentTarget.value)}
                      aria-invalid={endError ? true : undefined}
                      aria-describedby={endError ? `${endId}-error` : undefined}
                    />
                  </label>
                  <button type="submit" name="intent" value={`remove-${day.weekday}-${i}`} className="link" onClick={edit(`remove-${day.weekday}-${i}`)}>
                    Remove<span className="sr-only">{` ${day.name} ${iv.start || 'interval'}${label}`}</span>
                  </button>
                  {startError ? (
                    <p id={`${startId}-error`} className="field-error">
                      {startError.text}
                    </p>
                  ) : null}
                  {endError ? (
                    <p id={`${endId}-error`} className="field-error">
                      {endError.text}
                    </p>
                  ) : null}
                </div>
              );
            })}
          </div>
          <button type="submit" name="intent" value={`add-${day.weekday}`} onClick={edit(`add-${day.weekday}`)} disabled={props.saving}>
            {day.intervals.length === 0 ? 'Add hours' : 'Add another interval'}
            <span className="sr-only">{` on ${day.name}`}</span>
          </button>
        </fieldset>
      ))}
    </>
  );
}
