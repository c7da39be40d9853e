import { eq } from 'drizzle-orm';
import { keyring, signAccessToken } from '../auth/jwt';
import {
  EMAIL_VERIFY_TTL_MS,
  hashToken,
  newOpaqueToken,
  PASSWORD_RESET_TTL_MS,
  REFRESH_TOKEN_TTL_MS,
} from '../auth/tokens';
import {
  createPasswordResetToken,
  resetPasswordWithToken,
  revokeFamilyOfReusedToken,
  revokeSessionFamily,
  rotateRefreshToken,
  userByEmailQuery,
  userWithMembershipsQuery,
  verifyEmailWithToken,
  type MembershipSummary,
} from '../db/queries/auth';
import { authTokens, refreshTokens, users, type User } from '../db/schema';
import { passwordIssues } from '../domain/password-policy';
import { decryptPhone, encryptPhone, type KeyringInput } from '../lib/crypto';
import { ApiError } from '../lib/errors';
import { jsonValue } from '../lib/json';
import { sqlState } from '../lib/pg-errors';
import { hashPassword, needsRehash, verifyPassword } from '../lib/password';
import { wireInstant } from '../lib/wire';
import type { Services } from './container';

export interface PublicUser {
  id: string;
  /** Null for a client added by phone only (walk-in, phone booking); such a user cannot sign in. */
  email: string | null;
  first_name: string;
  last_name: string;
  phone: string | null;
  email_verified: boolean;
  created_at: string;
}

