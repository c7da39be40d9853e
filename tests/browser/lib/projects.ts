/** The two visitors every spec (and the client measurements) can be: a phone and a laptop. */
import type { BrowserContextOptions } from 'playwright-core';

export type Project = 'phone' | 'desktop';

/** The two visitors: a 390 px phone (iPhone 14-sized, touch, 3× pixels) and a laptop. */
export const PROJECTS: Record<Project, BrowserContextOptions> = {
  phone: {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
  },
  desktop: { viewport: { width: 1280, height: 800 } },
};
