import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { useEffect, useState } from 'react';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { confirmEmail, loadVerifyEmail } from './verify-email.server';

export const meta: MetaFunction = () => [{ title: 'Verify your e-mail — BookedBarber' }];

export const headers: HeadersFunction = ({ actionHeaders, loaderHeaders }) => {
  const merged = new Headers(loaderHeaders);
  actionHeaders.forEach((value, name) => merged.set(name, value));
  return merged;
};

/**
 * GET only shows a button; the token is used by the POST. Mail scanners and link previewers
 * fetch links in e-mails before the person does, so verifying on GET would spend the token (and
 * "verify" the address) without anyone having clicked.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  return loadVerifyEmail(request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return confirmEmail(context.services, request);
}

function VerifyEmailContent() {
  const { token } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';

  if (result?.status === 'verified') {
    return (
      <section className="auth">
        <h1>E-mail address verified</h1>
        <p role="status">Thank you — your e-mail address is confirmed.</p>
        <p>
          <Link to="/account">Continue to your account</Link>
        </p>
      </section>
    );
  }

  if (result?.status === 'invalid') {
    return (
      <section className="auth">
        <h1>Verify your e-mail address</h1>
        <p role="alert" className="error-text">
          This link has expired or has already been used.
        </p>
        <p>If you confirmed your address before, there is nothing more to do.</p>
        <p>
          <Link to="/login">Sign in</Link>
        </p>
      </section>
    );
  }

  return (
    <section className="auth">
      <h1>Verify your e-mail address</h1>
      {token ? (
        // The token goes in the body; the action URL has no query, so the address bar and
        // history lose it once the form is sent.
        <Form method="post" action="/verify-email">
          <input type="hidden" name="token" value={token} />
          <p>Confirm that this e-mail address is yours.</p>
          <button type="submit" disabled={busy}>
            {busy ? 'Verifying…' : 'Verify my e-mail address'}
          </button>
        </Form>
      ) : (
        <p role="alert" className="error-text">
          This link is incomplete. Open the link from the e-mail again, or copy the whole address into your browser.
        </p>
      )}
    </section>
  );
}

export default function VerifyEmail() {
  // Marks the page once React has hydrated; browser tests wait for it.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <div data-hydrated={hydrated ? 'true' : 'false'}>
      <VerifyEmailContent />
    </div>
  );
}
