import type { AppLoadContext, EntryContext } from '@remix-run/cloudflare';
import { RemixServer } from '@remix-run/react';
import { isbot } from 'isbot';
import { renderToReadableStream } from 'react-dom/server';
import { NonceContext } from './nonce';

const ABORT_DELAY = 5000;

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  let status = responseStatusCode;
  // The response's CSP nonce: on React's own inline scripts (nonce option), Remix's streaming
  // scripts (RemixServer) and the root's <Scripts>/<ScrollRestoration> (NonceContext).
  const nonce = loadContext.cspNonce || undefined;
  const body = await renderToReadableStream(
    <NonceContext.Provider value={nonce}>
      <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
    </NonceContext.Provider>,
    {
      nonce,
      signal: AbortSignal.timeout(ABORT_DELAY),
      onError(error: unknown) {
        status = 500;
        loadContext.services?.logger.error('ssr render failed', { err: error });
      },
    },
  );
  // Crawlers get the whole page at once; people get it streamed.
  if (isbot(request.headers.get('user-agent') || '')) await body.allReady;
  responseHeaders.set('Content-Type', 'text/html; charset=utf-8');
  return new Response(body, { headers: responseHeaders, status });
}
