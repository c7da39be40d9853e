import { Form } from '@remix-run/react';
import type { Day } from './DayPicker';
import { PendingButton } from './PendingButton';

/**
 * "Nothing that suits you?": join the waitlist for a day of the calendar — full days first,
 * since those are why people wait. Posts to the waitlist page's own join action, which comes
 * back here (return_to) once joined.
 */
export function WaitlistJoin(props: { shopId: string; serviceId: string; barberId: string; days: Day[]; returnTo: string; joined: boolean }) {
  const ordered = [...props.days.filter((d) => !d.open), ...props.days.filter((d) => d.open)];
  return (
    <section aria-labelledby="waitlist-heading" className="waitlist-join">
      <h2 id="waitlist-heading">No time that suits you?</h2>
      {props.joined ? (
        <p role="status" className="notice">
          You are on the waitlist. We will tell you as soon as a time frees up.
        </p>
      ) : null}
      <Form method="post" action="/account/waitlist" className="stack">
        <input type="hidden" name="intent" value="join" />
        <input type="hidden" name="shop_id" value={props.shopId} />
        <input type="hidden" name="service_id" value={props.serviceId} />
        <input type="hidden" name="barber_id" value={props.barberId} />
        <input type="hidden" name="return_to" value={props.returnTo} />
        <label>
          Day to wait for
          <select name="from" defaultValue={ordered[0]?.date}>
            {ordered.map((d) => (
              <option key={d.date} value={d.date}>
                {d.open ? d.label : `${d.label} (full)`}
              </option>
            ))}
          </select>
        </label>
        <PendingButton name="intent" value="join" pending="Joining…">
          Join the waitlist
        </PendingButton>
      </Form>
    </section>
  );
}
