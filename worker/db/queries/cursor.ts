/**
 * Opaque keyset cursors: base64url(JSON array of the sort key of the last row). Opaque so
 * clients cannot depend on the shape; validated on the way in so a forged cursor is a 400,
 * never a SQL error.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Returns null for anything that is not a cursor of `length` strings/numbers. */
export function decodeCursor(cursor: string, length: number): (string | number)[] | null {
  try {
    const b64 = cursor.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64.padEnd(b64.length + ((4 - (b64.length % 4)) % 4), '='));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (
      Array.isArray(value) &&
      value.length === length &&
      value.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return value as (string | number)[];
    }
    return null;
  } catch {
    return null;
  }
}
