import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { loadHome } from './_index.server';

export const meta: MetaFunction = () => [
  { title: 'BookedBarber — book your next cut' },
  { name: 'description', content: 'Find a barbershop, pick a barber and book a time that is really free.' },
];

export async function loader({ context, request }: LoaderFunctionArgs) {
  const q = new URL(request.url).searchParams.get('q')?.slice(0, 100) ?? '';
  return loadHome(context.services, q);
}

export default function Index() {
  const { shops, q } = useLoaderData<typeof loader>();
  // Marks the page once React has hydrated; browser tests wait for it.
  const hydrated = useHydrated();
  const searching = useNavigation().state === 'loading';

  return (
    <div data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Find your barber</h1>
      <p className="lead">Pick a shop, a barber and a time that is really free — booked in under a minute.</p>
      <Form method="get" role="search" className="search">
        <label htmlFor="shop-search" className="sr-only">
          Shop name
        </label>
        <input id="shop-search" type="search" name="q" defaultValue={q} placeholder="Shop name" aria-label="Shop name" />
        <button type="submit" className="primary" disabled={searching}>
          {searching ? 'Searching…' : 'Search'}
        </button>
      </Form>
      <section aria-labelledby="results-heading" aria-live="polite">
        <h2 id="results-heading" className={q ? undefined : 'sr-only'}>
          {q ? `Shops matching “${q}”` : 'Shops'}
        </h2>
        {shops.length === 0 ? (
          <p className="muted">No shops found.</p>
        ) : (
          <ul className="shops">
            {shops.map((shop) => (
              <li key={shop.id}>
                <Link to={`/s/${shop.slug}`}>
                  <strong>{shop.name}</strong>
                </Link>{' '}
                <span className="muted">{shop.timezone.replace(/_/g, ' ')}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
