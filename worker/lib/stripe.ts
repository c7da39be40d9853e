import Stripe from 'stripe';
import type { AppConfig } from '../env';

const clients = new Map<string, Stripe>();

/**
 * The Stripe SDK over fetch. STRIPE_API_URL points it at the local stand-in; production leaves it
 * unset and talks to api.stripe.com. Same code path either way.
 */
export function stripeClient(config: Pick<AppConfig, 'STRIPE_SECRET_KEY' | 'STRIPE_API_URL'>): Stripe {
  const key = `${config.STRIPE_SECRET_KEY}\n${config.STRIPE_API_URL ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    const target = config.STRIPE_API_URL ? new URL(config.STRIPE_API_URL) : undefined;
    client = new Stripe(config.STRIPE_SECRET_KEY, {
      httpClient: Stripe.createFetchHttpClient(),
      maxNetworkRetries: 1,
      timeout: 8000,
      ...(target
        ? {
            host: target.hostname,
            port: Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
            protocol: target.protocol.replace(':', '') as 'http' | 'https',
          }
        : {}),
    });
    clients.set(key, client);
  }
  return client;
}

export const webhookCrypto = Stripe.createSubtleCryptoProvider();
