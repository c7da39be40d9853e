import { neonConfig } from '@neondatabase/serverless';

type EndpointFn = (host: string, port: number | string, options?: { jwtAuth?: boolean }) => string;

const neonDefault = neonConfig.fetchEndpoint as EndpointFn;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Where the Neon HTTP driver posts a query, derived from the connection string's host — so the
 * only difference between production and a local run is DATABASE_URL. A loopback host means our
 * dev endpoint (dev/neon-http.ts) on that port; anything else is Neon's own derivation.
 */
export const neonEndpoint: EndpointFn = (host, port, options) =>
  isLoopback(host) ? `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port || 5432}/sql` : neonDefault(host, port, options);

/** Installs the endpoint rule and an optional fetch wrapper; idempotent, global to the isolate. */
export function configureNeonDriver(fetchFunction?: typeof fetch): void {
  if (neonConfig.fetchEndpoint !== neonEndpoint) neonConfig.fetchEndpoint = neonEndpoint;
  if (fetchFunction && neonConfig.fetchFunction !== fetchFunction) neonConfig.fetchFunction = fetchFunction;
}
