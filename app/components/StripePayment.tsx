import { useEffect, useRef, useState, type FormEvent } from 'react';

interface StripeLike {
  elements(options: { clientSecret: string }): { create(type: 'payment'): { mount(el: HTMLElement): void }; submit(): Promise<{ error?: { message?: string } }> };
  confirmPayment(options: unknown): Promise<{ error?: { message?: string } }>;
  confirmSetup(options: unknown): Promise<{ error?: { message?: string } }>;
}

declare global {
  interface Window {
    Stripe?: (key: string) => StripeLike;
  }
}

let loading: Promise<void> | null = null;

/** Stripe.js, loaded only on this page and only once hydrated: never render-blocking. */
function loadStripe(): Promise<void> {
  if (window.Stripe) return Promise.resolve();
  loading ??= new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = 'https://js.stripe.com/v3';
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => {
      loading = null;
      reject(new Error('Stripe.js did not load'));
    };
    document.head.appendChild(script);
  });
  return loading;
}

/** Stripe's Payment Element; on success Stripe sends the browser to the confirmation page. */
export function StripePayment(props: { publishableKey: string; clientSecret: string; kind: 'deposit' | 'full' | 'setup'; returnUrl: string; amount: string }) {
  const mountRef = useRef<HTMLDivElement>(null);
  const [stripe, setStripe] = useState<{ s: StripeLike; elements: ReturnType<StripeLike['elements']> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let cancelled = false;
    loadStripe()
      .then(() => {
        if (cancelled || !window.Stripe || !mountRef.current) return;
        const s = window.Stripe(props.publishableKey);
        const elements = s.elements({ clientSecret: props.clientSecret });
        elements.create('payment').mount(mountRef.current);
        setStripe({ s, elements });
      })
      .catch(() => setError('The card form could not load. Check your connection and reload the page.'));
    return () => {
      cancelled = true;
    };
  }, [props.publishableKey, props.clientSecret]);
  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!stripe) return;
    setBusy(true);
    setError(null);
    const options = { elements: stripe.elements, confirmParams: { return_url: new URL(props.returnUrl, window.location.href).href } };
    const result = props.kind === 'setup' ? await stripe.s.confirmSetup(options) : await stripe.s.confirmPayment(options);
    // Only an error comes back: success leaves the page for return_url.
    setError(result.error?.message ?? 'The payment did not go through.');
    setBusy(false);
  }
  return (
    <form onSubmit={onSubmit} className="stack">
      <div ref={mountRef} className="payment-element" aria-busy={!stripe}>
        {!stripe && !error ? <p className="muted">Loading the secure card form…</p> : null}
      </div>
      {error ? (
        <p role="alert" className="error-text">
          {error}
        </p>
      ) : null}
      <button type="submit" className="primary" disabled={!stripe || busy}>
        {busy ? 'Paying…' : props.kind === 'setup' ? 'Save card' : `Pay ${props.amount}`}
      </button>
    </form>
  );
}
