import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react';
import { BarList } from '../components/charts/BarList';
import { ColumnChart } from '../components/charts/ColumnChart';
import { ChartFigure } from '../components/charts/Figure';
import { HeatMap } from '../components/charts/HeatMap';
import { useHydrated } from '../components/hydrated';
import { formatMoney } from '../lib/format';
import css from '../styles/dashboard.css?url';
import { privateHeaders } from './account.server';
import { loadDashboard, type Preset } from './manage.$shopId._index.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Dashboard — ${data.page.shopName} — BookedBarber` : 'Dashboard — BookedBarber' },
];

export const headers = privateHeaders;

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadDashboard(context.services, request, params.shopId);
}

function RangePicker({ shopId, from, to, presets }: { shopId: string; from: string; to: string; presets: Preset[] }) {
  const busy = useNavigation().state === 'loading';
  return (
    <div className="range-picker">
      <Form method="get" className="range-form">
        <label>
          From <input type="date" name="from" defaultValue={from} required />
        </label>
        <label>
          To <input type="date" name="to" defaultValue={to} required />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Showing…' : 'Show'}
        </button>
      </Form>
      <ul className="range-presets" aria-label="Quick ranges">
        {presets.map((p) => (
          <li key={p.label}>
            <Link to={`/manage/${shopId}?${new URLSearchParams({ from: p.from, to: p.to })}`} aria-current={p.from === from && p.to === to ? 'true' : undefined}>
              {p.label}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

export default function DashboardPage() {
  const loaded = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  const marker = hydrated ? 'true' : 'false';
  if (!loaded.page) {
    return (
      <section className="dashboard" data-hydrated={marker}>
        <h1>Dashboard</h1>
        {loaded.picker ? <RangePicker {...loaded.picker} /> : null}
        <p role="alert" className="error-text">
          {loaded.problem}
        </p>
      </section>
    );
  }
  const page = loaded.page;
  const cents = (currency: string) => (v: number) => formatMoney(Math.round(v), currency);
  return (
    <section className="dashboard" data-hydrated={marker}>
      <h1>{page.shopName}: dashboard</h1>
      <RangePicker shopId={page.shopId} from={page.from} to={page.to} presets={page.presets} />
      <p className="period">
        <span data-period="">{page.periodText}</span> <span className="muted">(days on the shop&apos;s clock, {page.zone})</span>
      </p>
      <dl className="metrics" aria-label={`Headline figures, ${page.periodText}`}>
        {page.metrics.map((m) => (
          <div key={`${m.key}-${m.currency ?? ''}`} className="metric">
            <dt>{m.label}</dt>
            <dd data-metric={m.key} data-currency={m.currency}>
              {m.value}
            </dd>
          </div>
        ))}
      </dl>
      <p className="csv-links">
        <a href={page.csvHref} download>
          Download the daily figures (CSV)
        </a>
      </p>
      {page.empty ? (
        <p className="empty" role="status">
          Nothing happened in this period: no bookings, walk-ins or payments for {page.periodText}.
        </p>
      ) : (
        <div className="charts">
          {page.revenue.map((r) => (
            <ChartFigure key={r.id} id={r.id} title={r.title} table={r.table}>
              <ColumnChart
                id={`${r.id}-svg`}
                label={r.label}
                categories={page.dayLabels}
                mode="grouped"
                format={cents(r.currency)}
                series={[
                  { label: 'Captured', values: r.captured },
                  { label: 'Refunded', values: r.refunded },
                  { label: 'Platform fees', values: r.fees },
                ]}
              />
            </ChartFigure>
          ))}
          <ChartFigure id={page.bookings.id} title={page.bookings.title} table={page.bookings.table}>
            <ColumnChart
              id={`${page.bookings.id}-svg`}
              label={page.bookings.label}
              categories={page.dayLabels}
              mode="stacked"
              integer
              series={[
                { label: 'Bookings', values: page.bookings.bookings },
                { label: 'Walk-ins', values: page.bookings.walkIns },
              ]}
            />
          </ChartFigure>
          <ChartFigure id={page.rates.id} title={page.rates.title} table={page.rates.table}>
            <BarList id={`${page.rates.id}-svg`} label={page.rates.label} rows={page.rates.rows} max={Math.max(0.25, ...page.rates.rows.map((r) => r.value))} />
          </ChartFigure>
          <ChartFigure id={page.utilisation.id} title={page.utilisation.title} table={page.utilisation.table}>
            {page.utilisation.rows.length ? (
              <BarList id={`${page.utilisation.id}-svg`} label={page.utilisation.label} rows={page.utilisation.rows} max={1} />
            ) : (
              <p>No barbers worked in this period.</p>
            )}
          </ChartFigure>
          <ChartFigure id={page.heat.id} title={page.heat.title} table={page.heat.table}>
            {page.heat.hours.length ? (
              <HeatMap label={page.heat.label} weekdays={page.heat.weekdays} hours={page.heat.hours} counts={page.heat.counts} />
            ) : (
              <p>No appointments started in this period.</p>
            )}
          </ChartFigure>
          <ChartFigure id={page.clients.id} title={page.clients.title} table={page.clients.table}>
            <BarList id={`${page.clients.id}-svg`} label={page.clients.label} rows={page.clients.rows} max={Math.max(1, ...page.clients.rows.map((r) => r.value))} />
          </ChartFigure>
        </div>
      )}
    </section>
  );
}
