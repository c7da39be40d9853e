import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Link, useLoaderData, useRevalidator } from '@remix-run/react';
import { useEffect } from 'react';
import { BookingErrorBoundary } from '../components/BookingErrorBoundary';
import { useHydrated } from '../components/hydrated';
import { loadConfirmation } from './s.$slug_.booked.$id.server';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.status === 'confirmed' ? `Booked at ${data.shop.name} — BookedBarber` : 'Your appointment — BookedBarber' },
  { name: 'robots', content: 'noindex' },
];

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadConfirmation(context.services, request, params.slug, params.id);
}

/** How often the page asks again while the payment's webhook is on its way. */
const POLL_MS = 1000;

export default function Booked() {
  const d = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!d.paying || revalidator.state !== 'idle') return;
    const t = setTimeout(() => revalidator.revalidate(), POLL_MS);
    return () => clearTimeout(t);
  }, [d.paying, revalidator]);
  const base = `/s/${d.shop.slug}`;
  const heading =
    d.status === 'confirmed'
      ? d.rescheduled
        ? 'Your appointment has been moved'
        : 'You’re booked'
      : d.paying
        ? 'Confirming your payment…'
        : d.status === 'held'
          ? 'Not confirmed yet'
          : d.lapsed
            ? 'Your hold has run out'
          : `Appointment ${d.statusText.toLowerCase()}`;
  return (
    <div className="booking" data-hydrated={hydrated ? 'true' : 'false'}>
      {/* Without JavaScript the page reloads itself until the payment is confirmed. */}
      {d.paying ? (
        <noscript>
          <meta httpEquiv="refresh" content="2" />
        </noscript>
      ) : null}
      <p className="crumbs">
        <Link to={base}>{d.shop.name}</Link>
      </p>
      <div aria-live="polite">
        <h1>{heading}</h1>
        {d.paying ? <p>Your payment went through; the shop is confirming the booking. This takes a few seconds.</p> : null}
      </div>
      <section className="card" aria-labelledby="details-heading">
        <h2 id="details-heading">{d.shop.name}</h2>
        <dl className="summary">
          <div>
            <dt>Service</dt>
            <dd>{`${d.service} (${d.duration})`}</dd>
          </div>
          <div>
            <dt>Barber</dt>
            <dd>{d.barber}</dd>
          </div>
          <div>
            <dt>When</dt>
            <dd>{d.when}</dd>
          </div>
          {d.address ? (
            <div>
              <dt>Where</dt>
              <dd>{d.address}</dd>
            </div>
          ) : null}
          <div>
            <dt>Price</dt>
            <dd>{d.price}</dd>
          </div>
          {d.paid ? (
            <div>
              <dt>Paid</dt>
              <dd>{d.paid}</dd>
            </div>
          ) : null}
          <div>
            <dt>Status</dt>
            <dd>{d.statusText}</dd>
          </div>
        </dl>
      </section>
      {d.lapsed ? (
        <p>
          The time was released because it was not paid in time; nothing was charged.{' '}
          <Link to={d.againPath}>Pick a time again</Link>
        </p>
      ) : null}
      {d.status === 'held' && !d.paying ? (
        <p>
          <Link to={`${base}/pay/${d.id}`} className="button primary">
            Go to payment
          </Link>
        </p>
      ) : null}
      <ul className="actions-list">
        {d.status === 'confirmed' ? (
          <li>
            <a href={`${base}/booked/${d.id}/calendar.ics`} download="appointment.ics" className="button">
              Add to calendar
            </a>
          </li>
        ) : null}
        <li>
          <Link to="/account/appointments">My appointments</Link>
        </li>
        <li>
          <Link to={base}>{`Back to ${d.shop.name}`}</Link>
        </li>
      </ul>
    </div>
  );
}

export const ErrorBoundary = BookingErrorBoundary;
