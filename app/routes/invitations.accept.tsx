import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { acceptFromForm, loadInvitationPage } from './invitations.accept.server';

export const meta: MetaFunction = () => [{ title: 'Accept your invitation — BookedBarber' }];

export const headers: HeadersFunction = ({ actionHeaders, loaderHeaders }) => {
  const merged = new Headers(loaderHeaders);
  actionHeaders.forEach((value, name) => merged.set(name, value));
  return merged;
};

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadInvitationPage(context.services, request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return acceptFromForm(context.services, request);
}

/** Where the token waits (this tab only) while the person signs in and comes back. */
const STORAGE_KEY = 'bb_invitation_token';

function stored(op: (s: Storage) => string | null | void): string | null {
  try {
    return op(window.sessionStorage) ?? null;
  } catch {
    return null; // storage disabled: the fragment (or pasting) still works
  }
}

/**
 * The e-mailed link is /invitations/accept#token=…: a fragment never reaches a server, so the
 * browser moves it into the form. It is then dropped from the address bar (and history) so it is
 * not copied along with the URL. Without JavaScript the page offers a field to paste it into.
 */
function useLinkToken(): string | null {
  const [token, setToken] = useState<string | null>(null);
  useEffect(() => {
    const fromLink = new URLSearchParams(window.location.hash.slice(1)).get('token');
    if (fromLink) {
      stored((s) => s.setItem(STORAGE_KEY, fromLink));
      window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
      setToken(fromLink);
    } else {
      setToken(stored((s) => s.getItem(STORAGE_KEY)));
    }
  }, []);
  return token;
}

export default function AcceptInvitation() {
  const { viewer, loginHref } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';
  const linkToken = useLinkToken();

  // A used, expired or unknown invitation will not work later either.
  const spent = result?.ok === true || result?.code === 'conflict' || result?.code === 'not_found';
  useEffect(() => {
    if (spent) stored((s) => s.removeItem(STORAGE_KEY));
  }, [spent]);

  if (result?.ok) {
    return (
      <section className="auth">
        <h1>Invitation accepted</h1>
        <p role="status">
          {result.shopName ? `You are now a barber at ${result.shopName}.` : 'You are now a barber at the shop.'}
        </p>
        <p>
          <Link to="/account">Go to your account</Link>
        </p>
      </section>
    );
  }

  if (!viewer) {
    return (
      <section className="auth">
        <h1>Accept your invitation</h1>
        <p>Sign in with the e-mail address the invitation was sent to, then accept it here.</p>
        <p>
          <Link to={loginHref}>Sign in</Link>
        </p>
        <p className="muted">
          {linkToken
            ? 'This tab keeps the invitation while you sign in.'
            : 'After signing in, open the link from the e-mail again.'}
        </p>
      </section>
    );
  }

  return (
    <section className="auth">
      <h1>Accept your invitation</h1>
      <p className="muted">{`Signed in as ${viewer.email}.`}</p>
      {!viewer.verified ? (
        <p className="notice">
          <strong>Your e-mail address is not verified yet.</strong> An invitation can only be accepted from a verified
          address: open the verification link we e-mailed you first.
        </p>
      ) : null}
      <Form method="post" action="/invitations/accept">
        {linkToken ? (
          <>
            <input type="hidden" name="token" value={linkToken} />
            <p>The invitation from your link is ready to accept.</p>
          </>
        ) : (
          <>
            <label>
              Invitation link or code
              <input
                type="text"
                name="token"
                autoComplete="off"
                autoCapitalize="off"
                spellCheck={false}
                required
                aria-describedby="token-hint"
              />
            </label>
            <p id="token-hint" className="muted hint">
              Paste the link from the invitation e-mail, or the part after &ldquo;#token=&rdquo;.
            </p>
          </>
        )}
        {result && !result.ok ? (
          <p role="alert" className="error-text">
            {result.code === 'email_unverified' ? <strong>Verify your e-mail address first. </strong> : null}
            {result.message}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? 'Accepting…' : 'Accept invitation'}
        </button>
      </Form>
    </section>
  );
}
