import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { privateHeaders } from './account.server';
import { cancelFromPage, loadCancelPage } from './account.appointments_.$id.cancel.server';

export const meta: MetaFunction = () => [{ title: 'Cancel an appointment — BookedBarber' }];

export const headers = privateHeaders;

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadCancelPage(context.services, request, params.id ?? '');
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  return cancelFromPage(context.services, request, params.id ?? '');
}

export default function CancelAppointment() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';

  if (result?.state === 'done') {
    return (
      <section className="narrow">
        <h1>Appointment cancelled</h1>
        <p role="status">{`Your appointment is cancelled. ${result.text}`}</p>
        <p>
          <Link to="/account/appointments">Back to my appointments</Link>
        </p>
      </section>
    );
  }

  if (page.state === 'closed') {
    return (
      <section className="narrow">
        <h1>{page.title}</h1>
        <p>It is already cancelled, over or being settled.</p>
        <p>
          <Link to="/account/appointments">Back to my appointments</Link>
        </p>
      </section>
    );
  }

  return (
    <section className="narrow">
      <h1>Cancel this appointment?</h1>
      <dl className="facts">
        <dt>Appointment</dt>
        <dd>{page.title}</dd>
        <dt>When</dt>
        <dd>{page.when}</dd>
        <dt>Barber</dt>
        <dd>{page.barber}</dd>
      </dl>
      <p className={page.late ? 'notice' : 'notice calm'} id="cancel-consequence">
        {page.consequence}
      </p>
      {result?.state === 'refused' ? (
        <p role="alert" className="error-text">
          {result.text}
        </p>
      ) : null}
      <Form method="post" className="stack" aria-describedby="cancel-consequence">
        <label>
          Reason (optional)
          <input type="text" name="reason" maxLength={300} autoComplete="off" />
        </label>
        <div className="actions">
          <button type="submit" className="danger" disabled={busy}>
            {busy ? 'Cancelling…' : 'Cancel appointment'}
          </button>
          <Link to="/account/appointments">Keep my appointment</Link>
        </div>
      </Form>
    </section>
  );
}
