/**
 * What a first visit to each booking route downloads, by the build's own account: Remix's client
 * manifest (entry + root + the route, with their imports), each file gzipped at level 9. Shared by
 * scripts/measure-client.ts (next to what Chromium really loads) and bench/run.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const root = new URL('../../', import.meta.url).pathname;
const gz = (body: Buffer) => gzipSync(body, { level: 9 }).length;

export interface RemixManifest {
  entry: { module: string; imports: string[] };
  routes: Record<string, { id: string; parentId?: string; path?: string; module: string; imports?: string[] }>;
}

export function readRemixManifest(): RemixManifest {
  const dir = `${root}build/client/assets/`;
  const newest = readdirSync(dir)
    .filter((f) => /^manifest-[\w-]+\.js$/.test(f))
    .map((f) => ({ f, t: statSync(dir + f).mtimeMs }))
    .sort((a, b) => b.t - a.t)[0];
  if (!newest) throw new Error('no Remix manifest in build/client/assets (run npm run build)');
  const text = readFileSync(dir + newest.f, 'utf8').trim();
  const json = text.replace(/^window\.__remixManifest\s*=\s*/, '').replace(/;$/, '');
  return JSON.parse(json) as RemixManifest;
}

export interface RouteWeight {
  id: string;
  files: number;
  gzBytes: number;
}

/** Gzipped bytes of the JS a first visit to each booking route downloads (entry, root, route). */
export function routeWeights(manifest: RemixManifest): { routes: RouteWeight[]; union: RouteWeight } {
  const size = new Map<string, number>();
  const gzOf = (file: string) => {
    if (!size.has(file)) size.set(file, gz(readFileSync(`${root}build/client${file}`)));
    return size.get(file)!;
  };
  const chain = (id: string): string[] => {
    const route = manifest.routes[id];
    if (!route) return [];
    return [...(route.parentId ? chain(route.parentId) : []), route.module, ...(route.imports ?? [])];
  };
  const base = [manifest.entry.module, ...manifest.entry.imports];
  // Resource routes (the .ics download) render nothing, so a browser never loads their module.
  const flow = Object.values(manifest.routes).filter((r) => r.id.startsWith('routes/s.$slug') && !/\[\.\w+\]$/.test(r.id));
  const routes = flow.map((r) => {
    const files = new Set([...base, ...chain(r.id)]);
    return { id: r.id, files: files.size, gzBytes: [...files].reduce((sum, f) => sum + gzOf(f), 0) };
  });
  const all = new Set([...base, ...flow.flatMap((r) => chain(r.id))]);
  return { routes, union: { id: 'all booking routes', files: all.size, gzBytes: [...all].reduce((sum, f) => sum + gzOf(f), 0) } };
}

