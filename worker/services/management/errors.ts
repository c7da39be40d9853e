import { ApiError, type FieldError } from '../../lib/errors';
import { sqlState } from '../../lib/pg-errors';

/** A business-rule violation (422) naming the offending fields. */
export function unprocessable(detail: string, errors: FieldError[]): ApiError {
  return new ApiError('unprocessable', detail, { errors });
}

/**
 * Runs a write and turns a unique violation of `constraint` into a 409 naming `path`, so a taken
 * slug or service name reads as such instead of the generic "Rejected by <constraint>".
 */
export async function conflictOn<T>(constraint: string, path: string, detail: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const state = sqlState(err);
    if (state?.code === '23505' && state.constraint === constraint) {
      throw new ApiError('conflict', detail, { errors: [{ path, message: detail }] });
    }
    throw err;
  }
}
