import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { privateHeaders } from './account.server';
import { loadMyWaitlist, waitlistAction, type ListedEntry } from './account.waitlist.server';

export const meta: MetaFunction = () => [{ title: 'My waitlist — BookedBarber' }];

export const headers = privateHeaders;

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadMyWaitlist(context.services, request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return waitlistAction(context.services, request);
}

function Entry({ e }: { e: ListedEntry }) {
  const nav = useNavigation();
  const leaving = nav.state === 'submitting' && nav.formData?.get('entry_id') === e.id;
  return (
    <li className="appointment">
      <article aria-labelledby={`wait-${e.id}`}>
        <h3 id={`wait-${e.id}`}>{`${e.service} at ${e.shopName}`}</h3>
        <dl className="facts">
          <dt>Days</dt>
          <dd>{e.hours ? `${e.days}, ${e.hours}` : e.days}</dd>
          <dt>Barber</dt>
          <dd>{e.barber}</dd>
          <dt>Status</dt>
          <dd>{e.status}</dd>
        </dl>
        {e.open ? (
          <Form method="post">
            <input type="hidden" name="intent" value="leave" />
            <input type="hidden" name="entry_id" value={e.id} />
            <button type="submit" disabled={leaving} aria-label={`Leave waitlist: ${e.service} at ${e.shopName}`}>
              {leaving ? 'Leaving…' : 'Leave waitlist'}
            </button>
          </Form>
        ) : null}
      </article>
    </li>
  );
}

export default function MyWaitlist() {
  const { entries, joined } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const open = entries.filter((e) => e.open);
  const closed = entries.filter((e) => !e.open);
  return (
    <section>
      <h1>My waitlist</h1>
      <div aria-live="polite">
        {joined ? <p className="notice calm">You are on the waitlist. When a matching time frees up, we hold it for you and tell you.</p> : null}
        {result?.ok ? <p className="notice calm">{result.message}</p> : null}
      </div>
      {result && !result.ok ? (
        <p role="alert" className="error-text">
          {result.error}
        </p>
      ) : null}
      <h2>Waiting</h2>
      {open.length === 0 ? (
        <p className="muted">
          You are not waiting for any day. When a day is full on a shop’s booking page, you can join its waitlist there.{' '}
          <Link to="/">Find a shop</Link>
        </p>
      ) : (
        <ul className="appointments" aria-label="Open waitlist entries">
          {open.map((e) => (
            <Entry key={e.id} e={e} />
          ))}
        </ul>
      )}
      {closed.length > 0 ? (
        <>
          <h2>Earlier</h2>
          <ul className="appointments" aria-label="Earlier waitlist entries">
            {closed.map((e) => (
              <Entry key={e.id} e={e} />
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
