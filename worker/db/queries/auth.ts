/**
 * Accounts and sessions: sign-in lookups, refresh-token rotation and the single-use e-mailed
 * tokens. Each write is one statement, so a token can be used once even under concurrency.
 */
import { eq, sql } from 'drizzle-orm';
import { users } from '../schema';
import type { AnyDb } from './types';

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;

/** The account with this e-mail, compared case-insensitively (users_email_lower_unique). */
export function userByEmailQuery(db: AnyDb, normalisedEmail: string) {
  return db.select().from(users).where(eq(sql`lower(${users.email})`, normalisedEmail)).limit(1);
}

/**
 * Rotation in one statement: the presented token is marked rotated — only if it is live — and
 * its successor inserted in the same family. Returns the user, or null when nothing was rotated.
 */
export async function rotateRefreshToken(
  db: AnyDb,
  t: { presentedHash: string; nextId: string; nextHash: string; expiresAt: Date },
): Promise<string | null> {
  const result = await db.execute(sql`
    WITH old AS (
      UPDATE refresh_tokens SET rotated_at = now(), replaced_by = ${t.nextId}
       WHERE token_hash = ${t.presentedHash} AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > now()
       RETURNING user_id, family_id
    )
    INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at)
    SELECT ${t.nextId}, user_id, family_id, ${t.nextHash}, ${t.expiresAt.toISOString()}::timestamptz FROM old
    RETURNING user_id`);
  return rowsOf<{ user_id: string }>(result)[0]?.user_id ?? null;
}

/**
 * A rotated or revoked token presented again means someone else holds a copy: revoke its whole
 * family. Returns the user and how many tokens were revoked (none when the token is unknown).
 */
export async function revokeFamilyOfReusedToken(db: AnyDb, presentedHash: string): Promise<{ userId: string; revoked: number } | null> {
  const result = await db.execute(sql`
    UPDATE refresh_tokens SET revoked_at = now()
     WHERE family_id = (SELECT family_id FROM refresh_tokens
                         WHERE token_hash = ${presentedHash} AND (rotated_at IS NOT NULL OR revoked_at IS NOT NULL))
       AND revoked_at IS NULL
    RETURNING user_id`);
  const rows = rowsOf<{ user_id: string }>(result);
  return rows[0] ? { userId: rows[0].user_id, revoked: rows.length } : null;
}

/** Ends the sign-in the token belongs to (its whole family), if it is this user's; idempotent. */
export async function revokeSessionFamily(db: AnyDb, userId: string, presentedHash: string): Promise<void> {
  await db.execute(sql`
    UPDATE refresh_tokens SET revoked_at = now()
     WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = ${presentedHash} AND user_id = ${userId})
       AND revoked_at IS NULL`);
}

export interface MembershipSummary {
  shop_id: string;
  shop_slug: string;
  shop_name: string;
  role: string;
}

/** The user and their memberships (shop id, slug, name, role), one statement. */
export function userWithMembershipsQuery(db: AnyDb, userId: string) {
  const id = sql`${sql.identifier('users')}.${sql.identifier('id')}`;
  return db
    .select({
      user: users,
      memberships: sql<MembershipSummary[] | string>`coalesce((
        SELECT json_agg(json_build_object('shop_id', s.id, 'shop_slug', s.slug, 'shop_name', s.name, 'role', m.role) ORDER BY s.name, m.role)
          FROM memberships m JOIN shops s ON s.id = m.shop_id
         WHERE m.user_id = ${id}), '[]'::json)`,
    })
    .from(users)
    .where(eq(users.id, userId));
}

/** Stores a password-reset token for the account with this e-mail, if there is one. */
export async function createPasswordResetToken(
  db: AnyDb,
  t: { normalisedEmail: string; tokenHash: string; expiresAt: Date },
): Promise<{ userId: string; email: string } | null> {
  const result = await db.execute(sql`
    INSERT INTO auth_tokens (user_id, kind, token_hash, expires_at)
    SELECT id, 'password_reset', ${t.tokenHash}, ${t.expiresAt.toISOString()}::timestamptz
      FROM users WHERE lower(email) = ${t.normalisedEmail}
    RETURNING user_id, (SELECT email FROM users WHERE id = user_id) AS email`);
  const row = rowsOf<{ user_id: string; email: string }>(result)[0];
  return row ? { userId: row.user_id, email: row.email } : null;
}

/** Uses a live reset token, sets the new password hash and signs out every session. Returns the user. */
export async function resetPasswordWithToken(db: AnyDb, t: { tokenHash: string; passwordHash: string }): Promise<string | null> {
  const result = await db.execute(sql`
    WITH used AS (
      UPDATE auth_tokens SET used_at = now()
       WHERE token_hash = ${t.tokenHash} AND kind = 'password_reset' AND used_at IS NULL AND expires_at > now()
       RETURNING user_id
    ), changed AS (
      UPDATE users SET password_hash = ${t.passwordHash}, updated_at = now()
       WHERE id IN (SELECT user_id FROM used) RETURNING id
    ), signed_out AS (
      UPDATE refresh_tokens SET revoked_at = now()
       WHERE user_id IN (SELECT id FROM changed) AND revoked_at IS NULL RETURNING 1
    )
    SELECT id FROM changed`);
  return rowsOf<{ id: string }>(result)[0]?.id ?? null;
}

/** Uses a live e-mail verification token and marks the address verified. Returns whether it did. */
export async function verifyEmailWithToken(db: AnyDb, tokenHash: string): Promise<boolean> {
  const result = await db.execute(sql`
    WITH used AS (
      UPDATE auth_tokens SET used_at = now()
       WHERE token_hash = ${tokenHash} AND kind = 'email_verify' AND used_at IS NULL AND expires_at > now()
       RETURNING user_id
    )
    UPDATE users SET verified_at = coalesce(verified_at, now()), updated_at = now()
     WHERE id IN (SELECT user_id FROM used) RETURNING id`);
  return rowsOf(result).length > 0;
}
