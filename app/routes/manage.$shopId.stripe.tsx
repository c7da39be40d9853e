import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, useActionData, useLoaderData } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { MoneyProblem } from '../components/money-problem';
import { PendingButton } from '../components/PendingButton';
import css from '../styles/manage-money.css?url';
import { privateHeaders } from './account.server';
import { loadStripe, onboard } from './manage.$shopId.stripe.server';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Stripe — ${data.page.shopName} — BookedBarber` : 'Stripe — BookedBarber' },
];

export const links = () => [{ rel: 'stylesheet', href: css }];

export const headers = privateHeaders;

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadStripe(context.services, request, params.shopId);
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  return onboard(context.services, request, params.shopId);
}

/** Whether the shop can take card payments, in words, and the way to Stripe's onboarding. */
export default function StripeSettings() {
  const { page, problem, status } = useLoaderData<typeof loader>();
  const failed = useActionData<typeof action>();
  const hydrated = useHydrated();
  if (!page) return <MoneyProblem title="Stripe" problem={problem ?? ''} status={status} hydrated={hydrated} />;
  return (
    <section className="money-page narrow" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Card payments (Stripe)</h1>
      <p className="muted">{page.shopName}</p>
      <div className={`money-state ${page.on ? 'on' : 'off'}`}>
        <h2>{page.headline}</h2>
        {page.detail ? <p>{page.detail}</p> : null}
        {page.payouts ? <p>{page.payouts}</p> : null}
        {page.due.length > 0 ? (
          <>
            <p>Stripe still needs:</p>
            <ul>
              {page.due.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          </>
        ) : null}
        {page.synced ? <p className="muted">{`As Stripe last told us: ${page.synced}`}</p> : null}
      </div>
      {failed && 'problem' in failed ? (
        <p role="alert" className="error-text">
          {failed.problem}
        </p>
      ) : null}
      {page.action ? (
        <Form method="post">
          <PendingButton pending="Opening Stripe…">{page.action}</PendingButton>
          <p className="hint muted">You fill in the details on Stripe’s own pages and come back here when done.</p>
        </Form>
      ) : null}
    </section>
  );
}
