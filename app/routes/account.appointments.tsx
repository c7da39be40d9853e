import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Link, useLoaderData } from '@remix-run/react';
import { privateHeaders } from './account.server';
import { loadMyAppointments, type ListedAppointment } from './account.appointments.server';

export const meta: MetaFunction = () => [{ title: 'My appointments — BookedBarber' }];

export const headers = privateHeaders;

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadMyAppointments(context.services, request);
}

function Appointment({ a }: { a: ListedAppointment }) {
  return (
    <li className="appointment">
      <article aria-labelledby={`appt-${a.id}`}>
        <h3 id={`appt-${a.id}`}>{`${a.service} at ${a.shopName}`}</h3>
        <dl className="facts">
          <dt>When</dt>
          <dd>
            <time dateTime={a.startIso}>{a.when}</time>
          </dd>
          <dt>Barber</dt>
          <dd>{a.barber}</dd>
          <dt>Status</dt>
          <dd>{a.status}</dd>
          <dt>Price</dt>
          <dd>{a.price}</dd>
          {a.money.length > 0 ? (
            <>
              <dt>Payments</dt>
              <dd>{a.money.join(' · ')}</dd>
            </>
          ) : null}
        </dl>
        <p className="actions">
          {a.reschedulePath ? <Link to={a.reschedulePath}>Reschedule</Link> : null}
          {a.cancelPath ? <Link to={a.cancelPath}>Cancel</Link> : null}
          <Link to={a.shopPath}>{a.reschedulePath || a.cancelPath ? 'Shop page' : 'Book again'}</Link>
        </p>
      </article>
    </li>
  );
}

export default function MyAppointments() {
  const { upcoming, past } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>My appointments</h1>
      <h2>Upcoming</h2>
      {upcoming.length === 0 ? (
        <p className="muted">
          Nothing booked. <Link to="/">Find a shop</Link>
        </p>
      ) : (
        <ul className="appointments" aria-label="Upcoming appointments">
          {upcoming.map((a) => (
            <Appointment key={a.id} a={a} />
          ))}
        </ul>
      )}
      <h2>Past</h2>
      {past.length === 0 ? (
        <p className="muted">No past appointments yet.</p>
      ) : (
        <ul className="appointments" aria-label="Past appointments">
          {past.map((a) => (
            <Appointment key={a.id} a={a} />
          ))}
        </ul>
      )}
    </section>
  );
}
