import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { PageProblem } from '../components/office-nav';
import css from '../styles/barber.css?url';
import { privateHeaders } from './account.server';
import { loadServices, saveServices } from './work.services.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Services — ${data.page.barberName} — BookedBarber` : 'Services — BookedBarber' },
];

export const headers = privateHeaders;

export async function loader({ context, request }: LoaderFunctionArgs) {
  return loadServices(context.services, request);
}

export async function action({ context, request }: ActionFunctionArgs) {
  return saveServices(context.services, request);
}

export default function ServicesPage() {
  const { page, problem } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>()?.result;
  const navigation = useNavigation();
  const hydrated = useHydrated();
  if (!page) return <PageProblem title="Services" problem={problem} hydrated={hydrated} />;
  const saving = navigation.state === 'submitting';
  const err = (f: string) => result?.errors.find((e) => e.field === f);
  return (
    <section className="narrow" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>{page.own ? 'Your services' : `${page.barberName}: services`}</h1>
      <p className="muted">Tick what you do. Leave price or length empty to use the shop&apos;s.</p>
      {result?.ok ? (
        <p className="saved" role="status">
          {result.text}
        </p>
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
      <Form method="post" className="barber-form">
        {page.rows.map((r) => (
          <fieldset key={r.id} className="offering">
            <legend>{r.name}</legend>
            <label className="inline-check">
              <input type="checkbox" name="offer" value={r.id} defaultChecked={r.offered} />I do this
            </label>
            <label htmlFor={`price-${r.id}`}>
              Your price ({r.currency})
              <input id={`price-${r.id}`} name={`price-${r.id}`} inputMode="decimal" defaultValue={r.price} aria-invalid={err(`price-${r.id}`) ? true : undefined} />
            </label>
            <label htmlFor={`duration-${r.id}`}>
              Your length (minutes)
              <input id={`duration-${r.id}`} name={`duration-${r.id}`} inputMode="numeric" defaultValue={r.duration} aria-invalid={err(`duration-${r.id}`) ? true : undefined} />
            </label>
            <p className="muted">{r.shopDefault}</p>
          </fieldset>
        ))}
        <div className="barber-actions">
          <button type="submit" className="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save services'}
          </button>
        </div>
      </Form>
    </section>
  );
}
