/**
 * The layering rules of ADR 9, checked over the source so they hold for code not written yet:
 * SQL text lives in worker/db/, services and queries know nothing of Hono, JSON is read through
 * lib/json.ts and base64url comes from jose.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });
}

const files = sources(join(ROOT, 'worker')).map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));

/** Files still being moved to the layer the rule asks for; remove an entry once it is. */
const PENDING: Record<string, string[]> = {
  sql: [],
  json: [],
};

describe('layering', () => {
  it('has sources to check', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('keeps SQL text in worker/db/', () => {
    const offenders = files.filter((f) => !f.path.startsWith('worker/db/') && f.text.includes('sql`')).map((f) => f.path);
    expect(offenders.filter((p) => !PENDING.sql!.includes(p))).toEqual([]);
  });

  it('keeps services and queries free of Hono', () => {
    const offenders = files
      .filter((f) => /^worker\/(services|db|domain)\//.test(f.path) && /from '(hono|@hono\/[^']+)(\/[^']*)?'/.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('reads JSON text through lib/json.ts', () => {
    const offenders = files.filter((f) => f.path !== 'worker/lib/json.ts' && f.text.includes('JSON.parse(')).map((f) => f.path);
    expect(offenders.filter((p) => !PENDING.json!.includes(p))).toEqual([]);
  });

  // Encoding side: key material may still be read in either alphabet (lib/crypto.ts keyrings).
  it('takes base64url from jose, never a hand-rolled copy', () => {
    const handRolled = /replace\(\/\\\+\/g, '-'\)|replaceAll\('\+', '-'\)/;
    expect(files.filter((f) => handRolled.test(f.text)).map((f) => f.path)).toEqual([]);
  });
});
