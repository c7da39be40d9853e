import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useLocation, useNavigation } from '@remix-run/react';
import { useEffect, useState } from 'react';
import clientStyles from '../client.css?url';
import { signIn, redirectIfSignedIn } from './login.server';

export const meta: MetaFunction = () => [{ title: 'Sign in — BookedBarber' }];
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: clientStyles }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  await redirectIfSignedIn(context.services, request);
  return null;
}

export async function action({ context, request }: ActionFunctionArgs) {
  return signIn(context.services, request);
}

export default function Login() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const { search } = useLocation();
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <section className="auth" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Sign in</h1>
      <Form method="post" noValidate>
        <label>
          E-mail
          <input
            type="email"
            name="email"
            autoComplete="email"
            required
            defaultValue={result?.email ?? ''}
            aria-invalid={result?.error ? true : undefined}
            aria-describedby={result?.error ? 'login-error' : undefined}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            aria-invalid={result?.error ? true : undefined}
            aria-describedby={result?.error ? 'login-error' : undefined}
          />
        </label>
        {result?.error ? (
          <p id="login-error" role="alert" className="error-text">
            {result.error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </Form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New here? <Link to={`/register${search}`}>Create an account</Link>
      </p>
    </section>
  );
}
