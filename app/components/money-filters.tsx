import { Form, useNavigation } from '@remix-run/react';

/** The payment kinds as the payments service names them, in words. */
export const KINDS = { deposit: 'Deposit', full: 'Paid in full', fee: 'Fee', refund: 'Refund' } as const;

/** The payment statuses as the payments service names them, in words. */
export const STATUSES = {
  succeeded: 'Paid',
  processing: 'Processing',
  requires_payment: 'Not charged yet',
  failed: 'Failed',
  canceled: 'Cancelled',
  refunded: 'Refunded',
} as const;

export interface PaymentFilterValues {
  kind: string;
  status: string;
  barber: string;
  /** YYYY-MM-DD in the shop's zone. */
  from: string;
  to: string;
}

/** The payments list's filters: a plain GET form (the page's query string is the state). */
export function PaymentFilters({ filters: f, barbers }: { filters: PaymentFilterValues; barbers: { id: string; name: string }[] }) {
  const busy = useNavigation().state === 'loading';
  return (
    <Form method="get" className="money-filters" aria-label="Filter payments">
      <label>
        Kind
        <select name="kind" defaultValue={f.kind}>
          <option value="">Any kind</option>
          {Object.entries(KINDS).map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Status
        <select name="status" defaultValue={f.status}>
          <option value="">Any status</option>
          {Object.entries(STATUSES).map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      {barbers.length > 0 ? (
        <label>
          Barber
          <select name="barber" defaultValue={f.barber}>
            <option value="">Every barber</option>
            {barbers.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label>
        From
        <input type="date" name="from" defaultValue={f.from} />
      </label>
      <label>
        To
        <input type="date" name="to" defaultValue={f.to} />
      </label>
      <button type="submit" disabled={busy}>
        {busy ? 'Loading…' : 'Show'}
      </button>
    </Form>
  );
}
