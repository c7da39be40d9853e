import createClient, { type Client } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

/**
 * A client typed by the OpenAPI document (schema.d.ts is generated from it): a request or a
 * response whose shape the routes no longer have stops the tests that use it from typechecking.
 */
export type ApiClient = Client<paths>;

/** The document's named schemas: `Schemas['Appointment']`, `Schemas['CreateAppointment']`, … */
export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
/** The query parameters of an operation, by its operationId. */
export type QueryOf<K extends keyof operations> = NonNullable<operations[K]['parameters']['query']>;

export interface ApiClientOptions {
  /** How requests reach the Worker: `SELF.fetch` in workerd tests, globalThis.fetch against a server. */
  fetch: (request: Request) => Promise<Response>;
  /** An access token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  baseUrl?: string;
  headers?: Record<string, string>;
}

export function apiClient({ fetch, token, baseUrl = 'http://bookedbarber.test', headers = {} }: ApiClientOptions): ApiClient {
  return createClient<paths>({
    baseUrl,
    // Wrapped: a bound Fetcher (SELF) and globalThis.fetch both take the Request as it is.
    fetch: (request) => fetch(request),
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

interface Result<D, E> {
  data?: D;
  error?: E;
  response: Response;
}

/** The body of a successful answer; anything else fails with the status and the problem sent. */
export function ok<D, E>(result: Result<D, E>): D {
  if (result.error !== undefined || !result.response.ok) {
    throw new Error(`expected success, got ${result.response.status}: ${JSON.stringify(result.error)}`);
  }
  return result.data as D;
}

/** The problem+json of a refused request (checked to be one), typed by the document. */
export function problem<D, E>(result: Result<D, E>): Problem {
  const type = result.response.headers.get('content-type') ?? '';
  if (result.response.ok || !type.startsWith('application/problem+json')) {
    throw new Error(`expected problem+json, got ${result.response.status} ${type}: ${JSON.stringify(result.error ?? result.data)}`);
  }
  return result.error as Problem;
}
