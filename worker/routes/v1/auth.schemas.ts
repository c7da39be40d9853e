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

export const SessionSchema = TokenPairSchema.extend({ user: UserSchema }).openapi('Session');
export const TokenPair = TokenPairSchema.openapi('TokenPair');

export const EmailSchema = z.email().max(254).openapi({ example: 'jane@example.com' });
export const PasswordInput = z.string().min(1).max(1024).openapi({ example: 'maple tram 42 violin' });
export const OpaqueToken = z.string().min(20).max(200);

export const json = <T extends z.ZodType>(schema: T) => ({
  required: true as const,
  content: { 'application/json': { schema } },
});
