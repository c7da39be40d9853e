import { z } from '@hono/zod-openapi';
import { WireInstant } from './wire.schemas';

/** Shapes shared by the auth endpoints (the seed's contract: tokens beside the user). */
export const UserSchema = z
  .object({
    id: z.uuid(),
    email: z.email().nullable().openapi({ description: 'Null for a client added by phone only (walk-in, phone booking)' }),
    first_name: z.string(),
    last_name: z.string(),
    phone: z.string().nullable().openapi({ description: 'Digits only', example: '12125550134' }),
    email_verified: z.boolean(),
    created_at: WireInstant,
  })
  .openapi('User');

export const TokenPairSchema = z.object({
  access_token: z.string().openapi({ description: 'ES256 JWT; send as `Authorization: Bearer …`' }),
  refresh_token: z.string().openapi({ description: 'Opaque; single use — every refresh returns a new one' }),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().openapi({ description: 'Seconds until the access token expires', example: 900 }),
});

export const SessionSchema = TokenPairSchema.extend({ user: UserSchema }).openapi('Session', {
  example: {
    access_token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiI5YThiN2M2ZCJ9.c2lnbmF0dXJl',
    refresh_token: 'rt1.Q2hhbmdlLW1lLXRoaXMtaXMtbm90LXJlYWw',
    token_type: 'Bearer',
    expires_in: 900,
    user: {
      id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
      email: 'jane@example.com',
      first_name: 'Jane',
      last_name: 'Doe',
      phone: '12125550134',
      email_verified: true,
      created_at: '2026-11-02T14:05:00.000Z',
    },
  },
});
export const TokenPair = TokenPairSchema.openapi('TokenPair', {
  example: {
    access_token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiI5YThiN2M2ZCJ9.c2lnbmF0dXJl',
    refresh_token: 'rt1.Q2hhbmdlLW1lLXRoaXMtaXMtbm90LXJlYWw',
    token_type: 'Bearer',
    expires_in: 900,
  },
});

export const EmailSchema = z.email().max(254).openapi({ example: 'jane@example.com' });
export const PasswordInput = z.string().min(1).max(1024).openapi({ example: 'maple tram 42 violin' });
export const OpaqueToken = z.string().min(20).max(200);

export const json = <T extends z.ZodType>(schema: T) => ({
  required: true as const,
  content: { 'application/json': { schema } },
});
