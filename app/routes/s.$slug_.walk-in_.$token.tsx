import type { ActionFunctionArgs, HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useLoaderData, useLocation } from '@remix-run/react';
import { BookingErrorBoundary } from '../components/BookingErrorBoundary';
import { useBrowserZone, useHydrated } from '../components/hydrated';
import { PendingButton } from '../components/PendingButton';
import { useAutoRefresh } from '../components/walk-in-fields';
import css from '../styles/walk-ins.css?url';
import { loadTicket, ticketAction } from './s.$slug_.walk-in_.$token.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${data.ticket.headline} — ${data.shop.name} — BookedBarber` : 'Your place in the queue — BookedBarber' },
  { name: 'robots', content: 'noindex' },
  { name: 'referrer', content: 'no-referrer' },
];

export const headers: HeadersFunction = ({ loaderHeaders }) => {
  const h = new Headers(loaderHeaders);
  h.set('Cache-Control', 'private, no-store');
  h.set('Referrer-Policy', 'no-referrer');
  return h;
};

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadTicket(context.services, request, params.slug, params.token);
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  return ticketAction(context.services, request, params.slug, params.token);
}

const REFRESH_MS = 30_000;

export default function WalkInTicketPage() {
  const d = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const hydrated = useHydrated();
  const browserZone = useBrowserZone();
  const { pathname } = useLocation();
  useAutoRefresh(REFRESH_MS, d.ticket.open || d.ticket.status === 'in_chair');
  const t = d.ticket;
  const zoneNote = browserZone && browserZone !== d.shop.timezone ? ` (${d.shop.zoneName})` : '';
  return (
    <div className="walk-in walk-in-ticket" data-hydrated={hydrated ? 'true' : 'false'}>
      <p className="crumbs">
        <Link to={`/s/${d.shop.slug}`}>{d.shop.name}</Link>
      </p>
      <section aria-labelledby="ticket-heading" className="card walk-in-status">
        <div aria-live="polite">
          <h1 id="ticket-heading">{t.headline}</h1>
          {t.open ? (
            <>
              <p className="walk-in-position">
                <span className="walk-in-position-number" aria-hidden="true">
                  {t.position}
                </span>
                <span className="sr-only">{`Position ${t.position} in the queue.`}</span>
              </p>
              <p className="walk-in-wait">
                <strong>{t.wait}</strong>
                <span>{` — with ${t.barber}, around ${t.time}${zoneNote}`}</span>
              </p>
              <dl className="walk-in-facts">
                <dt>Service</dt>
                <dd>{t.service}</dd>
                <dt>Barber</dt>
                <dd>{t.barber}</dd>
                <dt>Estimated start</dt>
                <dd>{`${t.time}${zoneNote}`}</dd>
              </dl>
              <p>We’ll send you a text message when you’re next, so you can wait nearby.</p>
            </>
          ) : t.status === 'in_chair' ? (
            <p>{`${t.barber} is taking care of you.`}</p>
          ) : t.status === 'left' ? (
            <p>
              Your place has been given up. <Link to={`/s/${d.shop.slug}/walk-in`}>Join again</Link> if you change your mind.
            </p>
          ) : (
            <p>
              <Link to={`/s/${d.shop.slug}/book`}>Book your next visit</Link>
            </p>
          )}
        </div>
        {t.open || t.status === 'in_chair' ? (
          <p className="muted hint">
            {hydrated ? 'This page updates itself every 30 seconds. ' : null}
            <a href={pathname}>Refresh</a>
          </p>
        ) : null}
      </section>

      {refused && !refused.ok ? (
        <p role="alert" className="error-text">
          {refused.text}
        </p>
      ) : null}

      {t.open ? (
        d.confirmLeave ? (
          <Form method="post" className="card walk-in-leave" aria-labelledby="leave-heading">
            <h2 id="leave-heading">Leave the queue?</h2>
            <p>Your place goes to the next person. You can join again, but at the back of the queue.</p>
            <div className="walk-in-buttons">
              <PendingButton name="intent" value="leave" pending="Leaving…" className="danger">
                Yes, leave the queue
              </PendingButton>
              <Link to={pathname} replace className="button">
                No, keep my place
              </Link>
            </div>
          </Form>
        ) : (
          <p>
            <Link to={`${pathname}?leave=confirm`} className="button">
              Leave the queue
            </Link>
          </p>
        )
      ) : null}
    </div>
  );
}

export const ErrorBoundary = BookingErrorBoundary;
