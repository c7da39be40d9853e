import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { cancelFromForm, loadManagePage, type Refusal } from './m.server';

export const meta: MetaFunction = () => [{ title: 'Your appointment — BookedBarber' }];

export const headers: HeadersFunction = ({ actionHeaders, loaderHeaders }) => {
  const merged = new Headers(loaderHeaders);
  actionHeaders.forEach((value, name) => merged.set(name, value));
  return merged;
};

/**
 * The page behind the links in booking messages: /m?token=… (a query, not a fragment: the page
 * must show the appointment without JavaScript, and viewing changes nothing). GET only shows;
 * cancelling is the form's POST, with the token in the body — a mail scanner that opens the link
 * cannot cancel anything. Every link is signed, for one purpose, and dies with its appointment.
 */
export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadManagePage(context.services, request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return cancelFromForm(context.services, request);
}

const refusals: Record<Refusal['state'], { title: string; text: string }> = {
  incomplete: { title: 'This link is incomplete', text: 'Open the link from your booking e-mail again, or copy the whole address into your browser.' },
  invalid: { title: 'This link is not valid', text: 'It may have been cut short or changed. Open the link from your booking e-mail again.' },
  expired: { title: 'This link has expired', text: 'Links in booking messages work until the appointment is over.' },
  cancelled: { title: 'This appointment has been cancelled', text: 'There is nothing more to do with this link.' },
  past: { title: 'This appointment is over', text: 'Links in booking messages work until the appointment is over.' },
  used: { title: 'This link has already been used', text: 'A cancel link works once. If you cancelled, your appointment is cancelled.' },
};

function Refused({ state }: { state: Refusal['state'] }) {
  const r = refusals[state];
  return (
    <section className="auth">
      <h1>{r.title}</h1>
      <p role="alert" className="error-text">
        {r.text}
      </p>
      <p>
        <Link to="/">Find a shop</Link>
      </p>
    </section>
  );
}

function ManageContent() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';

  if (result?.state === 'done') {
    return (
      <section className="auth">
        <h1>Appointment cancelled</h1>
        <p role="status">{`Your appointment is cancelled. ${result.note}`}</p>
        <p>
          <Link to="/">Book another time</Link>
        </p>
      </section>
    );
  }
  if (result) return <Refused state={result.state} />;
  if (page.state !== 'ok') return <Refused state={page.state} />;

  return (
    <section className="auth">
      <h1>Your appointment</h1>
      <dl>
        <dt>Shop</dt>
        <dd>{page.shopName}</dd>
        <dt>Service</dt>
        <dd>{page.service}</dd>
        <dt>Barber</dt>
        <dd>{page.barber}</dd>
        <dt>When</dt>
        <dd>{page.when}</dd>
        <dt>Price</dt>
        <dd>{page.price}</dd>
        <dt>Status</dt>
        <dd>{page.status}</dd>
      </dl>
      {page.reschedulePath ? (
        <p>
          <Link to={page.reschedulePath}>{page.purpose === 'reschedule' ? 'Choose a new time' : 'Reschedule'}</Link>
        </p>
      ) : null}
      {page.rescheduleNote ? <p className="notice">{page.rescheduleNote}</p> : null}
      {page.purpose === 'cancel' ? (
        // The token goes in the body; the action URL has no query.
        <Form method="post" action="/m">
          <input type="hidden" name="token" value={page.token} />
          <p className="notice">{page.cancelNote}</p>
          <label>
            Reason (optional)
            <input type="text" name="reason" maxLength={300} autoComplete="off" />
          </label>
          <button type="submit" disabled={busy}>
            {busy ? 'Cancelling…' : 'Cancel this appointment'}
          </button>
        </Form>
      ) : null}
      {page.purpose === 'view' ? <p className="muted">To cancel, use the cancel link in your booking e-mail, or sign in and open My appointments.</p> : null}
    </section>
  );
}

export default function ManageAppointment() {
  // Marks the page once React has hydrated; browser tests wait for it.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <div data-hydrated={hydrated ? 'true' : 'false'}>
      <ManageContent />
    </div>
  );
}
