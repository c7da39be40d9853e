import type { ActionFunctionArgs, HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useLoaderData, useNavigate } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { BookingErrorBoundary } from '../components/BookingErrorBoundary';
import { useHydrated } from '../components/hydrated';
import { PendingButton } from '../components/PendingButton';
import { isFailure, useAutoRefresh, WalkInPersonFields } from '../components/walk-in-fields';
import css from '../styles/walk-ins.css?url';
import { kioskAction, loadKiosk } from './s.$slug_.kiosk.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Walk in — ${data.shop.name}` : 'Walk in — BookedBarber' },
  { name: 'robots', content: 'noindex' },
];

export const headers: HeadersFunction = ({ loaderHeaders, actionHeaders }) => {
  const merged = new Headers(loaderHeaders);
  actionHeaders.forEach((v, k) => merged.set(k, v));
  merged.set('Cache-Control', 'private, no-store');
  return merged;
};

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadKiosk(context.services, request, params.slug);
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  return kioskAction(context.services, request, params.slug);
}

/** The confirmation stays this long, then the tablet is ready for the next person. */
const RESET_MS = 15_000;
const REFRESH_MS = 30_000;

export default function Kiosk() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const hydrated = useHydrated();
  const navigate = useNavigate();
  const start = `/s/${d.shop.slug}/kiosk`;
  const joined = result && result.ok === true ? result : null;
  const failure = isFailure(result) ? result : null;
  useAutoRefresh(REFRESH_MS, !joined && !d.service);
  const heading = useRef<HTMLHeadingElement>(null);
  const screen = joined ? 'done' : d.service ? 'form' : 'start';
  useEffect(() => {
    heading.current?.focus();
  }, [screen]);
  useEffect(() => {
    if (!joined) return;
    const t = setTimeout(() => navigate(start, { replace: true }), RESET_MS);
    return () => clearTimeout(t);
  }, [joined, navigate, start]);

  if (joined) {
    return (
      <div className="kiosk" data-hydrated={hydrated ? 'true' : 'false'}>
        <section className="kiosk-done" aria-live="polite" aria-labelledby="kiosk-heading">
          <h1 id="kiosk-heading" ref={heading} tabIndex={-1}>
            {`You’re in, ${joined.firstName}`}
          </h1>
          <p className="kiosk-wait">{joined.wait.minutes <= 0 ? `No wait — ${joined.wait.barber} can take you now` : `${joined.wait.wait} with ${joined.wait.barber}`}</p>
          <p>{`Around ${joined.wait.time}. We’ll text you when you’re next.`}</p>
          <p>
            <Link to={start} replace className="button primary kiosk-next">
              Next person
            </Link>
          </p>
          {hydrated ? <p className="muted">This screen goes back to the start in 15 seconds.</p> : null}
        </section>
      </div>
    );
  }

  if (d.service) {
    const s = d.service;
    return (
      <div className="kiosk" data-hydrated={hydrated ? 'true' : 'false'}>
        <p>
          <Link to={start} className="button kiosk-back">
            ‹ Back to services
          </Link>
        </p>
        <h1 id="kiosk-heading" ref={heading} tabIndex={-1}>
          {s.name}
        </h1>
        <p className="kiosk-wait">{s.quote ? s.quote.text : 'Nobody can fit this in today any more — please ask at the desk.'}</p>
        {s.quote ? (
          <Form method="post" className="kiosk-form" noValidate aria-labelledby="kiosk-heading">
            <input type="hidden" name="service" value={s.id} />
            <input type="hidden" name="barber" value="any" />
            {failure ? (
              <p role="alert" className="error-text">
                {failure.text}
              </p>
            ) : null}
            <WalkInPersonFields failure={failure} idPrefix="kiosk" big />
            <PendingButton pending="Adding you…" className="primary kiosk-submit">
              Join the queue
            </PendingButton>
          </Form>
        ) : null}
      </div>
    );
  }

  return (
    <div className="kiosk" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1 id="kiosk-heading" ref={heading} tabIndex={-1}>
        {`Welcome to ${d.shop.name}`}
      </h1>
      <p className="lead">Tap what you’d like today to join the queue.</p>
      {d.services.length === 0 ? <p>Please ask at the desk.</p> : null}
      <ul className="kiosk-services" aria-live="polite">
        {d.services.map((s) => (
          <li key={s.id}>
            <Link to={`${start}?service=${s.id}`} className="kiosk-service">
              <strong>{s.name}</strong>
              <span className="muted">{`${s.duration} · ${s.price}`}</span>
              <span className="kiosk-service-wait">{s.quote ? (s.quote.minutes <= 0 ? 'No wait' : `${s.quote.wait} wait`) : 'Full today'}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

export const ErrorBoundary = BookingErrorBoundary;
