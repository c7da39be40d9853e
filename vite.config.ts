import { relative, resolve } from 'node:path';
import { vitePlugin as remix } from '@remix-run/dev';
import { defineConfig } from 'vite';

const SERVER_BUILD = resolve('build/server');

/** Our own worker/ modules (not a dependency that happens to have "worker" in its path). */
const isWorkerModule = (id: string) => /[\\/]worker[\\/]/.test(id) && !id.includes('node_modules');

// Remix builds the client bundle (build/client, served as static assets) and the server build
// (build/server) that the Worker imports. `wrangler dev` runs the result; `remix vite:dev` cannot
// host Durable Objects, so it is not our dev loop.
export default defineConfig(({ isSsrBuild }) => ({
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
  // The server build imports the services, queries and schema from worker/ instead of carrying a
  // second copy of them: the Worker bundles each module once (a smaller upload), and pages and the
  // API share one instance of every module (one ApiError class, one driver configuration).
  build: isSsrBuild
    ? {
        rollupOptions: {
          external: isWorkerModule,
          output: { paths: (id: string) => (isWorkerModule(id) && id.startsWith('/') ? relative(SERVER_BUILD, id) : id) },
        },
      }
    : {},
  ssr: {
    resolve: { conditions: ['workerd', 'worker', 'browser'], externalConditions: ['workerd', 'worker'] },
  },
  resolve: { alias: { '~': '/app' } },
}));
