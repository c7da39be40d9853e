import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useRef, useState } from 'react';
import { useHydrated } from '../components/hydrated';
import { PageProblem } from '../components/office-nav';
import css from '../styles/barber.css?url';
import { privateHeaders } from './account.server';
import { bookClient, loadBook, type ChosenClient } from './work.book.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Book a client — ${data.page.barberName} — BookedBarber` : 'Book a client — BookedBarber' },
];

export const headers = privateHeaders;

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadBook(context.services, request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return bookClient(context.services, request);
}

type Page = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>['page']>;

/** The choices made so far, carried by every step's form (each step is a plain GET). */
function Carry({ page, upTo }: { page: Page; upTo: 'client' | 'service' | 'day' }) {
  const c = page.client as ChosenClient | null;
  return (
    <>
      {page.own ? null : <input type="hidden" name="barber" value={page.barberId} />}
      {c?.kind === 'existing' ? <input type="hidden" name="client" value={c.id} /> : null}
      {c?.kind === 'new' ? (
        <>
          <input type="hidden" name="name" value={c.name} />
          {c.phone ? <input type="hidden" name="phone" value={c.phone} /> : null}
          {c.email ? <input type="hidden" name="email" value={c.email} /> : null}
        </>
      ) : null}
      {upTo !== 'client' && page.service ? <input type="hidden" name="service" value={page.service.id} /> : null}
      {upTo === 'day' && page.calendar?.selected ? <input type="hidden" name="day" value={page.calendar.selected.date} /> : null}
    </>
  );
}

