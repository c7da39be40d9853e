import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { useActionData, useFetcher, useLoaderData } from '@remix-run/react';
import { useHydrated } from '../components/hydrated';
import { describe, ErrorSummary, FieldRow, OfficeErrorBoundary } from '../components/manage-shop-fields';
import css from '../styles/manage-shop.css?url';
import { privateHeaders } from './account.server';
import { loadServices, servicesAction, type ServiceRow, type ServicesActionData } from './manage.$shopId.services.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Services & prices — ${data.page.shopName} — BookedBarber` : 'Services & prices — BookedBarber' },
];

export const headers = privateHeaders;

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  return loadServices(context.services, request, params.shopId);
}

export async function action({ context, params, request }: ActionFunctionArgs) {
  return servicesAction(context.services, request, params.shopId);
}

/** A form's answer: the words, and focusable so the outcome is announced where the form is. */
function Outcome({ result }: { result: ServicesActionData | undefined }) {
  if (!result) return null;
  return (
    <p role={result.ok ? 'status' : 'alert'} className={result.ok ? 'notice' : 'error-text'}>
      {result.message}
    </p>
  );
}

/** A form's answer: its fetcher's, or (a post without JavaScript) the page's own action data for it. */
function useResult(fetcher: { data?: unknown }, formKey: string): ServicesActionData | undefined {
  const page = useActionData<typeof action>() as ServicesActionData | undefined;
  return (fetcher.data as ServicesActionData | undefined) ?? (page?.form === formKey ? page : undefined);
}

/** Each form posts through its own fetcher: pending per form, and without JavaScript a plain post. */
function ServiceFieldsForm({ id, service, currency }: { id: string; service?: ServiceRow; currency: string }) {
  const fetcher = useFetcher<typeof action>();
  const result = useResult(fetcher, service ? `${service.id}:fields` : 'create');
  const errors = result && !result.ok ? result.errors : {};
  const v = result && !result.ok ? result.values : null;
  const prefix = `${id}-`;
  const busy = fetcher.state !== 'idle';
  const labels = { [`${prefix}name`]: 'Name', [`${prefix}price`]: `Price (${currency})`, [`${prefix}duration`]: 'Duration (minutes)' };
  const errs = Object.fromEntries(Object.entries(errors).map(([k, m]) => [`${prefix}${k}`, m]));
  return (
    // A service added: the add form starts empty again.
    <fetcher.Form method="post" noValidate key={!service && result?.ok ? result.message : 'fields'}>
      <input type="hidden" name="intent" value={service ? 'update' : 'create'} />
      {service ? <input type="hidden" name="service_id" value={service.id} /> : null}
      <ErrorSummary errors={errs} labels={labels} />
      <div className="service-edit">
        <FieldRow name={`${prefix}name`} label="Name" error={errs[`${prefix}name`]}>
          <input {...describe(`${prefix}name`, errs[`${prefix}name`])} name="name" defaultValue={v?.name ?? service?.name ?? ''} autoComplete="off" />
        </FieldRow>
        <FieldRow name={`${prefix}price`} label={`Price (${currency})`} error={errs[`${prefix}price`]}>
          <input {...describe(`${prefix}price`, errs[`${prefix}price`])} name="price" inputMode="decimal" defaultValue={v?.price ?? service?.price ?? ''} size={8} />
        </FieldRow>
        <FieldRow name={`${prefix}duration`} label="Duration (minutes)" error={errs[`${prefix}duration`]}>
          <input {...describe(`${prefix}duration`, errs[`${prefix}duration`])} name="duration" inputMode="numeric" defaultValue={v?.duration ?? service?.duration ?? '30'} size={5} />
        </FieldRow>
        {service ? (
          <div className="field checkbox">
            <input type="checkbox" id={`${prefix}active`} name="active" defaultChecked={v ? v.active === 'on' : service.active} />
            <label htmlFor={`${prefix}active`}>Bookable (unticked: retired)</label>
          </div>
        ) : (
          <FieldRow name={`${prefix}description`} label="Description (optional)">
            <input id={`${prefix}description`} name="description" defaultValue={v?.description ?? ''} />
          </FieldRow>
        )}
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : service ? `Save ${service.name}` : 'Add service'}
        </button>
      </div>
      <div aria-live="polite">
        <Outcome result={result} />
      </div>
    </fetcher.Form>
  );
}

