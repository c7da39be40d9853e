import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, Link, useActionData, useFetcher, useLoaderData, useNavigation, useParams } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { deactivationWords } from '../components/manage-shop-deactivation';
import { describe, ErrorSummary, FieldRow, OfficeErrorBoundary } from '../components/manage-shop-fields';
import css from '../styles/manage-shop.css?url';
import { privateHeaders } from './account.server';
import { barbersAction, loadBarbers, type BarbersActionData, type BarbersPage, type ResolveRow } from './manage.$shopId.barbers.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Barbers — ${data.page.shopName} — BookedBarber` : 'Barbers — BookedBarber' },
];

export const headers = privateHeaders;

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  return loadBarbers(context.services, request, params.shopId);
}

export async function action({ context, params, request }: ActionFunctionArgs) {
  return barbersAction(context.services, request, params.shopId);
}

/** One future appointment of the barber leaving: move it to a colleague at the same time, or cancel it. */
function ResolveItem({ row, others, pageResult }: { row: ResolveRow; others: { id: string; name: string }[]; pageResult: BarbersActionData | undefined }) {
  const fetcher = useFetcher<typeof action>();
  const result = (fetcher.data as BarbersActionData | undefined) ?? (pageResult?.appointmentId === row.id ? pageResult : undefined);
  const pending = fetcher.state !== 'idle' ? String(fetcher.formData?.get('intent') ?? '') : null;
  const label = `${row.client}, ${row.service}, ${row.when}`;
  return (
    <li aria-label={label}>
      <p>
        <strong>{row.when}</strong> · {row.client} · {row.service} <span className="muted">({row.status})</span>
      </p>
      {result?.ok ? null : (
        <div className="form-actions">
          {others.map((o) => (
            <fetcher.Form key={o.id} method="post" className="inline-form">
              <input type="hidden" name="intent" value="move" />
              <input type="hidden" name="appointment_id" value={row.id} />
              <input type="hidden" name="to_barber" value={o.id} />
              <button type="submit" disabled={pending !== null}>
                {pending === 'move' && fetcher.formData?.get('to_barber') === o.id ? 'Moving…' : `Move to ${o.name}`}
                <span className="sr-only">{`: ${label}`}</span>
              </button>
            </fetcher.Form>
          ))}
          <fetcher.Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="cancel" />
            <input type="hidden" name="appointment_id" value={row.id} />
            <button type="submit" className="danger" disabled={pending !== null}>
              {pending === 'cancel' ? 'Cancelling…' : 'Cancel it'}
              <span className="sr-only">{`: ${label}`}</span>
            </button>
          </fetcher.Form>
        </div>
      )}
      {result ? (
        <p role={result.ok ? 'status' : 'alert'} className={`row-result ${result.ok ? 'notice' : 'error-text'}`}>
          {result.message}
        </p>
      ) : null}
    </li>
  );
}

function Resolve({ resolve, result }: { resolve: NonNullable<BarbersPage['resolve']>; result: BarbersActionData | undefined }) {
  const navigation = useNavigation();
  const { barber, appointments, others } = resolve;
  const deactivating = navigation.state !== 'idle' && navigation.formData?.get('intent') === 'deactivate';
  const done = result?.intent === 'deactivate' ? result : undefined;
  return (
    <section className="card" aria-labelledby="resolve-heading">
      <h2 id="resolve-heading">{barber.active ? `Deactivate ${barber.name}` : `${barber.name}: appointments left to resolve`}</h2>
      {done ? (
        <p role={done.ok ? 'status' : 'alert'} className={done.ok ? 'notice' : 'error-text'}>
          {done.message}
        </p>
      ) : null}
      {result && result.intent !== 'deactivate' && result.intent !== 'invite' && !appointments.some((a) => a.id === result.appointmentId) ? (
        <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'notice' : 'error-text'}>
          {result.message}
        </p>
      ) : null}
      <p>What deactivating does:</p>
      <ul>
        {deactivationWords(barber.name).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <h3>{`Future appointments with ${barber.name}`}</h3>
      {appointments.length === 0 ? (
        <p>None: nothing to move or cancel.</p>
      ) : (
        <>
          <p className="muted">
            {others.length > 0
              ? 'Move each to another barber at the same time (if they are free then), or cancel it; the client is told either way.'
              : 'There is no other active barber to move them to: cancel them, or invite a barber first.'}
          </p>
          <ul className="resolve-list">
            {appointments.map((row) => (
              <ResolveItem key={row.id} row={row} others={others} pageResult={result} />
            ))}
          </ul>
        </>
      )}
      {barber.active ? (
        <Form method="post" className="form-actions">
          <input type="hidden" name="intent" value="deactivate" />
          <input type="hidden" name="barber_id" value={barber.id} />
          <button type="submit" className="danger" disabled={deactivating}>
            {deactivating ? 'Deactivating…' : `Deactivate ${barber.name}`}
          </button>
          <Link to="." className="button">
            Keep {barber.name}
          </Link>
        </Form>
      ) : null}
    </section>
  );
}

