import { decodeCursor } from '../db/queries/cursor';
import { ApiError } from '../lib/errors';

/**
 * A client's `cursor` query parameter, decoded — or a 400 naming it. `valid` adds the checks a
 * particular ordering needs (a timestamp that parses, say), so a forged cursor never reaches SQL.
 */
export function readCursor(
  cursor: string | null | undefined,
  length: number,
  valid: (key: (string | number)[]) => boolean = () => true,
): (string | number)[] | undefined {
  if (!cursor) return undefined;
  const key = decodeCursor(cursor, length);
  if (!key || !valid(key)) {
    throw new ApiError('validation_failed', 'The cursor is not valid', {
      errors: [{ path: 'query.cursor', message: 'Use next_cursor from a previous page' }],
    });
  }
  return key;
}
