import { useEffect, useRef, useState } from 'react';

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

/**
 * Moves keyboard focus to `target` when `key` changes after the first render — for a step that
 * replaced the control the visitor just used (a client-side navigation would otherwise drop
 * focus to the top of the page). The target needs tabIndex={-1}.
 */
export function useFocusOnChange(target: { current: HTMLElement | null }, key: string): void {
  const previous = useRef<string | null>(null);
  useEffect(() => {
    if (previous.current !== null && previous.current !== key) target.current?.focus();
    previous.current = key;
  }, [key, target]);
}
