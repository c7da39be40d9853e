/**
 * Where the browser specs point: the app `npm run test:browser` started (or one already running,
 * named by BB_BROWSER_URL), the Chromium it shares (BB_BROWSER_WS) and where pictures go.
 * Loopback only: the suite never sends a request anywhere else.
 */
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../..', import.meta.url));

export const baseUrl = process.env.BB_BROWSER_URL ?? 'http://127.0.0.1:8787';
if (!/^http:\/\/127\.0\.0\.1(:\d+)?$/.test(baseUrl)) throw new Error(`BB_BROWSER_URL must be http://127.0.0.1[:port], not ${baseUrl}`);

/** A Chromium the runner launched once for every spec file; without it each file launches its own. */
export const browserWsEndpoint = process.env.BB_BROWSER_WS;

export const artifactsDir = `${root}artifacts/`;
export const screenshotsDir = `${artifactsDir}screenshots/`;

/** Hosts a page may talk to; anything else is blocked and fails the test that caused it. */
export const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);
