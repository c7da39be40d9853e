import { Form, Link, useNavigation } from '@remix-run/react';
import type { KeyboardEvent } from 'react';
import { HiddenFields } from './HiddenFields';

export interface Day {
  date: string;
  label: string;
  short: string;
  open: boolean;
}

/**
 * Two weeks of days as a list of buttons named by their full date. A plain GET form (works
 * without JavaScript); once hydrated, arrow keys move between the days that have openings, Home
 * and End jump to the first and last. Days without openings are disabled, so Tab skips them.
 */
export function DayPicker(props: {
  action: string;
  days: Day[];
  selected: string | null;
  fields: Record<string, string | null | undefined>;
  earlier: string | null;
  later: string | null;
}) {
  const navigation = useNavigation();
  const busy = navigation.state === 'loading' && navigation.location?.pathname === props.action;
  function onKeyDown(e: KeyboardEvent<HTMLUListElement>) {
    const keys = ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'ArrowUp', 'Home', 'End'];
    if (!keys.includes(e.key)) return;
    const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button:not([disabled])')];
    if (buttons.length === 0) return;
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    let next = at;
    if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = buttons.length - 1;
    else if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = Math.min(buttons.length - 1, at + 1);
    else next = Math.max(0, at - 1);
    e.preventDefault();
    buttons[next]?.focus();
  }
  return (
    <Form method="get" action={props.action} preventScrollReset className="day-picker" aria-busy={busy}>
      <HiddenFields fields={props.fields} />
      <ul className="days" onKeyDown={onKeyDown}>
        {props.days.map((d) => (
          <li key={d.date}>
            <button
              type="submit"
              name="day"
              value={d.date}
              aria-pressed={d.date === props.selected}
              disabled={!d.open}
              className="day"
            >
              {/* The name is the full date, spoken from hidden text rather than an aria-label:
                  an aria-label would hide the short visible "Mon 7" from speech input, which
                  needs what is on screen to be part of the name (WCAG 2.5.3). */}
              <span aria-hidden="true">{d.short}</span>
              <span className="sr-only">{d.open ? d.label : `${d.label} (no openings)`}</span>
            </button>
          </li>
        ))}
      </ul>
      <nav className="day-nav" aria-label="More dates">
        {props.earlier ? (
          <Link to={`${props.action}?${new URLSearchParams({ ...clean(props.fields), from: props.earlier })}`} preventScrollReset>
            Earlier dates
          </Link>
        ) : (
          <span />
        )}
        {props.later ? (
          <Link to={`${props.action}?${new URLSearchParams({ ...clean(props.fields), from: props.later })}`} preventScrollReset>
            Later dates
          </Link>
        ) : null}
      </nav>
    </Form>
  );
}

function clean(fields: Record<string, string | null | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) if (v && k !== 'from') out[k] = v;
  return out;
}
