import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, useActionData, useNavigation } from '@remix-run/react';
import { signIn, redirectIfSignedIn } from './login.server';

export const meta: MetaFunction = () => [{ title: 'Sign in — BookedBarber' }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  await redirectIfSignedIn(context.services, request);
  return null;
}

export async function action({ context, request }: ActionFunctionArgs) {
  return signIn(context.services, request);
}

export default function Login() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';
  return (
    <section className="auth">
      <h1>Sign in</h1>
      <Form method="post" noValidate>
        <label>
          E-mail
          <input type="email" name="email" autoComplete="email" required defaultValue={result?.email ?? ''} />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required />
        </label>
        {result?.error ? (
          <p role="alert" className="error-text">
            {result.error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </Form>
    </section>
  );
}
