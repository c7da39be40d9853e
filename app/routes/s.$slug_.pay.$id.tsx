import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useLoaderData, useRevalidator } from '@remix-run/react';
import { useCallback } from 'react';
import { BookingErrorBoundary } from '../components/BookingErrorBoundary';
import { Countdown } from '../components/Countdown';
import { useHydrated } from '../components/hydrated';
import { PendingButton } from '../components/PendingButton';
import { StripePayment } from '../components/StripePayment';
import { loadPayPage, payAction } from './s.$slug_.pay.$id.server';

export const meta: MetaFunction = () => [{ title: 'Pay to confirm — BookedBarber' }, { name: 'robots', content: 'noindex' }];

export const headers: HeadersFunction = ({ loaderHeaders, actionHeaders }) => (actionHeaders.has('Cache-Control') ? actionHeaders : loaderHeaders);

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadPayPage(context.services, request, params.slug, params.id, context.cspNonce);
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  return payAction(context.services, request, params.slug, params.id);
}

export default function Pay() {
  const d = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const hydrated = useHydrated();
  const revalidator = useRevalidator();
  // When the clock runs out, ask the server: it shows the expired state (or the booking, if paid).
  const onExpire = useCallback(() => revalidator.revalidate(), [revalidator]);
  const v = d.view;
  const base = `/s/${d.shop.slug}`;
  return (
    <div className="booking" data-hydrated={hydrated ? 'true' : 'false'}>
      <p className="crumbs">
        <Link to={base}>{d.shop.name}</Link>
      </p>
      <h1>{v.state === 'pay' && v.kind === 'setup' ? 'Save a card to confirm' : 'Pay to confirm'}</h1>
      <section className="card" aria-label="Your booking">
        <p>
          <strong>{d.service}</strong>
          {` with ${d.barber}`}
        </p>
        <p>{d.when}</p>
        <p className="muted">{`Price ${d.price}`}</p>
      </section>
      {v.state === 'expired' ? (
        <section className="notice" role="status">
          <h2>Your hold has run out</h2>
          <p>The time was released because it was not paid in time. Nothing was charged.</p>
          <p>
            <Link to={d.againPath}>Pick a time again</Link>
          </p>
        </section>
      ) : v.state === 'unavailable' ? (
        <p className="notice" role="alert">
          {v.message}
        </p>
      ) : (
        <section aria-labelledby="pay-heading">
          <h2 id="pay-heading">{v.kind === 'setup' ? 'Card on file' : v.kind === 'full' ? `Pay ${v.amount} now` : `Deposit due now: ${v.amount}`}</h2>
          {v.msLeft !== null ? <Countdown msLeft={v.msLeft} onExpire={onExpire} /> : null}
          {result?.error ? (
            <p role="alert" className="error-text">
              {result.error}
            </p>
          ) : null}
          {v.mode === 'test' ? (
            <div className="test-checkout">
              <p className="test-badge">
                <strong>Test checkout</strong> — no real card is charged. This stands in for Stripe on a development
                or test stack and pays with Stripe&rsquo;s test Visa card.
              </p>
              <Form method="post">
                <PendingButton name="intent" value="test-checkout" pending="Paying…">
                  {v.kind === 'setup' ? 'Save test card' : `Pay ${v.amount} with test card`}
                </PendingButton>
              </Form>
            </div>
          ) : v.clientSecret && v.publishableKey && hydrated ? (
            <StripePayment publishableKey={v.publishableKey} clientSecret={v.clientSecret} kind={v.kind} amount={v.amount} returnUrl={`${base}/booked/${d.id}`} />
          ) : (
            <p className="muted">{hydrated ? 'Payment is not possible right now.' : 'The secure card form needs JavaScript.'}</p>
          )}
        </section>
      )}
    </div>
  );
}

export const ErrorBoundary = BookingErrorBoundary;
