// The app does `import * as schema from './schema'`: everything drizzle needs (tables, enums,
// relations) and the inferred row types are re-exported from here.
export * from './columns';
export * from './tenancy';
export * from './people';
export * from './catalogue';
export * from './schedule';
export * from './appointments';
export * from './payments';
export * from './messaging';
export * from './security';
