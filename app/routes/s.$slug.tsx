import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { isRouteErrorResponse, Link, useLoaderData, useRouteError } from '@remix-run/react';
import { loadShop, type OfferingView } from './s.$slug.server';

export const meta: MetaFunction<typeof loader> = ({ data, error }) => {
  if (data) {
    return [
      { title: `${data.shop.name} — BookedBarber` },
      { name: 'description', content: `Barbers and services at ${data.shop.name}.` },
    ];
  }
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return [{ title: notFound ? 'Shop not found — BookedBarber' : 'Something went wrong — BookedBarber' }];
};

export const headers: HeadersFunction = ({ loaderHeaders }) => loaderHeaders;

export async function loader({ context, params }: LoaderFunctionArgs) {
  return loadShop(context.services, params.slug);
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
  return (
    <article className="shop">
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
      <p className="muted">{`Times at this shop are in its time zone, ${shop.timezone}.`}</p>

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
              </li>
            ))}
          </ul>
        )}
      </section>

      {shop.services.length > 0 ? (
        <section aria-labelledby="services-heading">
          <h2 id="services-heading">Services</h2>
          <p className="muted">The shop&rsquo;s standard prices; a barber may charge their own, shown above.</p>
          <dl className="services">
            {shop.services.map((s) => (
              <div key={s.id}>
                <dt>{s.name}</dt>
                <dd>
                  {`${s.price} · ${s.duration}`}
                  {s.description ? <span className="muted service-description">{s.description}</span> : null}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      ) : null}

      <section aria-labelledby="booking-heading">
        <h2 id="booking-heading">Booking</h2>
        <p>
          Online booking from this page is not available yet. Apps book through the BookedBarber API: a
          barber&rsquo;s free times are at <code>{'/api/v1/barbers/{id}/availability'}</code>.
        </p>
      </section>
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
