import { base64url } from 'jose';
import { parseJson } from '../../lib/json';

/**
 * Opaque keyset cursors: base64url(JSON array of the sort key of the last row). Opaque so
 * clients cannot depend on the shape; validated on the way in so a forged cursor is a 400,
 * never a SQL error.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return base64url.encode(JSON.stringify(key));
}

/** Returns null for anything that is not a cursor of `length` strings/numbers. */
export function decodeCursor(cursor: string, length: number): (string | number)[] | null {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(base64url.decode(cursor));
  } catch {
    return null;
  }
  const value = parseJson(text);
  if (Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value as (string | number)[];
  }
  return null;
}
