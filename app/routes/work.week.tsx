import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Link, useLoaderData } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { PageProblem } from '../components/office-nav';
import css from '../styles/barber.css?url';
import { privateHeaders } from './account.server';
import { loadWeek } from './work.week.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Week of ${data.page.title} — ${data.page.barberName} — BookedBarber` : 'Week — BookedBarber' },
];

export const headers = privateHeaders;

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadWeek(context.services, request);
}

export default function WeekPage() {
  const { page, problem } = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  if (!page) return <PageProblem title="Week" problem={problem} hydrated={hydrated} />;
  return (
    <section className="barber-week" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>{page.own ? `Week of ${page.title}` : `${page.barberName}: week of ${page.title}`}</h1>
      <nav aria-label="Weeks" className="sheet-days">
        <Link to={page.previous} rel="prev">
          ‹ Previous week
        </Link>
        <Link to={page.thisWeek}>This week</Link>
        <Link to={page.next} rel="next">
          Next week ›
        </Link>
      </nav>
      <ol className="week-days">
        {page.days.map((d) => (
          <li key={d.date} className={d.today ? 'week-day today' : 'week-day'} aria-labelledby={`day-${d.date}`}>
            <h2 id={`day-${d.date}`}>
              <Link to={d.dayLink} aria-label={`${d.label}: open the day sheet`}>
                {d.short}
              </Link>
              {d.today ? <span className="week-today"> · Today</span> : null}
            </h2>
            <p className="muted week-hours">{d.working}</p>
            {d.timeOff.map((o) => (
              <p key={o} className="week-off">
                Time off {o}
              </p>
            ))}
            {d.rows.length === 0 ? (
              <p className="muted">Nothing booked</p>
            ) : (
              <ol className="week-appts">
                {d.rows.map((r) => (
                  <li key={r.id} className={`week-appt status-${r.status}`}>
                    <span className="week-time">
                      {r.time}–{r.until}
                    </span>{' '}
                    <strong>{r.client}</strong>
                    <span className="muted"> {r.service}</span>
                    <span className="week-status"> {r.statusText}</span>
                  </li>
                ))}
              </ol>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
