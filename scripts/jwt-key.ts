/** Prints a new ES256 private JWK (with a fresh kid) for JWT_SIGNING_KEYS. */
import { exportJWK, generateKeyPair } from 'jose';

export async function newSigningJwk(): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${crypto.randomUUID().slice(0, 8)}`;
  return { ...jwk, kid };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await newSigningJwk()));
}