function OfferingsForm({ service, currency }: { service: ServiceRow; currency: string }) {
  const fetcher = useFetcher<typeof action>();
  const result = useResult(fetcher, `${service.id}:offerings`);
  const errors = result && !result.ok ? result.errors : {};
  const v = result && !result.ok ? result.values : null;
  const busy = fetcher.state !== 'idle';
  const labels: Record<string, string> = {};
  for (const o of service.offerings) {
    labels[`price_${o.barberId}`] = `${o.barberName}: price`;
    labels[`duration_${o.barberId}`] = `${o.barberName}: duration`;
  }
  const ids = Object.fromEntries(Object.entries(errors).map(([k, m]) => [`${service.id}-${k}`, m]));
  const idLabels = Object.fromEntries(Object.entries(labels).map(([k, l]) => [`${service.id}-${k}`, l]));
  return (
    <fetcher.Form method="post" noValidate>
      <input type="hidden" name="intent" value="offerings" />
      <input type="hidden" name="service_id" value={service.id} />
      <ErrorSummary errors={ids} labels={idLabels} />
      <table className="office-table offerings-table">
        <caption>{`Who offers ${service.name}, at what price and length`}</caption>
        <thead>
          <tr>
            <th scope="col">Barber</th>
            <th scope="col">Offers it</th>
            <th scope="col">{`Own price (${currency})`}</th>
            <th scope="col">Own duration (min)</th>
            <th scope="col">Clients pay</th>
          </tr>
        </thead>
        <tbody>
          {service.offerings.map((o) => {
            const pid = `${service.id}-price_${o.barberId}`;
            const did = `${service.id}-duration_${o.barberId}`;
            return (
              <tr key={o.barberId}>
                <th scope="row">{o.barberName}</th>
                <td data-label="Offers it">
                  <input
                    type="checkbox"
                    name={`offers_${o.barberId}`}
                    aria-label={`${o.barberName} offers ${service.name}`}
                    defaultChecked={v ? v[`offers_${o.barberId}`] === 'on' : o.offers}
                  />
                </td>
                <td data-label="Own price">
                  <input
                    id={pid}
                    name={`price_${o.barberId}`}
                    inputMode="decimal"
                    placeholder={service.price}
                    aria-label={`${o.barberName}: own price for ${service.name}, empty for ${service.priceText}`}
                    aria-invalid={ids[pid] ? true : undefined}
                    aria-describedby={ids[pid] ? `${pid}-error` : undefined}
                    defaultValue={v ? v[`price_${o.barberId}`] : o.price}
                  />
                  {ids[pid] ? (
                    <span id={`${pid}-error`} className="error-text">
                      {ids[pid]}
                    </span>
                  ) : null}
                </td>
                <td data-label="Own duration">
                  <input
                    id={did}
                    name={`duration_${o.barberId}`}
                    inputMode="numeric"
                    placeholder={service.duration}
                    aria-label={`${o.barberName}: own duration for ${service.name} in minutes, empty for ${service.durationText}`}
                    aria-invalid={ids[did] ? true : undefined}
                    aria-describedby={ids[did] ? `${did}-error` : undefined}
                    defaultValue={v ? v[`duration_${o.barberId}`] : o.duration}
                  />
                  {ids[did] ? (
                    <span id={`${did}-error`} className="error-text">
                      {ids[did]}
                    </span>
                  ) : null}
                </td>
                <td data-label="Clients pay">{o.effective}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="hint muted">Leave a price or duration empty to use the service’s own.</p>
      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : `Save barbers’ prices for ${service.name}`}
        </button>
      </div>
      <div aria-live="polite">
        <Outcome result={result} />
      </div>
    </fetcher.Form>
  );
}

export default function ServicesPage() {
  const { page } = useLoaderData<typeof loader>();
  const hydrated = useHydrated();
  return (
    <section className="manage-shop services-page" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Services & prices</h1>
      <p className="muted">
        Prices in {page.currency}. Clients see them on <a href={`/s/${page.shopSlug}`}>the shop’s page</a>.
      </p>
      <table className="office-table">
        <caption>The shop’s services</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Duration</th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {page.services.map((s) => (
            <tr key={s.id} className={s.active ? undefined : 'status-inactive'}>
              <th scope="row">
                <a href={`#service-${s.id}`}>{s.name}</a>
              </th>
              <td data-label="Duration">{s.durationText}</td>
              <td data-label="Price" className="num">
                {s.priceText}
              </td>
              <td data-label="Status">{s.active ? 'Bookable' : 'Retired'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.services.length === 0 ? <p>No services yet: add the first one below.</p> : null}

      <section className="service-card" aria-labelledby="add-service">
        <h2 id="add-service">Add a service</h2>
        <ServiceFieldsForm id="new" currency={page.currency} />
      </section>

      {page.services.map((s) => (
        <section key={s.id} id={`service-${s.id}`} className="service-card" aria-labelledby={`service-${s.id}-title`}>
          <h2 id={`service-${s.id}-title`}>
            {s.name}
            {s.active ? '' : ' (retired)'}
          </h2>
          <ServiceFieldsForm id={s.id} service={s} currency={page.currency} />
          {page.hasBarbers ? <OfferingsForm service={s} currency={page.currency} /> : <p className="muted">No active barbers yet: invite one on the Barbers page.</p>}
        </section>
      ))}
    </section>
  );
}

export function ErrorBoundary() {
  return <OfficeErrorBoundary title="Services & prices" />;
}
