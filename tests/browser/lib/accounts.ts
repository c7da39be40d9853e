/**
 * Clients for a spec: a fresh account per test (never shared, so specs stay independent),
 * registered through the API and verified through the link the app e-mailed, and signing in
 * through the login page as a person would.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../../worker/db/seed/demo.ts';
import { api, linkFromOutbox } from './api.ts';
import { waitForHydration } from './browser.ts';

export interface Client {
  id: string;
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  /** A bearer token for arranging things through the API. */
  accessToken: string;
}

/** A password the app's strength check accepts. */
export const CLIENT_PASSWORD = 'harbour-lantern-9-quill';

/** Demo accounts seeded by `npm start` (shared: read them, do not change them). */
export const DEMO = {
  password: DEMO_PASSWORD,
  client: 'client6@example.test',
  fadeStreetOwner: 'owner@fadestreet.test',
} as const;

export function uniqueEmail(tag = 'client'): string {
  return `${tag}-${randomUUID().slice(0, 8)}@example.test`;
}

/** Registers a new client; `verify` (default) also opens the e-mailed link's API call. */
export async function registerClient(opts: { verify?: boolean; firstName?: string; lastName?: string } = {}): Promise<Client> {
  const email = uniqueEmail();
  const firstName = opts.firstName ?? 'Robin';
  const lastName = opts.lastName ?? 'Tester';
  const session = await api<{ access_token: string; user: { id: string } }>('/api/v1/auth/register', {
    body: { email, password: CLIENT_PASSWORD, first_name: firstName, last_name: lastName },
  });
  const client: Client = { id: session.user.id, email, password: CLIENT_PASSWORD, firstName, lastName, accessToken: session.access_token };
  if (opts.verify ?? true) await verifyEmail(client.email);
  return client;
}

/** Verifies the address with the token from the e-mail the app sent it. */
export async function verifyEmail(email: string): Promise<void> {
  const link = await linkFromOutbox(email, '/verify-email');
  const token = link.searchParams.get('token');
  assert.ok(token, `the verification link has no token: ${link}`);
  await api('/api/v1/auth/verify-email', { body: { token } });
}

/** Signs in through /login (optionally with ?next=), leaving the session cookie in the context. */
export async function signInThroughPage(page: Page, who: { email: string; password: string }, next?: string): Promise<void> {
  await page.goto(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
  await waitForHydration(page);
  await page.getByLabel('E-mail').fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await Promise.all([
    page.waitForURL((url) => url.pathname !== '/login'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await waitForHydration(page);
}
