import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { HoursEditor } from '../components/barber-hours';
import { useHydrated } from '../components/hydrated';
import { PageProblem } from '../components/office-nav';
import css from '../styles/barber.css?url';
import { privateHeaders } from './account.server';
import { loadHours, saveHours } from './work.hours.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Hours — ${data.page.barberName} — BookedBarber` : 'Hours — BookedBarber' },
];

export const headers = privateHeaders;

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadHours(context.services, request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return saveHours(context.services, request);
}

export default function HoursPage() {
  const { page, problem } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>()?.result;
  const navigation = useNavigation();
  const hydrated = useHydrated();
  const summary = useRef<HTMLDivElement>(null);
  const saving = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'save';
  useEffect(() => {
    if (result && result.kind !== 'draft') summary.current?.focus();
  }, [result]);
  if (!page) return <PageProblem title="Hours" problem={problem} hydrated={hydrated} />;
  const days = result && result.kind !== 'saved' && result.days.length ? result.days : page.days;
  const errors = result?.kind === 'refused' ? result.errors : [];
  return (
    <section className="narrow" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>{page.own ? 'Your weekly hours' : `${page.barberName}: weekly hours`}</h1>
      <p className="muted">
        Times are the shop&apos;s ({page.timezone}). Several intervals on one day make breaks: 09:00–12:30 and 13:30–18:00 leave 12:30–13:30
        free. An end of 00:00 is midnight.
      </p>
      <div ref={summary} tabIndex={-1} className="alerts" aria-live="polite">
        {result?.kind === 'saved' ? (
          <div className="saved" role="status">
            <p>{result.text}</p>
            {result.stranded.length ? (
              <>
                <p>These bookings are now outside the hours (they are not cancelled — move or cancel them from the day sheet):</p>
                <ul>
                  {result.stranded.map((s) => (
                    <li key={s}>{s}</li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        ) : null}
        {result?.kind === 'refused' ? (
          <div className="error-summary" role="alert">
            <h2>The hours were not saved</h2>
            {errors.length ? (
              <ul>
                {errors.map((e) => (
                  <li key={`${e.field}-${e.text}`}>
                    <a href={`#${e.field}`}>{e.text}</a>
                  </li>
                ))}
              </ul>
            ) : (
              <p>{result.text}</p>
            )}
          </div>
        ) : null}
      </div>
      <Form method="post" className="barber-form" noValidate>
        <HoursEditor key={JSON.stringify(days)} initial={days} errors={errors} saving={saving} />
        <div className="barber-actions">
          <button type="submit" name="intent" value="save" className="primary" disabled={saving} aria-disabled={saving}>
            {saving ? 'Saving…' : 'Save hours'}
          </button>
        </div>
      </Form>
    </section>
  );
}
