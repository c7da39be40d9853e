/**
 * Writes the API's TypeScript types (tests/api/schema.d.ts) from the OpenAPI document, for the
 * typed client in tests/api/client.ts. Run after changing a route: `npm run api:client`.
 */
import { writeFile } from 'node:fs/promises';

interface Generator {
  apiSchemaTypes(): Promise<string>;
  schemaTypesPath: string;
}

// Imported by URL at run time: the generator pulls in the Worker's routes, which typecheck under
// tsconfig.json (workers types), not under this script's Node-only configuration.
const generatorUrl = new URL('../tests/api/generate.ts', import.meta.url).href;
const { apiSchemaTypes, schemaTypesPath } = (await import(generatorUrl)) as Generator;

await writeFile(new URL(`../${schemaTypesPath}`, import.meta.url), await apiSchemaTypes());
console.log(`wrote ${schemaTypesPath}`);
