import type { LinksFunction } from '@remix-run/cloudflare';
import { Outlet, useLocation, useRouteError } from '@remix-run/react';
import { OfficeError, OfficeNav } from '../components/office-nav';
import css from '../styles/back-office.css?url';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

/**
 * The barber's area. Only navigation lives here: every page below authorises through the services
 * itself. An owner reading a barber (`?barber=`) keeps that barber as they move between sections.
 */
export default function WorkArea() {
  const barber = new URLSearchParams(useLocation().search).get('barber');
  const keep = barber ? `?${new URLSearchParams({ barber })}` : '';
  return (
    <>
      <OfficeNav
        label="Your work"
        links={[
          { to: `/work${keep}`, label: 'Day', end: true },
          { to: `/work/week${keep}`, label: 'Week' },
          { to: `/work/book${keep}`, label: 'Book a client' },
          { to: `/work/queue${keep}`, label: 'Walk-ins' },
          { to: `/work/hours${keep}`, label: 'Hours' },
          { to: `/work/time-off${keep}`, label: 'Time off' },
          { to: `/work/services${keep}`, label: 'Services' },
          { to: `/work/calendar${keep}`, label: 'Calendar' },
        ]}
      />
      <Outlet />
    </>
  );
}

/** A page below failed: keep the barber's navigation and say so in words. */
export function ErrorBoundary() {
  return (
    <>
      <OfficeNav label="Your work" links={[{ to: '/work', label: 'Day', end: true }]} />
      <OfficeError error={useRouteError()} />
    </>
  );
}
