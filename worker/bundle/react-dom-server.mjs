/**
 * `react-dom/server` for the Worker bundle: only the streaming renderer app/entry.server.tsx uses
 * (renderToReadableStream). react-dom/server.browser.js also loads the legacy string renderer
 * (35 KiB minified) for renderToString and friends, which nothing here calls. Always the
 * production build: the Worker's server render needs no development warnings (the browser's
 * hydration keeps React's own development checks under `npm start`).
 */
export { renderToReadableStream, version } from '../../node_modules/react-dom/cjs/react-dom-server.browser.production.min.js';
