import { useEffect, useState } from 'react';

/**
 * True once React has hydrated in the browser. Pages put it on a wrapper as
 * `data-hydrated="true"` (browser tests wait for it), and use it for what only the browser
 * knows, like the visitor's own time zone.
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

/** The browser's own IANA zone once hydrated (null on the server and before hydration). */
export function useBrowserZone(): string | null {
  const [zone, setZone] = useState<string | null>(null);
  useEffect(() => {
    try {
      setZone(Intl.DateTimeFormat().resolvedOptions().timeZone || null);
    } catch {
      setZone(null);
    }
  }, []);
  return zone;
}
