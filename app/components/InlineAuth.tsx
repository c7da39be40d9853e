import { Form, Link, useLocation } from '@remix-run/react';
import { PendingButton } from './PendingButton';

export interface AuthFeedback {
  form: 'signin' | 'register';
  error: string;
  email: string;
}

/**
 * Sign in (or create an account) without leaving the step: the form posts to this same URL, whose
 * query holds the chosen service, barber and time, and the action comes back here signed in.
 * One form at a time, so every field has one unambiguous label.
 */
export function InlineAuth({ feedback, purpose }: { feedback: AuthFeedback | null | undefined; purpose: string }) {
  const location = useLocation();
  const params = new URLSearchParams(location.search);
  const mode = feedback?.form ?? (params.get('auth') === 'register' ? 'register' : 'signin');
  const action = `${location.pathname}${location.search}`;
  const other = new URLSearchParams(params);
  if (mode === 'register') other.delete('auth');
  else other.set('auth', 'register');
  const error = feedback && feedback.form === mode ? feedback.error : null;
  return (
    <section className="inline-auth card" aria-labelledby="auth-heading">
      <h2 id="auth-heading">{mode === 'signin' ? `Sign in ${purpose}` : 'Create an account'}</h2>
      <p className="muted hint">Your choice is kept while you do.</p>
      <Form method="post" action={action} noValidate className="stack">
        <input type="hidden" name="intent" value={mode} />
        {mode === 'register' ? (
          <>
            <label>
              First name
              <input name="first_name" autoComplete="given-name" required />
            </label>
            <label>
              Last name
              <input name="last_name" autoComplete="family-name" />
            </label>
          </>
        ) : null}
        <label>
          E-mail
          <input type="email" name="email" autoComplete="email" required defaultValue={feedback?.email ?? ''} />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete={mode === 'signin' ? 'current-password' : 'new-password'} required />
        </label>
        {error ? (
          <p role="alert" className="error-text">
            {error}
          </p>
        ) : null}
        <PendingButton name="intent" value={mode} pending={mode === 'signin' ? 'Signing in…' : 'Creating your account…'}>
          {mode === 'signin' ? 'Sign in' : 'Create account'}
        </PendingButton>
      </Form>
      <p>
        <Link to={`${location.pathname}?${other}`} replace preventScrollReset>
          {mode === 'signin' ? 'New here? Create an account' : 'Have an account? Sign in'}
        </Link>
        {mode === 'signin' ? (
          <>
            {' · '}
            <Link to="/forgot-password">Forgot your password?</Link>
          </>
        ) : null}
      </p>
    </section>
  );
}
