import { useEffect, useRef } from 'react';
import { useRevalidator } from '@remix-run/react';

/** What a refused join brings back to the page: words for the form and beside each field. */
export interface WalkInFailure {
  ok: false;
  text: string;
  fields: Partial<Record<'service' | 'barber' | 'first_name' | 'phone' | 'form', string>>;
  values: { first_name: string; phone: string };
}

export function isFailure(x: unknown): x is WalkInFailure {
  return typeof x === 'object' && x !== null && (x as { ok?: unknown }).ok === false && 'fields' in x;
}

/**
 * First name and mobile number, each with its error beside it (linked for screen readers). `idPrefix`
 * keeps ids unique when a page shows two forms.
 */
export function WalkInPersonFields({ failure, idPrefix = 'walk-in', big = false }: { failure?: WalkInFailure | null; idPrefix?: string; big?: boolean }) {
  const nameError = failure?.fields.first_name;
  const phoneError = failure?.fields.phone;
  const firstInvalid = useRef<HTMLInputElement>(null);
  const phoneRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (nameError) firstInvalid.current?.focus();
    else if (phoneError) phoneRef.current?.focus();
  }, [failure, nameError, phoneError]);
  return (
    <>
      <label className={big ? 'walk-in-big-field' : undefined}>
        <span>First name</span>
        <input
          ref={firstInvalid}
          name="first_name"
          autoComplete="given-name"
          required
          maxLength={100}
          defaultValue={failure?.values.first_name ?? ''}
          aria-invalid={nameError ? true : undefined}
          aria-describedby={nameError ? `${idPrefix}-name-error` : undefined}
        />
        {nameError ? (
          <span id={`${idPrefix}-name-error`} className="error-text">
            {nameError}
          </span>
        ) : null}
      </label>
      <label className={big ? 'walk-in-big-field' : undefined}>
        <span>Mobile number</span>
        <input
          ref={phoneRef}
          name="phone"
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          required
          maxLength={40}
          defaultValue={failure?.values.phone ?? ''}
          aria-invalid={phoneError ? true : undefined}
          aria-describedby={phoneError ? `${idPrefix}-phone-error` : `${idPrefix}-phone-hint`}
        />
        {phoneError ? (
          <span id={`${idPrefix}-phone-error`} className="error-text">
            {phoneError}
          </span>
        ) : (
          <span id={`${idPrefix}-phone-hint`} className="hint muted">
            We text this number when it’s your turn.
          </span>
        )}
      </label>
    </>
  );
}

/** Asks the loaders again every `ms` while the tab is visible (nothing to do without JavaScript). */
export function useAutoRefresh(ms: number, enabled = true): ReturnType<typeof useRevalidator> {
  const revalidator = useRevalidator();
  const ref = useRef(revalidator);
  ref.current = revalidator;
  useEffect(() => {
    if (!enabled) return;
    const t = setInterval(() => {
      if (document.visibilityState === 'visible' && ref.current.state === 'idle') ref.current.revalidate();
    }, ms);
    return () => clearInterval(t);
  }, [ms, enabled]);
  return revalidator;
}
