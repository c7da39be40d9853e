import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Link, useLoaderData } from '@remix-run/react';
import { useEffect, useState } from 'react';
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
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  return (
    <div data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Find your barber</h1>
      <form method="get" role="search">
        <input type="search" name="q" defaultValue={q} placeholder="Shop name" aria-label="Shop name" />{' '}
        <button type="submit">Search</button>
      </form>
      {shops.length === 0 ? (
        <p className="muted">No shops found.</p>
      ) : (
        <ul className="shops">
          {shops.map((shop) => (
            <li key={shop.id}>
              <Link to={`/s/${shop.slug}`}>
                <strong>{shop.name}</strong>
              </Link>{' '}
              <span className="muted">{shop.timezone}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
