import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Link, useLoaderData, useNavigation } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { MoneyProblem } from '../components/money-problem';
import css from '../styles/manage-money.css?url';
import { privateHeaders } from './account.server';
import { loadFailedMessages } from './manage.$shopId.notifications.server';

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Failed messages — ${data.page.shopName} — BookedBarber` : 'Failed messages — BookedBarber' },
];

export const links = () => [{ rel: 'stylesheet', href: css }];

export const headers = privateHeaders;

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadFailedMessages(context.services, request, params.shopId);
}

/** Messages that did not reach the shop's clients: who (masked), how, what, when and why. */
export default function FailedMessages() {
  const { page, problem, status } = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  const loading = useNavigation().state === 'loading';
  if (!page) return <MoneyProblem title="Failed messages" problem={problem ?? ''} status={status} hydrated={hydrated} />;
  return (
    <section className="money-page" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Failed messages</h1>
      <p className="muted">{`${page.shopName} · e-mails and texts that did not reach a client · times in ${page.timezone}`}</p>
      {page.lines.length === 0 ? (
        <p>{page.paged ? 'No older failed messages.' : 'Every message reached its client. Nothing failed.'}</p>
      ) : (
        <table className="money-table" aria-busy={loading}>
          <caption>{page.paged ? 'Older failed messages, newest first' : 'Failed messages, newest first'}</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">To</th>
              <th scope="col">Channel</th>
              <th scope="col">Message</th>
              <th scope="col">State</th>
              <th scope="col">Provider’s error</th>
            </tr>
          </thead>
          <tbody>
            {page.lines.map((m) => (
              <tr key={m.id} className={`money-row state-${m.state}`}>
                <th scope="row" data-label="When">
                  {m.when}
                </th>
                <td data-label="To">{m.recipient}</td>
                <td data-label="Channel">{m.channel}</td>
                <td data-label="Message">{m.kind}</td>
                <td data-label="State">
                  <div>
                    {m.stateText}
                    <span className="money-sub">{`${m.attempts} ${m.attempts === 1 ? 'attempt' : 'attempts'}`}</span>
                  </div>
                </td>
                <td data-label="Provider’s error" className="money-error">
                  {m.error}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label="Pages of failed messages" className="money-pager">
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
