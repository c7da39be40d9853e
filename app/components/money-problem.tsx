import { Link } from '@remix-run/react';

/**
 * What a page of the owner's area says when it cannot be shown: the title the status calls for
 * and the service's words, nothing about the shop itself.
 */
export function MoneyProblem({ title, problem, status, hydrated }: { title: string; problem: string; status?: number; hydrated: boolean }) {
  return (
    <section className="money-page narrow" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>{status === 404 ? 'Not found' : status === 403 ? 'Not yours to run' : title}</h1>
      <p role="alert">{problem}</p>
      <p>
        <Link to="/manage">Your shops</Link> · <Link to="/">Home</Link>
      </p>
    </section>
  );
}