function InviteForm({ pageResult }: { pageResult: BarbersActionData | undefined }) {
  const fetcher = useFetcher<typeof action>();
  const result = (fetcher.data as BarbersActionData | undefined) ?? (pageResult?.intent === 'invite' ? pageResult : undefined);
  const busy = fetcher.state !== 'idle';
  const errors: Record<string, string> = result?.emailError ? { email: result.emailError } : {};
  return (
    <section className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite a barber</h2>
      <fetcher.Form method="post" noValidate key={result?.ok ? result.message : 'invite'}>
        <input type="hidden" name="intent" value="invite" />
        <ErrorSummary errors={errors} labels={{ email: 'E-mail address' }} />
        <FieldRow name="email" label="E-mail address" hint="We e-mail them a link to join this shop as a barber." error={errors.email}>
          <input {...describe('email', errors.email, true)} type="email" autoComplete="off" defaultValue={result && !result.ok ? result.email : ''} />
        </FieldRow>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Sending…' : 'Send invitation'}
          </button>
        </div>
        <div aria-live="polite">
          {result ? (
            <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'notice' : 'error-text'}>
              {result.message}
            </p>
          ) : null}
        </div>
      </fetcher.Form>
    </section>
  );
}

export default function BarbersPageView() {
  const { page } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as BarbersActionData | undefined;
  const hydrated = useHydrated();
  const base = `/manage/${useParams().shopId ?? ''}/barbers`;
  return (
    <section className="manage-shop barbers-page" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Barbers</h1>
      {page.resolve ? <Resolve resolve={page.resolve} result={result} /> : null}
      <table className="office-table">
        <caption>{`Barbers at ${page.shopName}`}</caption>
        <thead>
          <tr>
            <th scope="col">Barber</th>
            <th scope="col">E-mail</th>
            <th scope="col">Joined</th>
            <th scope="col" className="num">
              Upcoming
            </th>
            <th scope="col">Status</th>
            <th scope="col">Links</th>
          </tr>
        </thead>
        <tbody>
          {page.barbers.map((b) => (
            <tr key={b.id} className={b.active ? undefined : 'status-inactive'}>
              <th scope="row">{b.name}</th>
              <td data-label="E-mail">{b.email}</td>
              <td data-label="Joined">{b.joined}</td>
              <td data-label="Upcoming" className="num">
                {`${b.upcoming} appointment${b.upcoming === 1 ? '' : 's'}`}
              </td>
              <td data-label="Status">{b.active ? 'Active' : 'Deactivated'}</td>
              <td data-label="Links">
                <ul className="barber-actions">
                  <li>
                    <a href={`/work/hours?barber=${b.id}`}>
                      Hours<span className="sr-only">{` of ${b.name}`}</span>
                    </a>
                  </li>
                  <li>
                    <a href={`/work?barber=${b.id}`}>
                      Day sheet<span className="sr-only">{` of ${b.name}`}</span>
                    </a>
                  </li>
                  <li>
                    <Link to={`${base}?deactivate=${b.id}`}>
                      {b.active ? 'Deactivate…' : 'Resolve appointments'}
                      <span className="sr-only">{` ${b.name}`}</span>
                    </Link>
                  </li>
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.barbers.length === 0 ? <p>No barbers yet: invite the first one below.</p> : null}
      <InviteForm pageResult={result} />
      {page.invitations.length > 0 ? (
        <section aria-labelledby="invitations-heading">
          <h2 id="invitations-heading">Open invitations</h2>
          <ul>
            {page.invitations.map((i) => (
              <li key={i.id}>
                <strong>{i.email}</strong>: {i.status}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <p className="muted">Times are in the shop’s time zone ({page.zone}).</p>
    </section>
  );
}

export function ErrorBoundary() {
  return <OfficeErrorBoundary title="Barbers" />;
}
