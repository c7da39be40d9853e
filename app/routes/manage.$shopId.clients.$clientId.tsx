import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { MoneyProblem } from '../components/money-problem';
import { PendingButton } from '../components/PendingButton';
import css from '../styles/manage-money.css?url';
import { privateHeaders } from './account.server';
import { addNoteFromPage, loadClient } from './manage.$shopId.clients.$clientId.server';

/** As the notes service takes them (the action checks it again). */
const NOTE_MAX = 4000;

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `${data.page.name} — Clients — BookedBarber` : 'Client — BookedBarber' },
];

export const links = () => [{ rel: 'stylesheet', href: css }];

export const headers = privateHeaders;

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  return loadClient(context.services, request, params.shopId, params.clientId);
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  return addNoteFromPage(context.services, request, params.shopId, params.clientId);
}

/** One client's record at this shop: contact, counts, visits, private notes. */
export default function ClientRecord() {
  const { page, problem, status } = useLoaderData<typeof loader>();
  const note = useActionData<typeof action>();
  const hydrated = useHydrated();
  if (!page) return <MoneyProblem title="Client" problem={problem ?? ''} status={status} hydrated={hydrated} />;
  const noteError = note && !note.ok ? note.text : null;
  return (
    <section className="money-page narrow" data-hydrated={hydrated ? 'true' : 'false'}>
      <p className="crumbs">
        <Link to={`/manage/${page.shopId}/clients`}>‹ Clients</Link>
      </p>
      <h1>{page.name}</h1>
      <p className="money-contact">
        {page.email ? <a href={`mailto:${page.email}`}>{page.email}</a> : 'No e-mail on file (texts only)'}
        <br />
        {page.phone}
      </p>
      <dl className="money-counts">
        <div>
          <dt>Visits</dt>
          <dd>{page.counts.visits}</dd>
        </div>
        <div>
          <dt>No-shows</dt>
          <dd>{page.counts.noShows}</dd>
        </div>
        <div>
          <dt>Late cancels</dt>
          <dd>{page.counts.lateCancels}</dd>
        </div>
      </dl>

      <h2>Visit history</h2>
      {page.visits.length === 0 ? (
        <p>No appointments at this shop yet.</p>
      ) : (
        <table className="money-table">
          <caption>Appointments at this shop, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Barber</th>
              <th scope="col">Service</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {page.visits.map((v) => (
              <tr key={v.id} className={`money-row status-${v.status}`}>
                <th scope="row" data-label="Date">
                  {v.when}
                </th>
                <td data-label="Barber">{v.barber}</td>
                <td data-label="Service">
                  <div>
                    {v.service}
                    <span className="money-sub">{v.price}</span>
                  </div>
                </td>
                <td data-label="Status" className="money-status">
                  {v.statusText}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Notes</h2>
      <p className="muted">Only the shop’s staff see these.</p>
      {page.notes.length === 0 ? <p>No notes yet.</p> : null}
      <ul className="money-notes">
        {page.notes.map((n) => (
          <li key={n.id}>
            <p>{n.body}</p>
            <span className="muted">{n.when}</span>
          </li>
        ))}
      </ul>
      <Form method="post" className="money-field">
        <label htmlFor="note-body">Add a note</label>
        <textarea
          id="note-body"
          name="body"
          required
          maxLength={NOTE_MAX}
          defaultValue={note && !note.ok ? note.body : ''}
          key={note?.ok ? note.text + page.notes.length : 'draft'}
          aria-invalid={noteError ? true : undefined}
          aria-describedby={noteError ? 'note-error' : undefined}
        />
        {noteError ? (
          <p id="note-error" role="alert" className="error-text">
            {noteError}
          </p>
        ) : null}
        {note?.ok ? <p role="status">{note.text}</p> : null}
        <div>
          <PendingButton pending="Adding…">Add note</PendingButton>
        </div>
      </Form>
    </section>
  );
}
