import type { Services } from '../worker/services/container';

declare module '@remix-run/cloudflare' {
  interface AppLoadContext {
    cloudflare: { env: Env; ctx: ExecutionContext };
    services: Services;
    requestId: string;
  }
  interface Future {
    v3_singleFetch: true;
  }
}

export {};
