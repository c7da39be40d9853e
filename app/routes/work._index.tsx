import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Link, useActionData, useFetcher, useLoaderData } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { PageProblem } from '../components/office-nav';
import { AddWalkIn } from '../components/walk-in-queue';
import walkInCss from '../styles/walk-ins.css?url';
import { privateHeaders } from './account.server';
import { actOnSheet, loadSheet, type GapRow, type SheetAction, type SheetRow } from './work.server';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `${data.page.dayText} — ${data.page.barberName} — BookedBarber` : 'Day sheet — BookedBarber' },
];

export const headers = privateHeaders;

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: walkInCss }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadSheet(context.services, request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return actOnSheet(context.services, request);
}

const LABEL: Record<SheetAction, string> = { arrive: 'Arrived', complete: 'Done', no_show: 'No-show' };
/** What a row shows while its tap is on the way (optimistic: barbers tap fast between cuts). */
const PENDING: Record<SheetAction, { status: string; text: string }> = {
  arrive: { status: 'arrived', text: 'Arrived' },
  complete: { status: 'completed', text: 'Done' },
  no_show: { status: 'no_show', text: 'No-show' },
};

function Appointment({ row }: { row: SheetRow }) {
  const fetcher = useFetcher<typeof action>();
  const pending = fetcher.formData?.get('intent') as SheetAction | undefined;
  const refused = fetcher.state === 'idle' && fetcher.data && !fetcher.data.ok ? fetcher.data.text : null;
  const shown = pending ? PENDING[pending] : { status: row.status, text: row.statusText };
  const actions = pending ? [] : row.actions;
  return (
    <li className={`sheet-item status-${shown.status}`} aria-labelledby={`appt-${row.id}`}>
      <div className="sheet-time">
        <strong>{row.time}</strong>
        <span>{row.until}</span>
      </div>
      <div className="sheet-body">
        <h2 id={`appt-${row.id}`} className="sheet-client">
          {row.client}
        </h2>
        <p className="muted">
          {row.service} · {row.history}
        </p>
        {row.note ? <p className="sheet-note">Note: {row.note}</p> : null}
        <p className="sheet-status" role="status">
          {shown.text}
          {row.owed && shown.status !== 'no_show' ? ` · ${row.owed} to take` : ''}
        </p>
        {refused ? (
          <p role="alert" className="error-text">
            {refused}
          </p>
        ) : null}
        {actions.length ? (
          <fetcher.Form method="post" className="sheet-actions">
            <input type="hidden" name="id" value={row.id} />
            {actions.map((a) => (
              <button key={a} type="submit" name="intent" value={a} className={a === 'no_show' ? 'danger' : a === 'arrive' ? 'primary' : undefined}>
                {LABEL[a]}
                <span className="sr-only">{`: ${row.client} at ${row.time}`}</span>
              </button>
            ))}
          </fetcher.Form>
        ) : null}
      </div>
    </li>
  );
}

function Gap({ row }: { row: GapRow }) {
  return (
    <li className="sheet-gap">
      <span>
        {row.time}–{row.until}
      </span>{' '}
      <span>{`Free, ${row.minutes} min`}</span>
    </li>
  );
}

export default function DaySheetPage() {
  const { page, problem, walkIn } = useLoaderData<typeof loader>();
  const posted = useActionData<typeof action>();
  const hydrated = useHydrated();
  if (!page) return <PageProblem title="Day sheet" problem={problem} hydrated={hydrated} />;
  const link = (date: string) => `/work?${new URLSearchParams({ ...(page.own ? {} : { barber: page.barberId }), date })}`;
  return (
    <section className="day-sheet" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>{page.own ? page.dayText : `${page.barberName}: ${page.dayText}`}</h1>
      <nav aria-label="Days" className="sheet-days">
        <Link to={link(page.previous)} rel="prev">
          ‹ Previous day
        </Link>
        <Link to={link(page.next)} rel="next">
          Next day ›
        </Link>
      </nav>
      <p className="muted">Working: {page.workingText}</p>
      {walkIn ? (
        <details className="sheet-walk-in" open={typeof posted === 'object' && posted !== null && 'walkIn' in posted}>
          <summary>Walk-in</summary>
          <AddWalkIn view={walkIn} heading="Add a walk-in" defaultBarber={page.barberId} posted={posted} />
        </details>
      ) : null}
      {page.rows.length === 0 ? <p>Nothing booked and no working time this day.</p> : null}
      <ol className="sheet">
        {page.rows.map((row) => (row.kind === 'gap' ? <Gap key={`gap-${row.time}`} row={row} /> : <Appointment key={row.id} row={row} />))}
      </ol>
    </section>
  );
}
