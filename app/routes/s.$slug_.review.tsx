import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useLoaderData, useLocation } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { BookingErrorBoundary } from '../components/BookingErrorBoundary';
import { useFocusOnChange, useHydrated } from '../components/hydrated';
import { InlineAuth } from '../components/InlineAuth';
import { PendingButton } from '../components/PendingButton';
import { SlotPicker } from '../components/SlotPicker';
import { loadReview, reviewAction, type ReviewActionData } from './s.$slug_.review.server';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Review your booking at ${data.shop.name} — BookedBarber` : 'Review — BookedBarber' },
  { name: 'robots', content: 'noindex' },
];

export const headers: HeadersFunction = ({ loaderHeaders, actionHeaders }) => (actionHeaders.has('Cache-Control') ? actionHeaders : loaderHeaders);

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadReview(context.services, request, params.slug);
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  return reviewAction(context.services, request, params.slug);
}

export default function Review() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<ReviewActionData>();
  const hydrated = useHydrated();
  const { search, pathname } = useLocation();
  const alertRef = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Signing in replaces the form the visitor was in: bring focus to the review they came for.
  useFocusOnChange(heading, d.signedIn ? 'in' : 'out');
  const conflict = result && 'conflict' in result ? result.conflict : null;
  const error = result && 'error' in result ? result.error : null;
  const auth = result && 'auth' in result ? result.auth : null;
  // A conflict replaces the slot under the visitor's focus: move focus to the message.
  useEffect(() => {
    if (conflict || error) alertRef.current?.focus();
  }, [conflict, error]);
  const q = new URLSearchParams(search);
  const back = new URLSearchParams({ service: d.serviceId, barber: d.barberId, day: d.day });
  for (const k of ['reschedule', 'tz']) if (q.get(k)) back.set(k, q.get(k)!);
  const base = `/s/${d.shop.slug}`;
  const isReschedule = d.reschedule !== null;

  return (
    <div className="booking" data-hydrated={hydrated ? 'true' : 'false'}>
      <p className="crumbs">
        <Link to={base}>{d.shop.name}</Link>
      </p>
      <h1 ref={heading} tabIndex={-1}>
        {isReschedule ? 'Review the new time' : 'Review your booking'}
      </h1>
      <section className="card" aria-labelledby="summary-heading">
        <h2 id="summary-heading">{d.shop.name}</h2>
        <dl className="summary">
          <div>
            <dt>Service</dt>
            <dd>{d.service}</dd>
          </div>
          <div>
            <dt>Barber</dt>
            <dd>{d.barber}</dd>
          </div>
          {d.reschedule?.from ? (
            <div>
              <dt>Current time</dt>
              <dd>{d.reschedule.from}</dd>
            </div>
          ) : null}
          <div>
            <dt>{isReschedule ? 'New time' : 'When'}</dt>
            <dd>
              {d.when}
              <span className="muted hint">{d.shop.zoneText}</span>
            </dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>{d.duration}</dd>
          </div>
          <div>
            <dt>Price</dt>
            <dd>
              {d.price}
              {d.priceNote ? <span className="muted hint">{d.priceNote}</span> : null}
            </dd>
          </div>
          {!isReschedule ? (
            <div>
              <dt>Due now</dt>
              <dd>{d.deposit}</dd>
            </div>
          ) : null}
        </dl>
        <p>
          <Link to={`${base}/book?${back}`}>Choose another time</Link>
        </p>
      </section>

      <section aria-labelledby="policy-heading">
        <h2 id="policy-heading">Cancellation policy</h2>
        <ul className="policy">
          {d.policy.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </section>

      <div ref={alertRef} tabIndex={-1} className="alerts">
        {conflict ? (
          <p role="alert" className="notice">
            {conflict.message}
          </p>
        ) : null}
        {error ? (
          <p role="alert" className="notice">
            {error}
          </p>
        ) : null}
      </div>
      {conflict ? (
        <SlotPicker
          action={`${base}/review`}
          heading="Pick another time"
          dayLabel={conflict.dayLabel}
          slots={conflict.slots}
          fields={{ service: d.serviceId, barber: d.barberId, reschedule: d.reschedule?.id, tz: q.get('tz') }}
          zoneNote={conflict.zoneNote}
          emptyText="No times are left that day."
        />
      ) : null}

      {!d.signedIn ? (
        <InlineAuth feedback={auth} purpose="to book" />
      ) : isReschedule ? (
        d.reschedule?.blocked ? (
          <p className="notice">
            {`Your appointment is less than ${d.reschedule.windowHours} hours away, so it cannot be moved online. Please call the shop.`}
          </p>
        ) : conflict ? null : (
          <Form method="post" action={`${pathname}${search}`} className="actions">
            <p>Moving your appointment is free: there is no fee for rescheduling outside the cancellation window.</p>
            <PendingButton name="intent" value="reschedule" pending="Moving your appointment…">
              Confirm new time
            </PendingButton>
          </Form>
        )
      ) : conflict ? null : (
        <Form method="post" action={`${pathname}${search}`} className="actions">
          <PendingButton name="intent" value="book" pending={d.depositDue ? 'Holding your time…' : 'Booking…'}>
            {d.depositDue ? 'Continue to payment' : 'Confirm booking'}
          </PendingButton>
        </Form>
      )}
    </div>
  );
}

export const ErrorBoundary = BookingErrorBoundary;
