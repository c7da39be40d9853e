import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useFetcher, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useRef, useState } from 'react';
import { useHydrated } from '../components/hydrated';
import { MoneyProblem } from '../components/money-problem';
import css from '../styles/manage-money.css?url';
import { privateHeaders } from './account.server';
import { loadClients, type ClientsPage } from './manage.$shopId.clients._index.server';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Clients — ${data.page.shopName} — BookedBarber` : 'Clients — BookedBarber' },
];

export const links = () => [{ rel: 'stylesheet', href: css }];

export const headers = privateHeaders;

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadClients(context.services, request, params.shopId);
}

const DEBOUNCE_MS = 250;

function Results({ page, busy }: { page: ClientsPage; busy: boolean }) {
  return (
    <div className="money-search-results" aria-live="polite" aria-busy={busy}>
      <p id="client-search-summary">{busy ? 'Searching…' : page.summary}</p>
      {page.hits.length > 0 ? (
        <ul className="money-results" aria-labelledby="client-search-summary">
          {page.hits.map((h) => (
            <li key={h.id}>
              <Link to={`/manage/${page.shopId}/clients/${h.id}`}>{h.name}</Link>
              <div className="muted">
                {[h.email, h.phone].filter(Boolean).join(' · ') || 'No e-mail or phone on file'}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/**
 * Client search: a plain GET form (?q=) that works without JavaScript; with it, results follow
 * the typing (debounced) through a fetcher, announced by the live region.
 */
export default function Clients() {
  const { page, problem, status } = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  const fetcher = useFetcher<typeof loader>();
  const navigating = useNavigation().state === 'loading';
  const [q, setQ] = useState(page?.q ?? '');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => (timer.current ? clearTimeout(timer.current) : undefined), []);
  if (!page) return <MoneyProblem title="Clients" problem={problem ?? ''} status={status} hydrated={hydrated} />;
  const live = fetcher.data?.page && fetcher.data.page.q === q.trim() ? fetcher.data.page : null;
  const shown = live ?? (q.trim() === page.q ? page : null);
  const typed = (value: string) => {
    setQ(value);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      fetcher.load(`/manage/${page.shopId}/clients?index&${new URLSearchParams({ q: value.trim() })}`);
    }, DEBOUNCE_MS);
  };
  return (
    <section className="money-page narrow" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Clients</h1>
      <Form method="get" role="search" className="money-filters">
        <label htmlFor="client-q">Search clients</label>
        <input
          id="client-q"
          type="search"
          name="q"
          value={q}
          maxLength={100}
          autoComplete="off"
          aria-describedby="client-search-summary"
          onChange={(e) => typed(e.currentTarget.value)}
        />
        <button type="submit" disabled={navigating}>
          {navigating ? 'Searching…' : 'Search'}
        </button>
      </Form>
      {shown ? <Results page={shown} busy={fetcher.state === 'loading' || navigating} /> : <Results page={{ ...page, hits: [], summary: '' }} busy />}
    </section>
  );
}
