import { vitePlugin as remix } from '@remix-run/dev';
import { defineConfig } from 'vite';

// Remix builds the client bundle (build/client, served as static assets) and the server build
// (build/server) that the Worker imports. `wrangler dev` runs the result; `remix vite:dev` cannot
// host Durable Objects, so it is not our dev loop.
export default defineConfig({
  plugins: [
    remix({
      appDirectory: 'app',
      buildDirectory: 'build',
      serverModuleFormat: 'esm',
      // Server-only helpers and tests live beside their routes but are not routes themselves.
      ignoredRouteFiles: ['**/.*', '**/*.server.ts', '**/*.test.ts', '**/*.test.tsx'],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
  ],
  ssr: {
    resolve: { conditions: ['workerd', 'worker', 'browser'], externalConditions: ['workerd', 'worker'] },
  },
  resolve: { alias: { '~': '/app' } },
});
