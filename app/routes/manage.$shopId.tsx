import type { LinksFunction } from '@remix-run/cloudflare';
import { Outlet, useParams, useRouteError } from '@remix-run/react';
import { OfficeError, OfficeNav } from '../components/office-nav';
import css from '../styles/back-office.css?url';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

/**
 * The owner's area of one shop. Only navigation lives here: every page below authorises through
 * the services itself (an owner of another shop gets their 404 from the page, not from this frame).
 */
export default function ManageArea() {
  const base = `/manage/${useParams().shopId ?? ''}`;
  return (
    <>
      <OfficeNav
        label="Run the shop"
        links={[
          { to: base, label: 'Dashboard', end: true },
          { to: `${base}/payments`, label: 'Payments' },
          { to: `${base}/clients`, label: 'Clients' },
          { to: `${base}/barbers`, label: 'Barbers' },
          { to: `${base}/services`, label: 'Services' },
          { to: `${base}/policy`, label: 'Booking policy' },
          { to: `${base}/queue`, label: 'Walk-ins' },
          { to: `${base}/stripe`, label: 'Stripe' },
          { to: `${base}/notifications`, label: 'Failed messages' },
        ]}
      />
      <Outlet />
    </>
  );
}

/** A page below failed: keep a way back and say so in words. */
export function ErrorBoundary() {
  return (
    <>
      <OfficeNav label="Run the shop" links={[{ to: '/manage', label: 'Your shops', end: true }]} />
      <OfficeError error={useRouteError()} />
    </>
  );
}
