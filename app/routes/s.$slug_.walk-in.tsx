import type { ActionFunctionArgs, HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from '@remix-run/react';
import { BookingErrorBoundary } from '../components/BookingErrorBoundary';
import { useBrowserZone, useHydrated } from '../components/hydrated';
import { PendingButton } from '../components/PendingButton';
import { isFailure, useAutoRefresh, WalkInPersonFields } from '../components/walk-in-fields';
import css from '../styles/walk-ins.css?url';
import { joinPageAction, loadJoinPage } from './s.$slug_.walk-in.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Walk in at ${data.shop.name} — BookedBarber` : 'Walk in — BookedBarber' },
  { name: 'robots', content: 'noindex' },
];

export const headers: HeadersFunction = ({ loaderHeaders, actionHeaders }) => {
  const merged = new Headers(loaderHeaders);
  actionHeaders.forEach((v, k) => merged.set(k, v));
  merged.set('Cache-Control', 'private, no-store');
  return merged;
};

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadJoinPage(context.services, request, params.slug);
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  return joinPageAction(context.services, request, params.slug);
}

/** How often the estimate is asked for again while the page is open. */
const REFRESH_MS = 30_000;

export default function WalkInJoin() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = isFailure(result) ? result : null;
  const hydrated = useHydrated();
  const browserZone = useBrowserZone();
  const submit = useSubmit();
  const navigation = useNavigation();
  const revalidator = useAutoRefresh(REFRESH_MS, d.service !== null);
  const refreshing = revalidator.state === 'loading' || (navigation.state === 'loading' && navigation.formMethod === 'GET');
  const zoneNote = browserZone && browserZone !== d.shop.timezone ? ` (${d.shop.zoneName})` : '';
  const base = `/s/${d.shop.slug}`;
  const refresh = `${base}/walk-in?${new URLSearchParams(d.service ? { service: d.service.id, barber: d.barber } : {})}`;

  return (
    <div className="walk-in" data-hydrated={hydrated ? 'true' : 'false'}>
      <p className="crumbs">
        <Link to={base}>{d.shop.name}</Link>
      </p>
      <h1>Walk in at {d.shop.name}</h1>
      <p className="lead">Join the queue from here: we keep your place and text you when you’re next.</p>

      {d.services.length === 0 ? (
        <p>This shop has no services to offer yet.</p>
      ) : (
        <Form method="get" replace preventScrollReset className="stack walk-in-choose" aria-label="Service and barber">
          <label>
            <span>Service</span>
            <select name="service" defaultValue={d.service?.id ?? ''} key={`s-${d.service?.id ?? ''}`} onChange={(e) => submit(e.currentTarget.form, { replace: true, preventScrollReset: true })}>
              {d.service ? null : <option value="">Choose a service</option>}
              {d.services.map((s) => (
                <option key={s.id} value={s.id}>{`${s.name} · ${s.price} · ${s.duration}`}</option>
              ))}
            </select>
          </label>
          {d.service && d.barbers.length > 0 ? (
            <label>
              <span>Barber</span>
              <select name="barber" defaultValue={d.barber} key={`b-${d.service.id}-${d.barber}`} onChange={(e) => submit(e.currentTarget.form, { replace: true, preventScrollReset: true })}>
                <option value="any">Whoever is free first</option>
                {d.barbers.map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.name}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {/* With JavaScript a change asks again by itself; without, this button does. */}
          {hydrated ? null : <button type="submit">Show the wait</button>}
        </Form>
      )}

      {d.service ? (
        <section className="walk-in-estimate card" aria-labelledby="estimate-heading" aria-busy={refreshing}>
          <h2 id="estimate-heading">Your wait now</h2>
          <div aria-live="polite">
            {d.quote ? (
              <p className="walk-in-wait">
                <strong>{d.quote.wait}</strong>
                <span>{` — with ${d.quote.barber}, around ${d.quote.time}${zoneNote}`}</span>
              </p>
            ) : (
              <p role="alert">{d.problem}</p>
            )}
          </div>
          <p className="muted hint">
            {hydrated ? 'This updates by itself every 30 seconds.' : null}{' '}
            {hydrated ? null : <a href={refresh}>Refresh the estimate</a>}
          </p>
        </section>
      ) : null}

      {d.service && d.quote ? (
        <Form method="post" className="stack walk-in-join" aria-labelledby="join-heading" noValidate>
          <h2 id="join-heading">Join the queue</h2>
          <input type="hidden" name="service" value={d.service.id} />
          <input type="hidden" name="barber" value={d.barber} />
          {failure ? (
            <p role="alert" className="error-text">
              {failure.text}
              {failure.fields.service ? ` ${failure.fields.service}` : ''}
            </p>
          ) : null}
          <WalkInPersonFields failure={failure} idPrefix="join" />
          <PendingButton pending="Joining…">Join the queue</PendingButton>
        </Form>
      ) : null}
    </div>
  );
}

export const ErrorBoundary = BookingErrorBoundary;
