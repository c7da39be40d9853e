import { isRouteErrorResponse, NavLink } from '@remix-run/react';

export interface OfficeLink {
  to: string;
  label: string;
  /** Only the exact path is current (the section's index page). */
  end?: boolean;
}

/** The section links of a back-office area; the current one is marked for screen readers too. */
export function OfficeNav({ label, links }: { label: string; links: OfficeLink[] }) {
  return (
    <nav aria-label={label} className="office-nav">
      <ul>
        {links.map((l) => (
          <li key={l.to}>
            <NavLink to={l.to} end={l.end ?? false} prefetch="intent">
              {l.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * What a back-office page shows when its loader or rendering failed unexpectedly: the frame's
 * navigation stays, so a barber between cuts can go on to another section.
 */
export function OfficeError({ error }: { error: unknown }) {
  const status = isRouteErrorResponse(error) ? error.status : 500;
  return (
    <section className="office-error" role="alert">
      <h1>{status === 404 ? 'Not found' : status === 403 ? 'Not yours to see' : 'This page could not be shown'}</h1>
      <p>{status >= 500 ? 'Something went wrong on our side. Please try again in a moment.' : 'Pick another section above.'}</p>
    </section>
  );
}

/** A back-office page the services refused (no chair, not yours, not found): its title and why, in words. */
export function PageProblem({ title, problem, hydrated }: { title: string; problem: string | null; hydrated: boolean }) {
  return (
    <section className="narrow" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>{title}</h1>
      <p role="alert">{problem}</p>
    </section>
  );
}
