import { NavLink } from '@remix-run/react';

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
