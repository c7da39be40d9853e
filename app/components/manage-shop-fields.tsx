import { isRouteErrorResponse, useRouteError } from '@remix-run/react';
import { useEffect, useId, useRef, type ReactNode } from 'react';

/** Field name → what is wrong with it, in words. */
export type FieldErrors = Record<string, string>;

/**
 * The list of problems at the top of a form, each linking to its field. It takes focus when it
 * appears after a submit, so a screen reader hears it first.
 */
export function ErrorSummary({ errors, labels, title = 'There is a problem' }: { errors: FieldErrors; labels: Record<string, string>; title?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const names = Object.keys(errors);
  const key = names.map((n) => `${n}:${errors[n]}`).join('|');
  useEffect(() => {
    if (key) ref.current?.focus();
  }, [key]);
  if (names.length === 0) return null;
  return (
    <div ref={ref} className="error-summary" role="alert" tabIndex={-1} aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      <ul>
        {names.map((name) => (
          <li key={name}>
            <a href={`#${name}`}>{`${labels[name] ?? name}: ${errors[name]}`}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Props that tie an input to its hint and its error (ids `<name>-hint`, `<name>-error`). */
export function describe(name: string, error: string | undefined, hint?: boolean) {
  const ids = [hint ? `${name}-hint` : null, error ? `${name}-error` : null].filter(Boolean).join(' ');
  return { id: name, name, 'aria-invalid': error ? true : undefined, 'aria-describedby': ids || undefined };
}

/** A labelled field: the label, an optional hint, the control and its error. */
export function FieldRow({ name, label, hint, error, children }: { name: string; label: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={name}>{label}</label>
      {hint ? (
        <span id={`${name}-hint`} className="hint muted">
          {hint}
        </span>
      ) : null}
      {children}
      {error ? (
        <span id={`${name}-error`} className="error-text">
          {error}
        </span>
      ) : null}
    </div>
  );
}

/** What a refused request said, in words, with its status for the page. */
export function ProblemPage({ title, problem }: { title: string; problem: string }) {
  return (
    <section className="manage-shop narrow">
      <h1>{title}</h1>
      <p role="alert">{problem}</p>
    </section>
  );
}

/** What a page of the back office shows when its loader or action refused (thrown with `problem`). */
export function OfficeErrorBoundary({ title }: { title: string }) {
  const error = useRouteError();
  const problem =
    isRouteErrorResponse(error) && error.data && typeof error.data === 'object' && 'problem' in error.data
      ? String((error.data as { problem: unknown }).problem)
      : isRouteErrorResponse(error) && error.status === 404
        ? 'Page not found'
        : 'Something went wrong. Please try again.';
  return <ProblemPage title={title} problem={problem} />;
}
