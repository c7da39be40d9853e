import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Link, useActionData, useLoaderData, useLocation } from '@remix-run/react';
import { DayPicker } from '../components/DayPicker';
import { useRef } from 'react';
import { useBrowserZone, useFocusOnChange, useHydrated } from '../components/hydrated';
import { InlineAuth } from '../components/InlineAuth';
import { SlotPicker } from '../components/SlotPicker';
import { WaitlistJoin } from '../components/WaitlistJoin';
import { BookingErrorBoundary } from '../components/BookingErrorBoundary';
import { formatTime, formatZoneName } from '../lib/format';
import type { AuthResult } from './s.$slug.booking.server';
import { bookingPageAction, loadBookingPage } from './s.$slug_.book.server';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.reschedule ? 'Reschedule' : 'Book'} at ${data.shop.name} — BookedBarber` : 'Book — BookedBarber' },
  { name: 'robots', content: 'noindex' },
];

export const headers: HeadersFunction = ({ loaderHeaders, actionHeaders }) => (actionHeaders.has('Set-Cookie') ? actionHeaders : loaderHeaders);

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadBookingPage(context.services, request, params.slug);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return bookingPageAction(context.services, request);
}

export default function Book() {
  const d = useLoaderData<typeof loader>();
  const auth = useActionData<AuthResult>();
  const hydrated = useHydrated();
  const browserZone = useBrowserZone();
  const { search } = useLocation();
  const barberHeading = useRef<HTMLHeadingElement>(null);
  const dayHeading = useRef<HTMLHeadingElement>(null);
  const serviceHeading = useRef<HTMLHeadingElement>(null);
  const step = d.service ? (d.barber ? 'day' : 'barber') : 'service';
  useFocusOnChange(step === 'day' ? dayHeading : step === 'barber' ? barberHeading : serviceHeading, step);
  const base = `/s/${d.shop.slug}`;
  const path = `${base}/book`;
  const keep = (extra: Record<string, string | null>) => {
    const p = new URLSearchParams();
    const current = new URLSearchParams(search);
    for (const k of ['reschedule', 'tz']) {
      const v = current.get(k);
      if (v) p.set(k, v);
    }
    for (const [k, v] of Object.entries(extra)) if (v) p.set(k, v);
    return `${path}?${p}`;
  };
  const tz = new URLSearchParams(search).get('tz') ?? (browserZone && browserZone !== d.shop.timezone ? browserZone : null);
  const cal = d.calendar;
  // Before the server knows the visitor's zone (first load), the browser fills in its clock.
  const slots =
    cal?.selected?.slots.map((s) => ({
      ...s,
      local: s.local ?? (browserZone && browserZone !== d.shop.timezone ? formatTime(s.start, browserZone, d.locale) : null),
    })) ?? [];
  const zoneName = cal?.clientZone ?? (browserZone && browserZone !== d.shop.timezone ? formatZoneName(browserZone, d.locale) : null);
  const zoneNote = `Times are in the shop's time zone, ${d.shop.zoneText}.${zoneName ? ` Your own time (${zoneName}) is shown beside each.` : ''}`;

  return (
    <div className="booking" data-hydrated={hydrated ? 'true' : 'false'}>
      <p className="crumbs">
        <Link to={base}>{d.shop.name}</Link>
      </p>
      <h1>{d.reschedule || d.needsSignIn ? 'Reschedule your appointment' : `Book at ${d.shop.name}`}</h1>
      {d.notice === 'expired' ? (
        <p className="notice" role="status">
          Your hold on that time ran out before payment, so it was released. Pick a time again.
        </p>
      ) : null}
      {d.needsSignIn ? (
        <InlineAuth feedback={auth?.auth} purpose="to reschedule" />
      ) : (
        <>
          {d.reschedule ? (
            <p className="card">
              {`Your ${d.reschedule.service} with ${d.reschedule.barber} is on ${d.reschedule.when}. Choose a new time below; your current time is kept until you confirm.`}
            </p>
          ) : null}
          <ol className="steps">
            <li>
              <section aria-labelledby="service-heading">
                <h2 id="service-heading" ref={serviceHeading} tabIndex={-1}>1. Choose a service</h2>
                {d.reschedule ? (
                  <p>{d.reschedule.service}</p>
                ) : d.service ? (
                  <p className="chosen">
                    <span>{`${d.service.name} · ${d.service.price} · ${d.service.duration}`}</span>{' '}
                    <Link to={keep({})} aria-label="Change service">
                      Change
                    </Link>
                  </p>
                ) : d.services.length === 0 ? (
                  <p>This shop has no services to book yet.</p>
                ) : (
                  <ul className="choices">
                    {d.services.map((s) => (
                      <li key={s.id}>
                        <Link to={keep({ service: s.id, barber: new URLSearchParams(search).get('barber') })} className="choice">
                          <strong>{s.name}</strong>
                          <span className="muted">{`${s.price} · ${s.duration}`}</span>
                          {s.description ? <span className="muted hint">{s.description}</span> : null}
                        </Link>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            </li>
            {d.service ? (
              <li>
                <section aria-labelledby="barber-heading">
                  <h2 id="barber-heading" ref={barberHeading} tabIndex={-1}>2. Choose a barber</h2>
                  {d.reschedule ? (
                    <p>{d.reschedule.barber}</p>
                  ) : d.barber ? (
                    <p className="chosen">
                      <span>{d.barber.name}</span>{' '}
                      <Link to={keep({ service: d.service.id })} aria-label="Change barber">
                        Change
                      </Link>
                    </p>
                  ) : d.barbers.length === 0 ? (
                    <p>No barber offers this service right now.</p>
                  ) : (
                    <ul className="choices">
                      {d.barbers.length > 1 ? (
                        <li>
                          <Link to={keep({ service: d.service.id, barber: 'any' })} className="choice">
                            <strong>Any barber</strong>
                            <span className="muted">The first one free at the time you pick</span>
                          </Link>
                        </li>
                      ) : null}
                      {d.barbers.map((b) => (
                        <li key={b.id}>
                          <Link to={keep({ service: d.service!.id, barber: b.id })} className="choice">
                            <strong>{b.name}</strong>
                            <span className="muted">{`${b.price} · ${b.duration}`}</span>
                          </Link>
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
              </li>
            ) : null}
            {d.service && d.barber && cal ? (
              <>
                <li>
                  <section aria-labelledby="day-heading">
                    <h2 id="day-heading" ref={dayHeading} tabIndex={-1}>3. Choose a day</h2>
                    <DayPicker
                      action={path}
                      days={cal.days}
                      selected={cal.selected?.date ?? null}
                      fields={{ service: d.service.id, barber: d.barber.id, from: cal.from, reschedule: d.reschedule?.id, tz }}
                      earlier={cal.prevFrom}
                      later={cal.nextFrom}
                    />
                  </section>
                </li>
                <li>
                  <SlotPicker
                    action={`${base}/review`}
                    heading="4. Choose a time"
                    dayLabel={cal.selected?.label ?? null}
                    slots={slots}
                    fields={{ service: d.service.id, barber: d.barber.id, reschedule: d.reschedule?.id, tz }}
                    zoneNote={zoneNote}
                    emptyText={
                      cal.days.some((x) => x.open)
                        ? 'Pick a day to see its times.'
                        : 'No openings in these two weeks. Try later dates.'
                    }
                  />
                </li>
                <li>
                  <WaitlistJoin
                    shopId={d.shop.id}
                    serviceId={d.service.id}
                    barberId={d.barber.id}
                    days={cal.days}
                    returnTo={`${path}${search}`}
                    joined={new URLSearchParams(search).get('waitlist') === 'joined'}
                  />
                </li>
              </>
            ) : null}
          </ol>
        </>
      )}
    </div>
  );
}

export const ErrorBoundary = BookingErrorBoundary;
