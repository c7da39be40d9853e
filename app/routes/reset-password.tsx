import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { useEffect, useState } from 'react';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { loadResetPassword, resetFromForm } from './reset-password.server';

export const meta: MetaFunction = () => [{ title: 'Choose a new password — BookedBarber' }];

export const headers: HeadersFunction = ({ actionHeaders, loaderHeaders }) => {
  const merged = new Headers(loaderHeaders);
  actionHeaders.forEach((value, name) => merged.set(name, value));
  return merged;
};

export async function loader({ request }: LoaderFunctionArgs) {
  return loadResetPassword(request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return resetFromForm(context.services, request);
}

function FieldErrors({ id, errors }: { id: string; errors: string[] | undefined }) {
  if (!errors?.length) return null;
  return (
    <div id={id} role="alert">
      <ul className="field-errors error-text">
        {errors.map((e) => (
          <li key={e}>{e}</li>
        ))}
      </ul>
    </div>
  );
}

function ResetPasswordContent() {
  const loaded = useLoaderData<typeof loader>();
  const { minLength, maxLength } = loaded;
  const result = useActionData<typeof action>();
  const token = result?.status === 'retry' ? result.token : loaded.token;
  const busy = useNavigation().state !== 'idle';

  if (result?.status === 'done') {
    return (
      <section className="auth">
        <h1>Password changed</h1>
        <p role="status">Your new password is set. For your safety, every device that was signed in has been signed out.</p>
        <p>
          <Link to="/login">Sign in with your new password</Link>
        </p>
      </section>
    );
  }

  if (result?.status === 'invalid_link' || !token) {
    return (
      <section className="auth">
        <h1>Choose a new password</h1>
        <p role="alert" className="error-text">
          {result?.status === 'invalid_link'
            ? 'This link has expired or has already been used.'
            : 'This link is incomplete. Open the link from the e-mail again, or copy the whole address into your browser.'}
        </p>
        <p>Reset links work once and only for a limited time; ask for a new one if you still need it.</p>
        <p>
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </section>
    );
  }

  const errors = result?.status === 'retry' ? result.fieldErrors : {};
  const formError = result?.status === 'retry' ? result.formError : undefined;
  return (
    <section className="auth">
      <h1>Choose a new password</h1>
      {/* The token goes in the body; the action URL has no query, so the address bar and
          history lose it once the form is sent. */}
      <Form method="post" action="/reset-password" noValidate>
        <input type="hidden" name="token" value={token} />
        <label>
          New password
          <input
            type="password"
            name="password"
            autoComplete="new-password"
            required
            minLength={minLength}
            maxLength={maxLength}
            aria-invalid={errors.password ? true : undefined}
            aria-describedby={errors.password ? 'password-hint password-errors' : 'password-hint'}
          />
        </label>
        <p id="password-hint" className="muted hint">
          {`At least ${minLength} characters. A few unrelated words make a strong, memorable password.`}
        </p>
        <FieldErrors id="password-errors" errors={errors.password} />
        <label>
          Repeat the new password
          <input
            type="password"
            name="confirm"
            autoComplete="new-password"
            required
            aria-invalid={errors.confirm ? true : undefined}
            aria-describedby={errors.confirm ? 'confirm-errors' : undefined}
          />
        </label>
        <FieldErrors id="confirm-errors" errors={errors.confirm} />
        {formError ? (
          <p role="alert" className="error-text">
            {formError}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Set new password'}
        </button>
      </Form>
    </section>
  );
}

export default function ResetPassword() {
  // Marks the page once React has hydrated; browser tests wait for it.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <div data-hydrated={hydrated ? 'true' : 'false'}>
      <ResetPasswordContent />
    </div>
  );
}
