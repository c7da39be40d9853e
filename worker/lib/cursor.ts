import { z } from 'zod';
import { ApiError } from './errors';

/**
 * Opaque keyset cursors: base64url JSON of the last row's sort key. Opaque so we can change the
 * ordering later without breaking mobile clients that store them.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(key));
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export function decodeCursor<T extends z.ZodType>(cursor: string, shape: T): z.infer<T> {
  try {
    const binary = atob(cursor.replaceAll('-', '+').replaceAll('_', '/'));
    const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
    return shape.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    throw new ApiError('validation_failed', 'The cursor is not valid', {
      errors: [{ path: 'query.cursor', message: 'Use next_cursor from a previous page' }],
    });
  }
}
