import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useLoaderData, useNavigation } from '@remix-run/react';
import { loadAccount, privateHeaders } from './account.server';

export const meta: MetaFunction = () => [{ title: 'Your account — BookedBarber' }];

export const headers = privateHeaders;

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadAccount(context.services, request);
}

export default function Account() {
  const { user } = useLoaderData<typeof loader>();
  const busy = useNavigation().state === 'submitting';
  return (
    <section>
      <h1>{`Hello, ${user.first_name}`}</h1>
      <p className="muted">{user.email}</p>
      {user.email_verified ? null : (
        <p className="notice">Please confirm your e-mail address: open the link we e-mailed you when you signed up.</p>
      )}
      <ul className="cards">
        <li>
          <Link to="/account/appointments">My appointments</Link>
          <span className="muted"> — upcoming and past, reschedule or cancel</span>
        </li>
        <li>
          <Link to="/account/waitlist">My waitlist</Link>
          <span className="muted"> — days you are waiting for</span>
        </li>
        <li>
          <Link to="/account/profile">Profile and notifications</Link>
          <span className="muted"> — name, phone, how we tell you about bookings</span>
        </li>
      </ul>
      {user.memberships.length > 0 ? (
        <>
          <h2>Your shops</h2>
          <ul className="shops">
            {user.memberships.map((m) => (
              <li key={`${m.shop_id}:${m.role}`}>
                <strong>{m.shop_name}</strong> <span className="muted">{m.role}</span>
                {m.role === 'barber' ? (
                  <>
                    {' '}
                    <Link to="/work">Today’s day sheet</Link>
                  </>
                ) : null}
                {m.role === 'owner' ? (
                  <>
                    {' '}
                    <Link to={`/manage/${m.shop_id}`}>Run the shop</Link>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {/* Signing out is the account frame's action (POST /account), reachable from every page. */}
      <Form method="post" action="/account">
        <button type="submit" disabled={busy}>
          {busy ? 'Signing out…' : 'Sign out'}
        </button>
      </Form>
    </section>
  );
}
