import { Form, useNavigation } from '@remix-run/react';
import { HiddenFields } from './HiddenFields';

export interface Slot {
  start: string;
  label: string;
  local: string | null;
}

/**
 * The openings of one day as a list of buttons named by the time ("9:30 AM"), in the shop's
 * zone; the visitor's own clock beside each when their zone differs. The whole block is an
 * aria-live region, so a new day's times (or fresh times after a conflict) are announced. Its
 * minimum height is reserved in CSS, so times arriving never push the page around.
 */
export function SlotPicker(props: {
  action: string;
  heading: string;
  dayLabel: string | null;
  slots: Slot[];
  fields: Record<string, string | null | undefined>;
  zoneNote: string | null;
  emptyText: string;
}) {
  const navigation = useNavigation();
  const loading = navigation.state === 'loading' && navigation.formMethod === 'GET' && navigation.formData?.has('day');
  return (
    <section className="slot-picker" aria-labelledby="slots-heading">
      <h2 id="slots-heading">{props.heading}</h2>
      <div aria-live="polite" aria-busy={loading} className="slots-region">
        {loading ? <p className="muted">Loading times…</p> : null}
        {props.dayLabel ? <p className="slots-day">{`Times on ${props.dayLabel}`}</p> : null}
        {props.zoneNote ? <p className="muted hint">{props.zoneNote}</p> : null}
        {props.slots.length === 0 ? (
          <p>{props.emptyText}</p>
        ) : (
          <Form method="get" action={props.action}>
            <HiddenFields fields={props.fields} />
            <ul className="slots">
              {props.slots.map((s) => (
                <li key={s.start}>
                  <button type="submit" name="start" value={s.start} className="slot">
                    {s.label}
                  </button>
                  {s.local ? <span className="slot-local">{`${s.local} your time`}</span> : null}
                </li>
              ))}
            </ul>
          </Form>
        )}
      </div>
    </section>
  );
}
