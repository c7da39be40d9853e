import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, useActionData, useFetcher, useLoaderData, useNavigation } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { PageProblem } from '../components/office-nav';
import css from '../styles/barber.css?url';
import { privateHeaders } from './account.server';
import { changeTimeOff, loadTimeOff } from './work.time-off.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Time off — ${data.page.barberName} — BookedBarber` : 'Time off — BookedBarber' },
];

export const headers = privateHeaders;

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadTimeOff(context.services, request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return changeTimeOff(context.services, request);
}

function Block({ block }: { block: { id: string; text: string; reason: string | null } }) {
  const fetcher = useFetcher<typeof action>();
  // Optimistic: the block leaves the list as soon as Remove is pressed.
  if (fetcher.formData || fetcher.data?.result.ok) return null;
  return (
    <li>
      <span>
        {block.text}
        {block.reason ? <span className="muted"> · {block.reason}</span> : null}
      </span>
      <fetcher.Form method="post">
        <input type="hidden" name="id" value={block.id} />
        <button type="submit" name="intent" value="remove" className="danger">
          Remove<span className="sr-only">{` time off ${block.text}`}</span>
        </button>
      </fetcher.Form>
    </li>
  );
}

export default function TimeOffPage() {
  const { page, problem } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>()?.result;
  const navigation = useNavigation();
  const hydrated = useHydrated();
  if (!page) return <PageProblem title="Time off" problem={problem} hydrated={hydrated} />;
  const adding = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'add';
  const err = (f: string) => result?.errors.find((e) => e.field === f);
  return (
    <section className="narrow" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>{page.own ? 'Your time off' : `${page.barberName}: time off`}</h1>
      {result?.ok ? (
        <div className="saved" role="status">
          <p>{result.text}</p>
          {result.stranded.length ? (
            <>
              <p>These bookings fall inside it and are not cancelled — move or cancel them:</p>
              <ul>
                {result.stranded.map((s) => (
                  <li key={s}>{s}</li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
      {result && !result.ok ? (
        <div className="error-summary" role="alert">
          <h2>{result.text}</h2>
          <ul>
            {result.errors.map((e) => (
              <li key={e.field + e.text}>
                <a href={`#${e.field}`}>{e.text}</a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <h2>Upcoming</h2>
      {page.blocks.length === 0 ? <p className="muted">No time off booked.</p> : null}
      <ul className="barber-list">
        {page.blocks.map((b) => (
          <Block key={b.id} block={b} />
        ))}
      </ul>
      <h2>Add time off</h2>
      <Form method="post" className="barber-form">
        <fieldset>
          <legend>When (the shop&apos;s time, {page.timezone})</legend>
          <div className="pair">
            <label htmlFor="from">
              From
              <input id="from" name="from" type="datetime-local" required aria-invalid={err('from') ? true : undefined} />
            </label>
            <label htmlFor="to">
              Until
              <input id="to" name="to" type="datetime-local" required aria-invalid={err('to') ? true : undefined} />
            </label>
          </div>
        </fieldset>
        <label htmlFor="reason">
          Reason <span className="muted">(optional, only staff see it)</span>
          <input id="reason" name="reason" type="text" maxLength={200} />
        </label>
        <div className="barber-actions">
          <button type="submit" name="intent" value="add" className="primary" disabled={adding}>
            {adding ? 'Adding…' : 'Add time off'}
          </button>
        </div>
      </Form>
    </section>
  );
}