function ClientSearch({ page }: { page: Page }) {
  const hydrated = useHydrated();
  const fetcher = useFetcher<typeof loader>();
  const [q, setQ] = useState(page.query);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const term = q.trim();
    if (term.length < 2) return;
    const t = setTimeout(() => {
      const params = new URLSearchParams({ ...(page.own ? {} : { barber: page.barberId }), q: term });
      fetcher.load(`/work/book?${params}`);
    }, 250);
    return () => clearTimeout(t);
    // fetcher.load is stable enough for a debounce; the term is what matters.
  }, [q]);
  const live = q.trim().length >= 2 ? (fetcher.data?.page?.results ?? (q.trim() === page.query ? page.results : null)) : null;
  const results = hydrated ? live : page.results;
  const searching = fetcher.state !== 'idle';
  return (
    <section aria-labelledby="find-heading" className="card">
      <h2 id="find-heading">An existing client</h2>
      <Form method="get" role="search" className="search-row barber-form">
        <Carry page={page} upTo="client" />
        <label htmlFor="q">
          Name or phone
          <input
            id="q"
            name="q"
            type="search"
            autoComplete="off"
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
            aria-describedby="q-status"
            aria-controls="client-results"
          />
        </label>
        <button type="submit">Search</button>
      </Form>
      <p id="q-status" role="status" className="muted">
        {searching ? 'Searching…' : results === null ? 'Type at least two letters of a name, or the last digits of a phone number.' : results.length === 0 ? 'No client of the shop matches.' : `${results.length} ${results.length === 1 ? 'client' : 'clients'} found`}
      </p>
      {results && results.length ? (
        <Form method="get">
          <Carry page={page} upTo="client" />
          <ul id="client-results" className="client-results" aria-label="Matching clients">
            {results.map((r) => (
              <li key={r.id}>
                <button type="submit" name="client" value={r.id}>
                  <strong>{r.name}</strong>
                  <span className="muted">
                    {r.phone} · {r.visits}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </Form>
      ) : null}
    </section>
  );
}

function NewClient({ page }: { page: Page }) {
  const errors = page.clientErrors;
  const err = (f: string) => errors.find((e) => e.field === f);
  const field = (id: string, name: string, label: string, type: string, autoComplete: string, hint?: string) => (
    <label htmlFor={id}>
      {label}
      {hint ? <span className="muted"> {hint}</span> : null}
      <input id={id} name={name} type={type} autoComplete={autoComplete} aria-invalid={err(id) ? true : undefined} aria-describedby={err(id) ? `${id}-error` : undefined} />
      {err(id) ? (
        <span id={`${id}-error`} className="field-error">
          {err(id)!.text}
        </span>
      ) : null}
    </label>
  );
  return (
    <section aria-labelledby="new-heading" className="card">
      <h2 id="new-heading">A new client</h2>
      <Form method="get" className="barber-form">
        {page.own ? null : <input type="hidden" name="barber" value={page.barberId} />}
        {field('new-name', 'name', 'Name', 'text', 'off')}
        {field('new-phone', 'phone', 'Phone', 'tel', 'off')}
        {field('new-email', 'email', 'E-mail', 'email', 'off', '(optional)')}
        <div className="barber-actions">
          <button type="submit">Continue with this client</button>
        </div>
      </Form>
    </section>
  );
}

export default function BookClientPage() {
  const { page, problem } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>()?.result;
  const navigation = useNavigation();
  const hydrated = useHydrated();
  const alert = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (result) alert.current?.focus();
  }, [result]);
  if (!page) return <PageProblem title="Book a client" problem={problem} hydrated={hydrated} />;
  const pendingStart = navigation.state === 'submitting' ? String(navigation.formData?.get('start') ?? '') : '';
  const again = `/work/book${page.own ? '' : `?barber=${page.barberId}`}`;
  const c = page.client as ChosenClient | null;
  return (
    <section className="narrow" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>{page.own ? 'Book a client' : `Book a client with ${page.barberName}`}</h1>
      <div ref={alert} tabIndex={-1} className="alerts">
        {result?.ok ? (
          <div className="saved" role="status">
            <p>{result.text}</p>
            <p>
              <Link to={result.dayLink}>Open the day sheet</Link> · <Link to={again}>Book another client</Link>
            </p>
          </div>
        ) : null}
        {result && !result.ok ? (
          <div className="error-summary" role="alert">
            <h2>Not booked</h2>
            <p>{result.text}</p>
            {result.errors.length ? (
              <ul>
                {result.errors.map((e) => (
                  <li key={`${e.field}-${e.text}`}>{e.text}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </div>
      {result?.ok ? null : !c ? (
        <>
          {page.clientErrors.length ? (
            <div className="error-summary" role="alert">
              <h2>Check the client</h2>
              <ul>
                {page.clientErrors.map((e) => (
                  <li key={e.field + e.text}>
                    <a href={`#${e.field}`}>{e.text}</a>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <ClientSearch page={page} />
          <NewClient page={page} />
        </>
      ) : (
        <>
          <p className="chosen">
            Client: <strong>{c.name}</strong> <span className="muted">{c.kind === 'existing' ? c.phone : [c.phone, c.email, 'new'].filter(Boolean).join(' · ')}</span>{' '}
            <Link to={again}>Change</Link>
          </p>
          <section aria-labelledby="service-heading">
            <h2 id="service-heading">Service</h2>
            {page.services.length === 0 ? <p>This barber offers no services yet.</p> : null}
            <Form method="get">
              <Carry page={page} upTo="client" />
              <ul className="choices">
                {page.services.map((s) => (
                  <li key={s.id}>
                    <button type="submit" name="service" value={s.id} aria-pressed={page.service?.id === s.id} className="choice-button">
                      <strong>{s.name}</strong> <span className="muted">{s.text}</span>
                    </button>
                  </li>
                ))}
              </ul>
            </Form>
          </section>
          {page.calendar ? (
            <section aria-labelledby="day-heading">
              <h2 id="day-heading">Day and time</h2>
              <p className="muted">Times are the shop&apos;s ({page.timezone}).</p>
              <Form method="get">
                <Carry page={page} upTo="service" />
                <ul className="days" aria-label="Days">
                  {page.calendar.days.map((d) => (
                    <li key={d.date}>
                      <button type="submit" name="day" value={d.date} disabled={!d.open} aria-pressed={page.calendar?.selected?.date === d.date} aria-label={d.open ? d.label : `${d.label}: nothing free`}>
                        {d.short}
                      </button>
                    </li>
                  ))}
                </ul>
              </Form>
              {page.calendar.selected ? (
                <Form method="post" className="barber-form">
                  <Carry page={page} upTo="day" />
                  <h3>{page.calendar.selected.label}</h3>
                  <label htmlFor="notes">
                    Note for the appointment <span className="muted">(optional)</span>
                    <input id="notes" name="notes" type="text" maxLength={500} />
                  </label>
                  <ul className="slots" aria-label={`Free times on ${page.calendar.selected.label}`}>
                    {page.calendar.selected.slots.map((s) => (
                      <li key={s.start}>
                        <button type="submit" name="start" value={s.start} className="slot" disabled={pendingStart !== ''}>
                          {pendingStart === s.start ? 'Booking…' : s.label}
                        </button>
                      </li>
                    ))}
                  </ul>
                </Form>
              ) : (
                <p>Nothing free in the next two weeks.</p>
              )}
            </section>
          ) : null}
        </>
      )}
    </section>
  );
}
