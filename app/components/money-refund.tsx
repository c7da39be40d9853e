import { useFetcher } from '@remix-run/react';

export interface RefundLine {
  id: string;
  appointmentId: string;
  client: string;
  amount: string;
  currency: string;
  refundable: { cents: number; text: string; input: string } | null;
}

export interface RefundAnswer {
  id: string;
  ok: boolean;
  step: 'review' | 'edit' | 'done' | 'error';
  text: string;
  amountCents: number | null;
  amountInput: string;
  field: boolean;
}

/**
 * The Refund action of one charge, in two steps: the amount (all that is left by default) →
 * "Review refund" → the page asks to confirm → "Yes, refund". Without JavaScript the same forms
 * post to the page and `answer` comes back with the document; with it, a fetcher keeps the
 * place in the list.
 */
export function MoneyRefund({ line, answer: fromDocument, action }: { line: RefundLine; answer: RefundAnswer | undefined; action: string }) {
  const fetcher = useFetcher<RefundAnswer>();
  const answer = fetcher.data ?? fromDocument;
  const busy = fetcher.state !== 'idle';
  const intent = busy ? String(fetcher.formData?.get('intent') ?? '') : '';
  const left = line.refundable;
  const inputId = `refund-amount-${line.id}`;
  const errorId = `refund-error-${line.id}`;
  const hintId = `refund-hint-${line.id}`;
  const reviewing = answer?.step === 'review' && answer.ok && !(busy && intent === 'edit');
  const fieldError = answer && !answer.ok && answer.field ? answer.text : null;
  const otherError = answer && !answer.ok && !answer.field ? answer.text : null;
  const done = answer?.step === 'done' && !busy ? answer.text : null;
  if (!left) {
    return done ? (
      <p role="status" className="money-done">
        {done}
      </p>
    ) : null;
  }
  const open = answer !== undefined && answer.step !== 'done';
  return (
    <>
      {done ? (
        <p role="status" className="money-done">
          {done}
        </p>
      ) : null}
      <details className="money-refund" open={open || undefined}>
        <summary>
          Refund<span className="sr-only">{` ${line.client}’s ${line.amount}`}</span>
        </summary>
        <fetcher.Form method="post" action={action} className="money-refund-form" aria-busy={busy}>
          <input type="hidden" name="payment" value={line.id} />
          <input type="hidden" name="appointment" value={line.appointmentId} />
          {reviewing ? (
            <div className="money-confirm">
              <input type="hidden" name="amount" value={answer.amountInput || left.input} />
              <p role="status">{answer.text}</p>
              <div className="money-buttons">
                <button type="submit" name="intent" value="refund" className="danger" disabled={busy} aria-disabled={busy}>
                  {busy && intent === 'refund' ? 'Refunding…' : 'Yes, refund'}
                </button>
                <button type="submit" name="intent" value="edit" disabled={busy}>
                  Change amount
                </button>
              </div>
            </div>
          ) : (
            <>
              <label htmlFor={inputId}>{`Amount to refund (${line.currency})`}</label>
              <input
                key={answer ? `${answer.step}:${answer.text}` : 'new'}
                id={inputId}
                name="amount"
                inputMode="decimal"
                autoComplete="off"
                defaultValue={answer?.amountInput || left.input}
                aria-invalid={fieldError ? true : undefined}
                aria-describedby={fieldError ? `${errorId} ${hintId}` : hintId}
              />
              <p id={hintId} className="hint">{`${left.text} left to refund`}</p>
              {fieldError ? (
                <p id={errorId} role="alert" className="error-text">
                  {fieldError}
                </p>
              ) : null}
              <button type="submit" name="intent" value="review" disabled={busy} aria-disabled={busy}>
                {busy && intent === 'review' ? 'Checking…' : 'Review refund'}
              </button>
            </>
          )}
          {otherError ? (
            <p role="alert" className="error-text">
              {otherError}
            </p>
          ) : null}
        </fetcher.Form>
      </details>
    </>
  );
}
