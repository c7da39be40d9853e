import { createContext, useContext } from 'react';

/**
 * This response's CSP nonce (worker/middleware/security-headers.ts), for the scripts Remix
 * renders. Set by entry.server.tsx; in the browser there is none to know (and none needed: the
 * nonce only matters when the server's HTML is parsed).
 */
export const NonceContext = createContext<string | undefined>(undefined);

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}
