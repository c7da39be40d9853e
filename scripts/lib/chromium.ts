/**
 * Debian's Chromium, driven by playwright-core (never a browser download of its own): where it
 * is and the flags it runs with here — headless, no sandbox (CI runs as root), and nothing that
 * phones home (background networking, component updates, sync), so a run never leaves loopback.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumInstalled(): boolean {
  return existsSync(CHROMIUM);
}

export const INSTALL_HINT = 'apt-get install -y --no-install-recommends chromium';
