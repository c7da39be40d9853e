import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useLoaderData, useLocation, useNavigation } from '@remix-run/react';
import { useEffect, useState } from 'react';
import clientStyles from '../client.css?url';
import { redirectIfSignedIn } from './login.server';
import { passwordRules, registerFromForm, type RegisterField } from './register.server';

export const meta: MetaFunction = () => [{ title: 'Create your account — BookedBarber' }];
export const links: LinksFunction = () => [{ rel: 'stylesheet', href: clientStyles }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  await redirectIfSignedIn(context.services, request);
  return passwordRules;
}

export async function action({ context, request }: ActionFunctionArgs) {
  return registerFromForm(context.services, request);
}

function Errors({ id, errors }: { id: string; errors: string[] | undefined }) {
  if (!errors?.length) return null;
  return (
    <ul id={id} className="field-errors error-text">
      {errors.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  );
}

export default function Register() {
  const { minLength, maxLength } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const { search } = useLocation();
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const errors = result?.fieldErrors ?? {};
  const v = result?.values;
  const field = (name: RegisterField, hint?: string) => ({
    name,
    'aria-invalid': errors[name] ? true : undefined,
    'aria-describedby': [hint, errors[name] ? `${name}-errors` : null].filter(Boolean).join(' ') || undefined,
  });
  // The sign-in link keeps `next`, so a booking in progress is not lost either way.
  const loginHref = `/login${search}`;

  return (
    <section className="auth" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Create your account</h1>
      <Form method="post" action={`/register${search}`} noValidate>
        {result?.formError ? (
          <p role="alert" className="error-text">
            {result.formError}
          </p>
        ) : Object.keys(errors).length ? (
          <p role="alert" className="error-text">
            Please correct the fields marked below.
          </p>
        ) : null}
        <label>
          First name
          <input {...field('first_name')} autoComplete="given-name" required maxLength={80} defaultValue={v?.first_name ?? ''} />
        </label>
        <Errors id="first_name-errors" errors={errors.first_name} />
        <label>
          Last name
          <input {...field('last_name')} autoComplete="family-name" required maxLength={80} defaultValue={v?.last_name ?? ''} />
        </label>
        <Errors id="last_name-errors" errors={errors.last_name} />
        <label>
          E-mail
          <input {...field('email')} type="email" autoComplete="email" required maxLength={254} defaultValue={v?.email ?? ''} />
        </label>
        <Errors id="email-errors" errors={errors.email} />
        <label>
          Phone (optional)
          <input {...field('phone', 'phone-hint')} type="tel" autoComplete="tel" maxLength={20} defaultValue={v?.phone ?? ''} />
        </label>
        <p id="phone-hint" className="muted hint">
          For text messages about your bookings.
        </p>
        <Errors id="phone-errors" errors={errors.phone} />
        <label>
          Password
          <input {...field('password', 'password-hint')} type="password" autoComplete="new-password" required minLength={minLength} maxLength={maxLength} />
        </label>
        <p id="password-hint" className="muted hint">
          {`At least ${minLength} characters. A few unrelated words make a strong, memorable password.`}
        </p>
        <Errors id="password-errors" errors={errors.password} />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </Form>
      <p>
        Already have an account? <Link to={loginHref}>Sign in</Link>
      </p>
    </section>
  );
}
