import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/cloudflare';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useState, type FormEvent } from 'react';
import { useHydrated } from '../components/hydrated';
import { describe, ErrorSummary, FieldRow, OfficeErrorBoundary } from '../components/manage-shop-fields';
import {
  MONEY_RULES,
  NUMBER_FIELDS,
  parsePolicy,
  PolicyPreview,
  policyLabels,
  RULE_KINDS,
  RULE_LEGENDS,
  valuesOf,
  type MoneyRuleName,
  type PolicyValues,
} from '../components/policy-form';
import css from '../styles/manage-shop.css?url';
import { privateHeaders } from './account.server';
import { loadPolicy, policyAction } from './manage.$shopId.policy.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: css }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.page ? `Booking policy — ${data.page.shopName} — BookedBarber` : 'Booking policy — BookedBarber' },
];

export const headers = privateHeaders;

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  return loadPolicy(context.services, request, params.shopId);
}

export async function action({ context, params, request }: ActionFunctionArgs) {
  return policyAction(context.services, request, params.shopId);
}

function RuleFieldset({ rule, values, errors, currency, hydrated }: { rule: MoneyRuleName; values: PolicyValues; errors: Record<string, string>; currency: string; hydrated: boolean }) {
  const kind = values[`${rule}_kind`];
  // Without JavaScript both amount inputs show; with it, the one the chosen kind uses.
  const show = (k: 'percent' | 'fixed') => !hydrated || kind === k;
  return (
    <fieldset className="policy-rule">
      <legend>{RULE_LEGENDS[rule]}</legend>
      <FieldRow name={`${rule}_kind`} label="Charge" error={errors[`${rule}_kind`]}>
        <select {...describe(`${rule}_kind`, errors[`${rule}_kind`])} defaultValue={kind}>
          {RULE_KINDS[rule].map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </FieldRow>
      <div className="policy-amounts">
        <div hidden={!show('percent')}>
          <FieldRow name={`${rule}_percent`} label="Percentage of the price" hint="Used when the charge is a percentage." error={errors[`${rule}_percent`]}>
            <input {...describe(`${rule}_percent`, errors[`${rule}_percent`], true)} inputMode="numeric" defaultValue={values[`${rule}_percent`]} size={5} />
          </FieldRow>
        </div>
        <div hidden={!show('fixed')}>
          <FieldRow name={`${rule}_fixed`} label={`Amount (${currency})`} hint="Used when the charge is a fixed amount." error={errors[`${rule}_fixed`]}>
            <input {...describe(`${rule}_fixed`, errors[`${rule}_fixed`], true)} inputMode="decimal" defaultValue={values[`${rule}_fixed`]} size={8} />
          </FieldRow>
        </div>
      </div>
    </fieldset>
  );
}

export default function PolicyPage() {
  const { page } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const hydrated = useHydrated();
  const initial = result?.values ?? page.values;
  const [live, setLive] = useState<{ key: unknown; values: PolicyValues; service: string | null }>({ key: result, values: initial, service: result?.previewService ?? null });
  // A new server answer (saved, or refused) resets the live copy to what the server returned.
  const current = live.key === result ? live : { key: result, values: initial, service: result?.previewService ?? null };
  const errors = result?.errors ?? {};
  const labels = policyLabels(page.currency);
  const pending = navigation.state !== 'idle' && navigation.formMethod === 'POST' ? String(navigation.formData?.get('intent') ?? '') : null;

  const previewId = current.service ?? page.prices[0]?.id ?? '';
  const price = page.prices.find((p) => p.id === previewId) ?? page.prices[0];
  // The live preview: the same parsing and the same words as the server's, on every keystroke.
  const parsed = parsePolicy(current.values, result?.policy ?? page.policy, page.currency);
  const previewPolicy = Object.keys(parsed.errors).length === 0 ? parsed.policy : (result?.policy ?? page.policy);

  const onChange = (e: FormEvent<HTMLFormElement>) => {
    const data = new FormData(e.currentTarget);
    setLive({ key: result, values: valuesOf(data), service: typeof data.get('preview_service') === 'string' ? String(data.get('preview_service')) : null });
  };

  return (
    <section className="manage-shop policy-page" data-hydrated={hydrated ? 'true' : 'false'}>
      <h1>Booking policy</h1>
      <p className="muted">What clients pay when they book, and what happens when they cancel late or do not come.</p>
      <ErrorSummary errors={errors} labels={labels} />
      {result?.saved ? (
        <p role="status" className="notice">
          Policy saved. Clients see the new rules from their next booking.
        </p>
      ) : null}
      <Form method="post" className="policy-layout" onChange={onChange} key={result?.saved ? 'saved' : 'form'} noValidate>
        <div className="policy-fields">
          {MONEY_RULES.map((rule) => (
            <RuleFieldset key={rule} rule={rule} values={current.values} errors={errors} currency={page.currency} hydrated={hydrated} />
          ))}
          <fieldset>
            <legend>Card on file</legend>
            <div className="field checkbox">
              <input type="checkbox" id="card_on_file" name="card_on_file" defaultChecked={current.values.card_on_file === 'on'} aria-describedby="card_on_file-hint" />
              <label htmlFor="card_on_file">Ask online clients for a card on file</label>
              <span id="card_on_file-hint" className="hint muted">
                So late-cancellation and no-show fees can be charged later.
              </span>
            </div>
          </fieldset>
          <fieldset>
            <legend>Times and limits</legend>
            <div className="policy-numbers">
              {NUMBER_FIELDS.map((f) => (
                <FieldRow key={f.name} name={f.name} label={f.label} hint={f.hint} error={errors[f.name]}>
                  <input {...describe(f.name, errors[f.name], true)} inputMode="numeric" defaultValue={current.values[f.name]} size={6} />
                </FieldRow>
              ))}
            </div>
          </fieldset>
        </div>
        <aside className="policy-preview card" aria-labelledby="preview-heading">
          <h2 id="preview-heading">What a client sees</h2>
          {page.prices.length > 0 ? (
            <div className="field">
              <label htmlFor="preview_service">For a booking of</label>
              <select id="preview_service" name="preview_service" defaultValue={previewId}>
                {page.prices.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.label}
                  </option>
                ))}
              </select>
            </div>
          ) : (
            <p className="muted">Add a service to preview the amounts at its price.</p>
          )}
          <div aria-live="polite">
            <PolicyPreview policy={previewPolicy} priceCents={price?.priceCents ?? 0} currency={page.currency} locale={page.locale} />
          </div>
          <p className="hint muted">{hydrated ? 'The preview follows your changes as you type.' : 'Press “Preview” to see your changes here before saving.'}</p>
        </aside>
        <div className="form-actions">
          <button type="submit" name="intent" value="preview" disabled={pending !== null}>
            {pending === 'preview' ? 'Previewing…' : 'Preview'}
          </button>
          <button type="submit" name="intent" value="save" className="primary" disabled={pending !== null}>
            {pending === 'save' ? 'Saving…' : 'Save policy'}
          </button>
        </div>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <OfficeErrorBoundary title="Booking policy" />;
}
