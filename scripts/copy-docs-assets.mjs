// Copies Swagger UI's browser bundle into the static assets so /api/docs works offline and under
// a same-origin CSP. Run after `remix vite:build` (it owns build/client).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const dist = dirname(require.resolve('swagger-ui-dist/package.json'));
const out = join(process.cwd(), 'build/client/docs');
mkdirSync(out, { recursive: true });
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) copyFileSync(join(dist, file), join(out, file));
writeFileSync(
  join(out, 'init.js'),
  `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#docs', deepLinking: true, tryItOutEnabled: true });\n`,
);
console.log(`docs assets → ${out}`);
