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

type FieldName = 'first_name' | 'last_name' | 'phone';

/** One labelled input with its error tied to it (aria-describedby), optionally a hint too. */
function Field(props: {
  name: FieldName;
  label: string;
  error: string | undefined;
  hint?: { id: string; text: string };
  input: Omit<JSX.IntrinsicElements['input'], 'name' | 'aria-invalid' | 'aria-describedby'>;
}) {
  const errorId = `${props.name}-error`;
  const describedBy = [props.hint?.id, props.error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <>
      <label>
        {props.label}
        <input {...props.input} name={props.name} aria-invalid={props.error ? true : undefined} aria-describedby={describedBy} />
      </label>
      {props.hint ? (
        <p id={props.hint.id} className="muted hint">
          {props.hint.text}
        </p>
      ) : null}
      {props.error ? (
        <p id={errorId} className="error-text">
          {props.error}
        </p>
      ) : null}
    </>
  );
}

export default function Profile() {
  const { profile, card } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const errors = result && !result.ok ? result.fieldErrors : {};

  return (
    <section className="narrow">
      <h1>Profile and notifications</h1>
      <div aria-live="polite">{result?.ok ? <p className="notice calm">Your changes are saved.</p> : null}</div>
      <Form method="post" className="stack" noValidate>
        <p className="muted">{`Signed in as ${profile.email}${profile.email_verified ? '' : ' (not confirmed yet)'}`}</p>
        <Field
          name="first_name"
          label="First name"
          error={errors.first_name}
          input={{ autoComplete: 'given-name', required: true, maxLength: 80, defaultValue: profile.first_name }}
        />
        <Field
          name="last_name"
          label="Last name"
          error={errors.last_name}
          input={{ autoComplete: 'family-name', required: true, maxLength: 80, defaultValue: profile.last_name }}
        />
        <Field
          name="phone"
          label="Phone"
          error={errors.phone}
          hint={{ id: 'phone-hint', text: 'For text messages about your bookings. Leave empty to remove it.' }}
          input={{ type: 'tel', autoComplete: 'tel', maxLength: 20, defaultValue: profile.phone ?? '' }}
        />
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
