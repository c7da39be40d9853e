import { createRequestHandler, type ServerBuild } from '@remix-run/cloudflare';
import type { Context } from 'hono';
// The server build is produced by `remix vite:build` (npm run build) before the Worker is bundled.
// @ts-ignore -- generated file without type declarations; absent until the first build.
import * as serverBuild from '../build/server/index.js';
import type { HonoEnv } from './types';

let handler: ReturnType<typeof createRequestHandler> | undefined;

/**
 * Hands page requests to Remix with the same per-request services the API uses, so loaders and
 * actions call services in-process rather than making an HTTP hop back to ourselves.
 */
export function remixHandler(c: Context<HonoEnv>): Promise<Response> {
  const services = c.get('services');
  handler ??= createRequestHandler(
    serverBuild as unknown as ServerBuild,
    services.config.APP_ENV === 'production' ? 'production' : 'development',
  );
  return handler(c.req.raw, {
    cloudflare: { env: c.env, ctx: c.executionCtx as unknown as ExecutionContext },
    services,
    requestId: c.get('requestId'),
  });
}
