import { SELF } from 'cloudflare:test';
import { origin } from '../worker/harness';
import { apiClient, type ApiClient } from './client';

/** The typed client over the Worker under test (its fetch handler and bindings, like harness.call). */
export function workerApi(token?: string, headers?: Record<string, string>): ApiClient {
  return apiClient({ fetch: (request) => SELF.fetch(request), baseUrl: origin, ...(token ? { token } : {}), ...(headers ? { headers } : {}) });
}
