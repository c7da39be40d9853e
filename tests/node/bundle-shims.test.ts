import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as realZod from 'zod';
import * as realCore from 'zod/v4/core';

// The modules wrangler.toml's [alias] puts in the Worker bundle instead of the packages (plain
// JavaScript, outside the TypeScript program: typed here by what they stand in for).
const BUNDLE = '../../worker/bundle/';
const leanZod = (await import(`${BUNDLE}zod.mjs`)) as typeof realZod;
const leanDom = (await import(`${BUNDLE}react-dom.mjs`)) as { flushSync<T>(fn: () => T): T; createPortal(): never };
const leanServer = (await import(`${BUNDLE}react-dom-server.mjs`)) as typeof import('react-dom/server');

/** What worker/bundle/zod.mjs says it leaves out, and nothing else. */
const LEFT_OUT_OF_ZOD = ['compile', 'fromJSONSchema', 'locales', 'withParser', 'ZodCompileAsyncError', 'ZodCompileUnsupportedError'];
const LEFT_OUT_OF_CORE = ['compile', 'compileFn', 'JSONSchemaGenerator', 'locales', 'withParser', 'ZodCompileAsyncError', 'ZodCompileUnsupportedError'];

const names = (ns: object) => Object.keys(ns).sort();

describe('the Worker bundle’s module aliases (wrangler.toml [alias])', () => {
  it('zod: every export of the package but the ones left out, and the same objects', () => {
    const missing = names(realZod).filter((n) => !(n in leanZod));
    expect(missing.sort()).toEqual([...LEFT_OUT_OF_ZOD].sort());
    const extra = names(leanZod).filter((n) => !(n in realZod));
    expect(extra).toEqual([]);
    // Same module instances, not copies: a schema built with one is an instance of the other's class.
    expect(leanZod.z.string).toBe(realZod.z.string);
    expect(leanZod.z.object({ a: leanZod.z.string() })).toBeInstanceOf(realZod.ZodObject);
  });

  it('zod: the core namespace likewise', () => {
    const leanCore = leanZod.z.core as Record<string, unknown>;
    const missing = names(realCore).filter((n) => !(n in leanCore));
    expect(missing.sort()).toEqual([...LEFT_OUT_OF_CORE].sort());
    expect(names(leanCore).filter((n) => !(n in realCore))).toEqual([]);
  });

  it('zod: errors are still English without the locales', () => {
    const result = leanZod.z.object({ n: leanZod.z.number() }).safeParse({ n: 'x' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/expected number/i);
  });

  it('react-dom: react-router-dom reads only flushSync from it, which runs the update', () => {
    const source = readFileSync('node_modules/react-router-dom/dist/index.js', 'utf8');
    const reads = [...source.matchAll(/ReactDOM(?:\.(\w+)|\[(\w+)\])/g)].map((m) => m[1] ?? m[2]);
    // `ReactDOM[FLUSH_SYNC]` with `const FLUSH_SYNC = "flushSync"`.
    expect(reads).toEqual(['FLUSH_SYNC']);
    expect(source).toContain('const FLUSH_SYNC = "flushSync";');
    expect(leanDom.flushSync(() => 42)).toBe(42);
    expect(() => leanDom.createPortal()).toThrow(/server/);
  });

  it('react-dom/server: the streaming renderer app/entry.server.tsx uses', async () => {
    const { createElement } = await import('react');
    const stream = await leanServer.renderToReadableStream(createElement('p', null, 'hello'));
    expect(await new Response(stream).text()).toBe('<p>hello</p>');
    const entry = readFileSync('app/entry.server.tsx', 'utf8');
    const imported = /import \{([^}]+)\} from 'react-dom\/server'/.exec(entry)?.[1]?.split(',').map((s) => s.trim());
    expect(imported).toEqual(['renderToReadableStream']);
  });

  it('every alias target exists, so a fresh clone bundles the same thing', () => {
    const toml = readFileSync('wrangler.toml', 'utf8');
    const section = toml.slice(toml.indexOf('[alias]'));
    const targets = [...section.matchAll(/^"[^"]+" = "([^"]+)"$/gm)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThanOrEqual(8);
    for (const t of targets) expect(() => readFileSync(t)).not.toThrow();
  });
});
