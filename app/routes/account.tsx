import type { ActionFunctionArgs, LinksFunction } from '@remix-run/cloudflare';
import { isRouteErrorResponse, Link, NavLink, Outlet, useRouteError } from '@remix-run/react';
import { useEffect, useState, type ReactNode } from 'react';
import clientStyles from '../client.css?url';
import { signOut } from './account.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: clientStyles }];

/** POST /account signs out: revokes the session's refresh tokens and clears the cookie. */
export async function action({ context, request }: ActionFunctionArgs) {
  return signOut(context.services, request);
}

/**
 * The frame of a client's own pages: the account navigation and, once React has hydrated,
 * `data-hydrated="true"` (browser tests wait for it). No loader here: each page signs the user in
 * itself, so one request never refreshes the same session twice in parallel.
 */
function Frame({ children }: { children: ReactNode }) {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <div className="account" data-hydrated={hydrated ? 'true' : 'false'}>
      <nav aria-label="Your account" className="account-nav">
        <ul>
          <li>
            <NavLink to="/account" end>
              Overview
            </NavLink>
          </li>
          <li>
            <NavLink to="/account/appointments">My appointments</NavLink>
          </li>
          <li>
            <NavLink to="/account/waitlist">Waitlist</NavLink>
          </li>
          <li>
            <NavLink to="/account/profile">Profile</NavLink>
          </li>
        </ul>
      </nav>
      {children}
    </div>
  );
}

export default function AccountLayout() {
  return (
    <Frame>
      <Outlet />
    </Frame>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <Frame>
      <section className="error" role="alert">
        <h1>{notFound ? 'We could not find that' : 'Something went wrong'}</h1>
        <p>
          {notFound
            ? 'It may have been removed, or the link is not yours.'
            : 'Your bookings are safe. Please try again in a moment.'}
        </p>
        <p>
          <Link to="/account/appointments">Back to my appointments</Link>
        </p>
      </section>
    </Frame>
  );
}
