import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Link, useLoaderData } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import css from '../styles/manage-money.css?url';
import { privateHeaders } from './account.server';
import { loadOwnedShops } from './manage._index.server';

export const meta: MetaFunction = () => [{ title: 'Your shops — BookedBarber' }];

export const links = () => [{ rel: 'stylesheet', href: css }];

export const headers = privateHeaders;

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadOwnedShops(context.services, request);
}

/** The shops the signed-in user runs (one shop goes straight to it). */
export default function ManageIndex() {
  const { shops, problem } = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  return (
    <section className="money-page narrow" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Run a shop</h1>
      {problem ? (
        <>
          <p role="alert">{problem}</p>
          <p>
            <Link to="/">Back to the home page</Link> · <Link to="/account">Your account</Link>
          </p>
        </>
      ) : (
        <ul className="shops">
          {shops.map((s) => (
            <li key={s.id}>
              <Link to={`/manage/${s.id}`}>{s.name}</Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
