import type { Services } from '../worker/services/container';

declare module '@remix-run/cloudflare' {
  interface AppLoadContext {
    cloudflare: { env: Env; ctx: ExecutionContext };
    services: Services;
    requestId: string;
    /** This response's CSP nonce: every inline script Remix renders must carry it. */
    cspNonce: string;
  }
  interface Future {
    v3_singleFetch: true;
  }
}

export {};
