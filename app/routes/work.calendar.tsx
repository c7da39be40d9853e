import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { PageProblem } from '../components/office-nav';
import css from '../styles/barber.css?url';
import { privateHeaders } from './account.server';
import { changeCalendar, loadCalendar } from './work.calendar.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Calendar — ${data.page.barberName} — BookedBarber` : 'Calendar — BookedBarber' },
];

export const headers = privateHeaders;

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadCalendar(context.services, request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return changeCalendar(context.services, request);
}

export default function CalendarPage() {
  const { page, problem } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>()?.result;
  const navigation = useNavigation();
  const hydrated = useHydrated();
  if (!page) return <PageProblem title="Calendar" problem={problem} hydrated={hydrated} />;
  const busy = (intent: string) => navigation.state === 'submitting' && navigation.formData?.get('intent') === intent;
  return (
    <section className="narrow" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>{page.own ? 'Your calendar' : `${page.barberName}: calendar`}</h1>
      {result ? (
        <p className={result.ok ? 'saved' : 'error-summary'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      ) : null}
      <section className="card" aria-labelledby="feed-heading">
        <h2 id="feed-heading">Calendar feed (ICS)</h2>
        <p className="muted">Subscribe in Apple Calendar, Outlook or Google. The link is shown once; make a new one if you lose it.</p>
        {result?.feed ? (
          <div className="barber-form">
            <label htmlFor="feed-url">
              Your feed link
              <input id="feed-url" className="feed-url" readOnly value={result.feed.url} onFocus={(e) => e.currentTarget.select()} />
            </label>
            <p>
              <a href={result.feed.webcal}>Subscribe with your calendar app</a>
              {hydrated ? (
                <>
                  {' · '}
                  <button type="button" className="link" onClick={() => void navigator.clipboard?.writeText(result.feed!.url)}>
                    Copy the link
                  </button>
                </>
              ) : null}
            </p>
          </div>
        ) : (
          <p>{page.hasFeed ? 'A feed link is active.' : 'No feed link yet.'}</p>
        )}
        <Form method="post">
          <button type="submit" name="intent" value="rotate" disabled={busy('rotate')}>
            {busy('rotate') ? 'Making a new link…' : page.hasFeed || result?.feed ? 'Rotate the link (the old one stops working)' : 'Make a feed link'}
          </button>
        </Form>
      </section>
      <section className="card" aria-labelledby="google-heading">
        <h2 id="google-heading">Google Calendar</h2>
        {!page.googleAvailable ? (
          <p className="muted">Google Calendar is not available here.</p>
        ) : page.google ? (
          <>
            <p>Connected. Bookings appear in your Google Calendar.{page.google.error ? ` Last sync failed: ${page.google.error}` : ''}</p>
            <Form method="post" className="barber-form">
              <label className="inline-check">
                <input type="checkbox" name="block_busy" defaultChecked={page.google.blockBusy} />
                Busy times in Google block my booking page
              </label>
              <div className="barber-actions">
                <button type="submit" name="intent" value="google-settings" disabled={busy('google-settings')}>
                  {busy('google-settings') ? 'Saving…' : 'Save'}
                </button>
                <button type="submit" name="intent" value="google-disconnect" className="danger" disabled={busy('google-disconnect')}>
                  {busy('google-disconnect') ? 'Disconnecting…' : 'Disconnect'}
                </button>
              </div>
            </Form>
          </>
        ) : (
          <Form method="post">
            <button type="submit" name="intent" value="google-connect" className="primary" disabled={busy('google-connect')}>
              {busy('google-connect') ? 'Opening Google…' : 'Connect Google Calendar'}
            </button>
          </Form>
        )}
      </section>
    </section>
  );
}
