import { isRouteErrorResponse, Link, useParams, useRouteError } from '@remix-run/react';

/** Friendly words for whatever went wrong on a booking step, with a way back to the shop. */
export function BookingErrorBoundary() {
  const error = useRouteError();
  const { slug } = useParams();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <section className="error">
      <h1>{notFound ? 'Not found' : 'Something went wrong'}</h1>
      <p>
        {notFound
          ? 'We couldn’t find what this link points to. It may have moved, or belong to another account.'
          : 'We couldn’t load this step. Please try again in a moment; nothing was booked or charged twice.'}
      </p>
      <p>{slug ? <Link to={`/s/${slug}`}>Back to the shop</Link> : <Link to="/">Find a shop</Link>}</p>
    </section>
  );
}
