import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Link, useActionData, useLoaderData, useLocation, useNavigation } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { PaymentFilters } from '../components/money-filters';
import { MoneyProblem } from '../components/money-problem';
import { MoneyRefund, type RefundAnswer } from '../components/money-refund';
import css from '../styles/manage-money.css?url';
import { privateHeaders } from './account.server';
import { loadPayments, refundFromPage, type PaymentLine } from './manage.$shopId.payments.server';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Payments — ${data.page.shopName} — BookedBarber` : 'Payments — BookedBarber' },
];

export const links = () => [{ rel: 'stylesheet', href: css }];

export const headers = privateHeaders;

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadPayments(context.services, request, params.shopId);
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  return refundFromPage(context.services, request, params.shopId);
}

function Row({ line, action, answer }: { line: PaymentLine; action: string; answer: RefundAnswer | undefined }) {
  return (
    <tr className={`money-row kind-${line.kind} status-${line.status}`}>
      <th scope="row" data-label="When">
        {line.when}
      </th>
      <td data-label="Client">{line.client}</td>
      <td data-label="Barber">{line.barber}</td>
      <td data-label="Appointment">{line.appointment}</td>
      <td data-label="Kind" className="money-kind">
        {line.kindText}
      </td>
      <td data-label="Amount" className="money-amount">
        <div>
          {line.amount}
          {line.refundedText ? <span className="money-sub">{line.refundedText}</span> : null}
          {line.refundedText && line.refundable ? <span className="money-sub">{`${line.refundable.text} left`}</span> : null}
        </div>
      </td>
      <td data-label="Status" className="money-status">
        {line.statusText}
      </td>
      <td data-label="Refund" className="money-action">
        {line.kind !== 'refund' ? <MoneyRefund line={line} action={action} answer={answer && answer.id === line.id ? answer : undefined} /> : null}
      </td>
    </tr>
  );
}

export default function PaymentsPage() {
  const { page, problem, status } = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>() as RefundAnswer | undefined;
  const hydrated = useHydrated();
  const location = useLocation();
  const loading = useNavigation().state === 'loading';
  if (!page) return <MoneyProblem title="Payments" problem={problem ?? ''} status={status} hydrated={hydrated} />;
  const action = `/manage/${page.shopId}/payments${location.search}`;
  return (
    <section className="money-page" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Payments and refunds</h1>
      <p className="muted">{`${page.shopName} · times in the shop’s zone (${page.timezone})`}</p>
      <PaymentFilters filters={page.filters} barbers={page.barbers} />
      {page.totals.length > 0 ? (
        <div className="money-totals" aria-label="Totals">
          {page.totals.map((t) => (
            <dl key={t.currency} className="money-total">
              <div>
                <dt>Taken</dt>
                <dd>{t.captured}</dd>
              </div>
              <div>
                <dt>Refunded</dt>
                <dd>{t.refunded}</dd>
              </div>
              <div>
                <dt>Net</dt>
                <dd>{t.net}</dd>
              </div>
              <div>
                <dt>Platform fees</dt>
                <dd>{t.platformFee}</dd>
              </div>
              {t.failedFees ? (
                <div>
                  <dt>Fees not collected</dt>
                  <dd>{t.failedFees}</dd>
                </div>
              ) : null}
              {t.disputed ? (
                <div>
                  <dt>Disputed</dt>
                  <dd>{t.disputed}</dd>
                </div>
              ) : null}
              <div>
                <dt>Payments</dt>
                <dd>{t.count}</dd>
              </div>
            </dl>
          ))}
        </div>
      ) : null}
      {page.lines.length === 0 ? (
        <p>{page.paged ? 'No older payments.' : 'No payments match these filters yet.'}</p>
      ) : (
        <table className="money-table" aria-busy={loading}>
          <caption>{page.paged ? 'Older payments, newest first' : 'Payments, newest first'}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Client</th>
              <th scope="col">Barber</th>
              <th scope="col">Appointment</th>
              <th scope="col">Kind</th>
              <th scope="col">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">Refund</th>
            </tr>
          </thead>
          <tbody>
            {page.lines.map((line) => (
              <Row key={line.id} line={line} action={action} answer={answer} />
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label="Pages of payments" className="money-pager">
        {page.paged ? <Link to={page.newest}>‹ Newest</Link> : null}
        {page.older ? (
          <Link to={page.older} rel="next">
            Older ›
          </Link>
        ) : null}
      </nav>
    </section>
  );
}
