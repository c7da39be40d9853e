import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { isRouteErrorResponse, Link, useLoaderData, useRouteError } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { WeekHours } from '../components/WeekHours';
import { loadShop, type OfferingView } from './s.$slug.server';

export const meta: MetaFunction<typeof loader> = ({ data, error }) => {
  if (data) {
    return [
      { title: `${data.shop.name} — BookedBarber` },
      { name: 'description', content: `Barbers, services and prices at ${data.shop.name}. Book a time that is really free.` },
    ];
  }
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return [{ title: notFound ? 'Shop not found — BookedBarber' : 'Something went wrong — BookedBarber' }];
};

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  return loadShop(context.services, params.slug, request);
}

function Offerings({ barber, services }: { barber: string; services: OfferingView[] }) {
  if (services.length === 0) return <p className="muted">No services listed yet.</p>;
  return (
    <table className="offerings">
      <caption>{`Services by ${barber}`}</caption>
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Price</th>
          <th scope="col">Duration</th>
        </tr>
      </thead>
      <tbody>
        {services.map((s) => (
          <tr key={s.id}>
            <th scope="row">{s.name}</th>
            <td>{s.price}</td>
            <td>{s.duration}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default function Shop() {
  const { shop } = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  const book = `/s/${shop.slug}/book`;
  return (
    <article className="shop" data-hydrated={hydrated ? 'true' : 'false'}>
      <header className="shop-head">
        <h1>{shop.name}</h1>
        {shop.address ? (
          <address>
            {shop.address.map((line, i) => (
              <span key={i} className="address-line">
                {line}
              </span>
            ))}
          </address>
        ) : null}
        <p className="muted">{`Times at this shop are in its time zone, ${shop.zoneName} (${shop.timezone}).`}</p>
        {shop.services.length > 0 && shop.barbers.length > 0 ? (
          <p>
            <Link to={book} className="button primary">
              Book an appointment
            </Link>
          </p>
        ) : null}
      </header>

      <section aria-labelledby="hours-heading">
        <h2 id="hours-heading">Opening hours this week</h2>
        <WeekHours week={shop.week} label="Opening hours this week" />
      </section>

      {shop.services.length > 0 ? (
        <section aria-labelledby="services-heading">
          <h2 id="services-heading">Services</h2>
          <p className="muted">The shop&rsquo;s standard prices; a barber may charge their own, shown with each barber.</p>
          <ul className="choices">
            {shop.services.map((s) => (
              <li key={s.id} className="service-item">
                <div>
                  <h3>{s.name}</h3>
                  <p className="muted">{`${s.price} · ${s.duration}`}</p>
                  {s.description ? <p className="service-description">{s.description}</p> : null}
                </div>
                {shop.barbers.length > 0 ? (
                  <Link to={`${book}?service=${s.id}`} className="button" aria-label={`Book ${s.name}`}>
                    Book
                  </Link>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="barbers-heading">
        <h2 id="barbers-heading">Barbers</h2>
        {shop.barbers.length === 0 ? (
          <p>No barbers are taking bookings here right now.</p>
        ) : (
          <ul className="barbers">
            {shop.barbers.map((b) => (
              <li key={b.id}>
                <h3>{b.name}</h3>
                {b.bio ? <p>{b.bio}</p> : null}
                <Offerings barber={b.name} services={b.services} />
                <p className="barber-links">
                  <Link to={`/s/${shop.slug}/barbers/${b.id}`}>{`About ${b.name}`}</Link>
                  {b.services.length > 0 ? (
                    <>
                      {' · '}
                      <Link to={`${book}?barber=${b.id}`}>{`Book with ${b.name}`}</Link>
                    </>
                  ) : null}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <footer className="muted hint app-note">
        Booking from your own app? Free times are at <code>{'/api/v1/barbers/{id}/availability'}</code> in the BookedBarber API.
      </footer>
    </article>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <section className="error">
        <h1>Shop not found</h1>
        <p>We couldn&rsquo;t find a shop at this address. It may have changed its link or stopped taking bookings.</p>
        <p>
          <Link to="/">Find a shop</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="error">
      <h1>Something went wrong</h1>
      <p>We couldn&rsquo;t load this shop. Please try again in a moment.</p>
    </section>
  );
}
