import type { LinksFunction, MetaFunction } from '@remix-run/cloudflare';
import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteError } from '@remix-run/react';
import type { ReactNode } from 'react';
import { useNonce } from './nonce';
import styles from './styles.css?url';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: styles }];

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        {/* The same header for everyone: public pages are cached at the edge, so nothing here
            may depend on who is signed in. */}
        <header className="site-header">
          <a href="/" className="brand">
            BookedBarber
          </a>
          <nav aria-label="Site">
            <a href="/">Find a shop</a>
            <a href="/account">My account</a>
          </nav>
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

function errorTitle(error: unknown): string {
  if (isRouteErrorResponse(error)) return error.status === 404 ? 'Page not found' : `${error.status} ${error.statusText}`;
  return 'Something went wrong';
}

/**
 * The title of pages that have none of their own: an unmatched URL or an error caught here.
 * (Deeper routes' meta replaces this one, so it never overrides a page's own title.)
 */
export const meta: MetaFunction = ({ error }) => [{ title: error ? `${errorTitle(error)} — BookedBarber` : 'BookedBarber' }];

export function ErrorBoundary() {
  const error = useRouteError();
  const title = errorTitle(error);
  return (
    <section className="error">
      <h1>{title}</h1>
      <p>Please try again. If it keeps happening, tell the shop.</p>
      <p>
        <a href="/">Find a shop</a>
      </p>
    </section>
  );
}
