import type { ActionFunctionArgs, LinksFunction, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useNavigation } from '@remix-run/react';
import { useEffect, useState } from 'react';
import clientStyles from '../client.css?url';
import { forgotFromForm } from './forgot-password.server';

export const meta: MetaFunction = () => [{ title: 'Forgot your password? — BookedBarber' }];
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: clientStyles }];

export async function action({ context, request }: ActionFunctionArgs) {
  return forgotFromForm(context.services, request);
}

export default function ForgotPassword() {
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  if (result?.status === 'sent') {
    return (
      <section className="auth" data-hydrated={hydrated ? 'true' : 'false'}>
        <h1>Check your e-mail</h1>
        <p role="status">{`If an account uses ${result.email}, we have e-mailed it a link to choose a new password. The link works once and expires soon.`}</p>
        <p className="muted">Nothing arrived after a few minutes? Check the spam folder, or ask again.</p>
        <p>
          <Link to="/login">Back to sign in</Link>
        </p>
      </section>
    );
  }

  const error = result?.status === 'retry' ? result.error : null;
  return (
    <section className="auth" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Forgot your password?</h1>
      <p>Enter the e-mail address of your account and we will send you a link to choose a new password.</p>
      <Form method="post" noValidate>
        <label>
          E-mail
          <input
            type="email"
            name="email"
            autoComplete="email"
            required
            maxLength={254}
            defaultValue={result?.email ?? ''}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'email-error' : undefined}
          />
        </label>
        {error ? (
          <p id="email-error" role="alert" className="error-text">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : 'Send reset link'}
        </button>
      </Form>
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </section>
  );
}
