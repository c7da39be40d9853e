/**
 * `npm run test:browser [-- <spec>…]`: the browser suite against `npm start`'s stack.
 *
 *  1. A fresh `.data/` (the developer's is kept aside and put back afterwards), then `npm start`
 *     exactly as a developer runs it, until "BookedBarber is running".
 *  2. One Debian Chromium (playwright-core, never a downloaded browser) shared by every spec.
 *  3. The specs — tests/browser/*.spec.ts, or those named on the command line (a path, or a part
 *     of the file name: `npm run test:browser -- login`) — through node:test, one file at a time,
 *     each in its own process, each test in a fresh browser context.
 *  4. Stops the whole stack and checks nothing of it is left: 127.0.0.1:8787 and 4444–4446 free.
 * Exit code: the number of failed tests (1 if the stack or the browser could not be had).
 * Installs nothing; without /usr/bin/chromium it says how to get it and fails.
 *
 * BB_BROWSER_URL=http://127.0.0.1:<port> runs the specs against an app that is already running
 * (no stack started or stopped, the data as it is).
 */
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename, resolve as resolvePath } from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { chromium, type BrowserServer } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, chromiumInstalled, INSTALL_HINT } from './lib/chromium.ts';
import { emergencyStop, freshDataDir, origin, portHolders, root, startStack, stopStack, type Run } from './lib/stack.ts';

const SPEC_DIR = `${root}tests/browser/`;
const ARTIFACTS = `${root}artifacts/`;
const TEST_TIMEOUT_MS = 180_000;

function specFiles(selectors: string[]): string[] {
  const all = readdirSync(SPEC_DIR)
    .filter((f) => f.endsWith('.spec.ts'))
    .sort()
    .map((f) => `${SPEC_DIR}${f}`);
  if (selectors.length === 0) return all;
  return selectors.map((sel) => {
    if (sel.endsWith('.spec.ts') && existsSync(sel)) return resolvePath(sel);
    const matches = all.filter((f) => basename(f).includes(sel));
    if (matches.length !== 1) {
      throw new Error(`"${sel}" names ${matches.length === 0 ? 'no' : 'more than one'} spec of: ${all.map((f) => basename(f)).join(', ')}`);
    }
    return matches[0]!;
  });
}

let stack: Run | undefined;
let restoreData: (() => void) | undefined;
let server: BrowserServer | undefined;

/** Whatever ends this run, the stack goes and the developer's data comes back. */
function abandon(code: number): never {
  emergencyStop();
  void server?.kill();
  restoreData?.();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    console.error(`\n✖ ${signal}: stopping the stack`);
    abandon(130);
  });
}

async function runSpecs(files: string[], url: string, ws: string): Promise<{ passed: number; failed: number }> {
  // Spec processes inherit this environment (and tsx, through execArgv).
  process.env.BB_BROWSER_URL = url;
  process.env.BB_BROWSER_WS = ws;
  let passed = 0;
  let failed = 0;
  const stream = run({ files, concurrency: 1, timeout: TEST_TIMEOUT_MS });
  stream.on('test:pass', (event) => {
    if (event.details.type !== 'suite' && !event.skip && !event.todo) passed++;
  });
  stream.on('test:fail', (event) => {
    if (event.details.type !== 'suite') failed++;
  });
  await new Promise<void>((resolve, reject) => {
    const out = stream.compose(spec);
    out.on('data', (chunk: Buffer | string) => process.stdout.write(chunk));
    out.on('end', resolve);
    out.on('error', reject);
  });
  return { passed, failed };
}

/** Stops the stack, puts the developer's data back and proves the ports are free. */
async function stopAndCheck(run: Run): Promise<void> {
  const stopped = await stopStack(run);
  restoreData?.();
  const held = portHolders();
  if (held.length > 0) throw new Error(`ports still held after the stop:\n  ${held.join('\n  ')}`);
  console.log(`✔ stack stopped in ${(stopped.totalMs / 1000).toFixed(1)} s; 127.0.0.1:8787 and 4444–4446 are free`);
}

async function main(): Promise<number> {
  const files = specFiles(process.argv.slice(2));
  if (files.length === 0) throw new Error(`no specs in ${SPEC_DIR}`);
  if (!chromiumInstalled()) throw new Error(`${CHROMIUM} is not installed; install it with: ${INSTALL_HINT}`);
  mkdirSync(ARTIFACTS, { recursive: true });
  rmSync(`${ARTIFACTS}axe-results.jsonl`, { force: true });

  const external = process.env.BB_BROWSER_URL;
  if (!external) {
    restoreData = freshDataDir();
    const log = createWriteStream(`${ARTIFACTS}npm-start.log`);
    console.log('▶ npm start on a fresh data directory (output: artifacts/npm-start.log)');
    // Every test registers a client of its own from 127.0.0.1; the production limit (20 an hour
    // per address) would start refusing them as specs are added, so the suite's stack allows more.
    stack = await startStack({ echo: (chunk) => log.write(chunk), env: { ...process.env, REGISTRATIONS_PER_HOUR: '1000' } });
    console.log(`✔ BookedBarber is running (ready in ${stack.secondsToReady?.toFixed(1)} s)`);
  }
  server = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  let result: { passed: number; failed: number };
  try {
    result = await runSpecs(files, external ?? origin, server.wsEndpoint());
  } finally {
    await server.close();
    if (stack) await stopAndCheck(stack);
  }
  console.log(`browser: ${result.passed} passed, ${result.failed} failed`);
  return Math.min(result.failed, 255);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`✖ ${err instanceof Error ? err.message : String(err)}`);
    abandon(1);
  },
);
