import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Link, useLoaderData } from '@remix-run/react';
import { BookingErrorBoundary } from '../components/BookingErrorBoundary';
import { useHydrated } from '../components/hydrated';
import { WeekHours } from '../components/WeekHours';
import { loadBarber } from './s.$slug.server';

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data
    ? [
        { title: `${data.barber.name} at ${data.shop.name} — BookedBarber` },
        { name: 'description', content: data.barber.bio || `Book ${data.barber.name} at ${data.shop.name}.` },
      ]
    : [{ title: 'Barber not found — BookedBarber' }];

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  return loadBarber(context.services, params.slug, params.barberId, request);
}

export default function Barber() {
  const { shop, barber } = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  const book = `/s/${shop.slug}/book`;
  return (
    <article className="shop" data-hydrated={hydrated ? 'true' : 'false'}>
      <p className="crumbs">
        <Link to={`/s/${shop.slug}`}>{shop.name}</Link>
      </p>
      <h1>{barber.name}</h1>
      {barber.bio ? <p className="lead">{barber.bio}</p> : null}
      <section aria-labelledby="offers-heading">
        <h2 id="offers-heading">Services</h2>
        {barber.services.length === 0 ? (
          <p className="muted">No services listed yet.</p>
        ) : (
          <ul className="choices">
            {barber.services.map((s) => (
              <li key={s.id} className="service-item">
                <div>
                  <h3>{s.name}</h3>
                  <p className="muted">{`${s.price} · ${s.duration}`}</p>
                </div>
                <Link to={`${book}?service=${s.id}&barber=${barber.id}`} className="button" aria-label={`Book ${s.name} with ${barber.name}`}>
                  Book
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="barber-hours-heading">
        <h2 id="barber-hours-heading">Working hours this week</h2>
        <p className="muted hint">{`In the shop's time zone, ${shop.zoneName}.`}</p>
        <WeekHours week={barber.week} label={`${barber.name}'s working hours this week`} />
      </section>
    </article>
  );
}

export const ErrorBoundary = BookingErrorBoundary;
