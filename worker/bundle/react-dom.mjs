/**
 * `react-dom` for the Worker bundle. The server renders with react-dom/server and never mounts a
 * DOM, but react-router-dom's CommonJS build (what Remix's server imports) requires `react-dom`
 * for one optional function, `flushSync` (it falls back to calling the update directly), and that
 * pulls in the whole client renderer: 133 KiB minified. wrangler.toml aliases `react-dom` (that
 * exact specifier; `react-dom/server` is ./react-dom-server.mjs) here for the deployed bundle only.
 */
export function flushSync(fn) {
  return fn();
}

function serverOnly(name) {
  return () => {
    throw new Error(`react-dom.${name} is not available while rendering on the server`);
  };
}

export const createPortal = serverOnly('createPortal');
export const createRoot = serverOnly('createRoot');
export const hydrateRoot = serverOnly('hydrateRoot');
export const render = serverOnly('render');
export const hydrate = serverOnly('hydrate');
export const findDOMNode = serverOnly('findDOMNode');
export const unmountComponentAtNode = serverOnly('unmountComponentAtNode');
export function unstable_batchedUpdates(fn, a) {
  return fn(a);
}
export default { flushSync, createPortal, createRoot, hydrateRoot, render, hydrate, findDOMNode, unmountComponentAtNode, unstable_batchedUpdates };