export interface Session {
  user: PublicUser;
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

type UserRow = Pick<User, 'id' | 'email' | 'firstName' | 'lastName' | 'phoneEnc' | 'verifiedAt' | 'createdAt'>;

export async function publicUser(row: UserRow, keyringValue: KeyringInput): Promise<PublicUser> {
  return {
    id: row.id,
    email: row.email,
    first_name: row.firstName,
    last_name: row.lastName,
    phone: row.phoneEnc ? await decryptPhone(row.phoneEnc, keyringValue) : null,
    email_verified: row.verifiedAt !== null,
    created_at: wireInstant(row.createdAt),
  };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

function rejectWeakPassword(password: string, account: { email?: string; names?: string[] }): void {
  const issues = passwordIssues(password, account);
  if (issues.length) {
    throw new ApiError('unprocessable', 'Choose a stronger password', {
      errors: issues.map((i) => ({ path: 'json.password', message: i.message, code: i.code })),
    });
  }
}

async function accessToken(services: Services, userId: string) {
  const ring = await keyring(services.config.JWT_SIGNING_KEYS);
  return signAccessToken(ring, services.config.APP_ORIGIN, userId);
}

/** What register and login hand out: the user and a fresh token pair. */
async function sessionFor(services: Services, user: UserRow, refreshToken: string): Promise<Session> {
  const access = await accessToken(services, user.id);
  return {
    user: await publicUser(user, services.config.FIELD_ENCRYPTION_KEYS),
    access_token: access.token,
    refresh_token: refreshToken,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
  };
}

/** A new refresh-token family: the row to insert and the token to hand out (once). */
async function newRefreshToken(userId: string, familyId: string = crypto.randomUUID()) {
  const token = newOpaqueToken();
  return {
    token,
    row: {
      id: crypto.randomUUID(),
      userId,
      familyId,
      tokenHash: await hashToken(token),
      expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_MS),
    },
  };
}

export interface RegisterInput {
  email: string;
  password: string;
  first_name: string;
  last_name: string;
  phone?: string | undefined;
}

/**
 * One Neon round trip: user, first refresh token and the e-mail verification token go in one
 * batch (ids are made here), so a taken e-mail (23505 → 409) leaves nothing behind.
 */
export async function register(services: Services, input: RegisterInput): Promise<Session> {
  const email = input.email.trim();
  rejectWeakPassword(input.password, { email, names: [input.first_name, input.last_name] });
  const userId = crypto.randomUUID();
  const verifyToken = newOpaqueToken();
  const [passwordHash, phone, refresh, verifyHash] = await Promise.all([
    hashPassword(input.password),
    encryptPhone(input.phone, services.config.FIELD_ENCRYPTION_KEYS),
    newRefreshToken(userId),
    hashToken(verifyToken),
  ]);
  const db = services.db;
  let inserted: UserRow[];
  try {
    [inserted] = await db.batch([
      db
        .insert(users)
        .values({ id: userId, email, passwordHash, firstName: input.first_name, lastName: input.last_name, ...phone })
        .returning(),
      db.insert(refreshTokens).values(refresh.row),
      db.insert(authTokens).values({
        userId,
        kind: 'email_verify',
        tokenHash: verifyHash,
        expiresAt: new Date(Date.now() + EMAIL_VERIFY_TTL_MS),
      }),
    ]);
  } catch (err) {
    if (sqlState(err)?.code === '23505') {
      throw new ApiError('conflict', 'An account with this e-mail already exists', {
        errors: [{ path: 'json.email', message: 'Already registered; sign in or reset the password' }],
      });
    }
    throw err;
  }
  const user = inserted[0]!;
  await services.notify({
    dedupe_key: `email_verify:${user.id}:${verifyHash.slice(0, 16)}`,
    channel: 'email',
    to: email,
    template: 'verify_email',
    data: { first_name: user.firstName },
    secrets: { link: `${services.config.APP_ORIGIN}/verify-email?token=${verifyToken}` },
  });
  services.logger.info('user registered', { user_id: user.id });
  return sessionFor(services, user, refresh.token);
}

// Verified against when the e-mail is unknown, so both paths cost the same time.
let dummyHash: Promise<string> | undefined;

/** Two round trips: find the user; store the new refresh token (and a rehash, if due). */
export async function login(services: Services, email: string, password: string): Promise<Session> {
  const db = services.db;
  const [user] = await userByEmailQuery(db, normaliseEmail(email));
  const stored = user?.passwordHash ?? (await (dummyHash ??= hashPassword('not-a-real-password')));
  const ok = await verifyPassword(password, stored);
  if (!user || !user.passwordHash || !ok) {
    services.logger.info('login failed', { reason: user ? 'bad_password' : 'unknown_email' });
    throw new ApiError('unauthorized', 'E-mail or password is wrong');
  }
  const refresh = await newRefreshToken(user.id);
  const rehash = needsRehash(user.passwordHash) ? await hashPassword(password) : null;
  const storeToken = db.insert(refreshTokens).values(refresh.row);
  if (rehash) {
    await db.batch([storeToken, db.update(users).set({ passwordHash: rehash, updatedAt: new Date() }).where(eq(users.id, user.id))]);
  } else {
    await storeToken;
  }
  services.logger.info('login', { user_id: user.id, rehashed: rehash !== null });
  return sessionFor(services, user, refresh.token);
}

const invalidRefresh = () => new ApiError('unauthorized', 'The refresh token is invalid, expired or already used');

/**
 * Rotation in one statement on the happy path: the presented token is marked rotated (only if it
 * is live) and its successor inserted in the same family. A token that was already rotated or
 * revoked is a replay — someone else holds a copy — so the whole family is revoked.
 */
export async function refresh(services: Services, presented: string): Promise<Omit<Session, 'user'>> {
  const db = services.db;
  const presentedHash = await hashToken(presented);
  const next = newOpaqueToken();
  const userId = await rotateRefreshToken(db, {
    presentedHash,
    nextId: crypto.randomUUID(),
    nextHash: await hashToken(next),
    expiresAt: new Date(Date.now() + REFRESH_TOKEN_TTL_MS),
  });
  if (!userId) {
    const revoked = await revokeFamilyOfReusedToken(db, presentedHash);
    if (revoked) {
      services.logger.warn('refresh token reuse detected; family revoked', { user_id: revoked.userId, revoked: revoked.revoked });
    }
    throw invalidRefresh();
  }
  const access = await accessToken(services, userId);
  return { access_token: access.token, refresh_token: next, token_type: 'Bearer', expires_in: access.expiresIn };
}

/** Ends the session the refresh token belongs to (its whole family); idempotent. */
export async function logout(services: Services, userId: string, presented: string): Promise<void> {
  await revokeSessionFamily(services.db, userId, await hashToken(presented));
}

export interface Me extends PublicUser {
  memberships: MembershipSummary[];
}

/** The caller and their memberships, one statement. */
export async function me(services: Services, userId: string): Promise<Me | null> {
  const [row] = await userWithMembershipsQuery(services.db, userId);
  if (!row) return null;
  const user = await publicUser(row.user, services.config.FIELD_ENCRYPTION_KEYS);
  return { ...user, memberships: jsonValue(row.memberships) };
}

/**
 * Always succeeds from the caller's point of view (no account enumeration). When the e-mail is
 * known, a single-use reset token is stored hashed and mailed — one statement.
 */
export async function forgotPassword(services: Services, email: string): Promise<void> {
  const token = newOpaqueToken();
  const tokenHash = await hashToken(token);
  const row = await createPasswordResetToken(services.db, {
    normalisedEmail: normaliseEmail(email),
    tokenHash,
    expiresAt: new Date(Date.now() + PASSWORD_RESET_TTL_MS),
  });
  if (!row) return;
  await services.notify({
    dedupe_key: `password_reset:${row.userId}:${tokenHash.slice(0, 16)}`,
    channel: 'email',
    to: row.email,
    template: 'password_reset',
    data: {},
    secrets: { link: `${services.config.APP_ORIGIN}/reset-password?token=${token}` },
  });
}

const badToken = () =>
  new ApiError('unprocessable', 'The link is invalid, expired or already used', {
    errors: [{ path: 'json.token', message: 'Request a new link' }],
  });

/** Uses the token, sets the new password and signs out every session — one statement. */
export async function resetPassword(services: Services, token: string, password: string): Promise<void> {
  rejectWeakPassword(password, {});
  const userId = await resetPasswordWithToken(services.db, {
    tokenHash: await hashToken(token),
    passwordHash: await hashPassword(password),
  });
  if (!userId) throw badToken();
  services.logger.info('password reset', { user_id: userId });
}

export async function verifyEmail(services: Services, token: string): Promise<void> {
  if (!(await verifyEmailWithToken(services.db, await hashToken(token)))) throw badToken();
}
