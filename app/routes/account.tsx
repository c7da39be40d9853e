import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, useLoaderData } from '@remix-run/react';
import { loadAccount, signOut } from './account.server';

export const meta: MetaFunction = () => [{ title: 'Your account — BookedBarber' }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadAccount(context.services, request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return signOut(context.services, request);
}

export default function Account() {
  const { user } = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>{`Hello, ${user.first_name}`}</h1>
      <p className="muted">{user.email}</p>
      {user.memberships.length > 0 ? (
        <ul className="shops">
          {user.memberships.map((m) => (
            <li key={`${m.shop_id}:${m.role}`}>
              <strong>{m.shop_name}</strong> <span className="muted">{m.role}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p>You have no shop roles yet.</p>
      )}
      <Form method="post">
        <button type="submit">Sign out</button>
      </Form>
    </section>
  );
}
