/**
 * The one JSON reader. `parseJson` never throws: text that is not JSON comes back `undefined` (a
 * value JSON cannot hold), so each caller says what unreadable input means for it — a 400, a
 * null, a fallback.
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A json/jsonb value as the driver handed it back: neon-http (raw text output) gives the text,
 * node-postgres and PGlite the parsed value. For objects and arrays only, so a string is always
 * the text form.
 */
export function jsonValue<T extends object>(value: T | string): T {
  if (typeof value !== 'string') return value;
  const parsed = parseJson(value);
  if (parsed === undefined) throw new TypeError('the database returned json that does not parse');
  return parsed as T;
}
