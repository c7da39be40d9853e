import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { privateHeaders } from './account.server';
import { loadProfile, saveProfileFromForm } from './account.profile.server';

export const meta: MetaFunction = () => [{ title: 'Profile and notifications — BookedBarber' }];

export const headers = privateHeaders;

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadProfile(context.services, request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return saveProfileFromForm(context.services, request);
}

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p id={id} className="error-text">
      {message}
    </p>
  ) : null;
}

export default function Profile() {
  const { profile, card } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors = result && !result.ok ? result.fieldErrors : {};
  const described = (name: keyof typeof errors, hint?: string) =>
    [hint, errors[name] ? `${name}-error` : null].filter(Boolean).join(' ') || undefined;

  return (
    <section className="narrow">
      <h1>Profile and notifications</h1>
      <div aria-live="polite">{result?.ok ? <p className="notice calm">Your changes are saved.</p> : null}</div>
      <Form method="post" className="stack" noValidate>
        <p className="muted">{`Signed in as ${profile.email}${profile.email_verified ? '' : ' (not confirmed yet)'}`}</p>
        <label>
          First name
          <input
            name="first_name"
            autoComplete="given-name"
            required
            maxLength={80}
            defaultValue={profile.first_name}
            aria-invalid={errors.first_name ? true : undefined}
            aria-describedby={described('first_name')}
          />
        </label>
        <FieldError id="first_name-error" message={errors.first_name} />
        <label>
          Last name
          <input
            name="last_name"
            autoComplete="family-name"
            required
            maxLength={80}
            defaultValue={profile.last_name}
            aria-invalid={errors.last_name ? true : undefined}
            aria-describedby={described('last_name')}
          />
        </label>
        <FieldError id="last_name-error" message={errors.last_name} />
        <label>
          Phone
          <input
            type="tel"
            name="phone"
            autoComplete="tel"
            maxLength={20}
            defaultValue={profile.phone ?? ''}
            aria-invalid={errors.phone ? true : undefined}
            aria-describedby={described('phone', 'phone-hint')}
          />
        </label>
        <p id="phone-hint" className="muted hint">
          For text messages about your bookings. Leave empty to remove it.
        </p>
        <FieldError id="phone-error" message={errors.phone} />
        <fieldset>
          <legend>Booking messages</legend>
          <p className="muted hint" id="channels-hint">
            Confirmations, changes and reminders. Password and sign-in e-mails always come by e-mail.
          </p>
          <label className="check">
            <input type="checkbox" name="notify_email" defaultChecked={profile.notify_email} aria-describedby="channels-hint" />
            E-mail
          </label>
          <label className="check">
            <input type="checkbox" name="notify_sms" defaultChecked={profile.notify_sms} aria-describedby={profile.sms_opted_out ? 'sms-stopped' : 'channels-hint'} />
            Text message (SMS)
          </label>
          {profile.sms_opted_out ? (
            <p id="sms-stopped" className="notice">
              You replied STOP to one of our texts, so we send none. Reply START to our number to get them again.
            </p>
          ) : null}
        </fieldset>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
      </Form>
      <h2>Saved card</h2>
      {card ? (
        <p>{`${card.brand ? card.brand[0]!.toUpperCase() + card.brand.slice(1) : 'Card'} ending in ${card.last4 ?? '····'}`}</p>
      ) : (
        <p className="muted">No card saved. Shops that charge late-cancellation or no-show fees save one when you pay a deposit.</p>
      )}
    </section>
  );
}
