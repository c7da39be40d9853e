/**
 * `zod` for the Worker bundle: the same modules as zod's own entry (zod/v4/classic/external.js and
 * zod/v4/core/index.js, pinned 4.6.7) without what the Worker never calls:
 *   - `locales` (both namespaces): 40-odd translations of the error messages, 260 KiB minified.
 *     Our errors are English problem+json; English itself (locales/en.js) is still registered by
 *     classic/schemas.js on first use.
 *   - `compile`, `withParser`, `ZodCompile*Error`: ahead-of-time schema compilation (31 KiB).
 *   - `fromJSONSchema`, `JSONSchemaGenerator`: JSON Schema → zod, and the standalone generator
 *     (the OpenAPI document comes from @asteasolutions/zod-to-openapi; `.toJSONSchema()` stays).
 * Tree shaking cannot drop them: @hono/zod-openapi passes the whole `z` namespace to
 * extendZodWithOpenApi, so every export of it is kept. wrangler.toml aliases `zod` here for the
 * bundle wrangler builds (deploy and `npm start`); vitest resolves the real package.
 * tests/node/bundle-shims.test.ts fails if these lists and zod's drift apart.
 */
import * as z from './zod-classic.mjs';
export * from './zod-classic.mjs';
export { z, z as default };
