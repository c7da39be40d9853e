/**
 * Twilio's request signature (X-Twilio-Signature): base64 HMAC-SHA1, keyed with the account's
 * auth token, over the full URL Twilio requested followed by every POST parameter as name+value,
 * sorted by name (then value, for repeated names). Checked with WebCrypto's verify, which compares
 * in constant time. See https://www.twilio.com/docs/usage/security#validating-requests.
 */

/** The signed text: the URL, then each parameter's name and value in sorted order. */
export function twilioSignedText(url: string, params: URLSearchParams): string {
  const pairs = [...params.entries()].sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return url + pairs.map(([k, v]) => k + v).join('');
}

const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(authToken: string): Promise<CryptoKey> {
  let key = keys.get(authToken);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(authToken), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign', 'verify']);
    keys.set(authToken, key);
  }
  return key;
}

/** The signature Twilio would send for this request (tests sign with it). */
export async function twilioSignature(authToken: string, url: string, params: URLSearchParams): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(authToken), new TextEncoder().encode(twilioSignedText(url, params))));
  let bin = '';
  for (const b of mac) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Whether `signature` (the header's value) signs this URL and these parameters. */
export async function verifyTwilioSignature(authToken: string, url: string, params: URLSearchParams, signature: string): Promise<boolean> {
  let mac: Uint8Array<ArrayBuffer>;
  try {
    const bin = atob(signature.trim());
    mac = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) mac[i] = bin.charCodeAt(i);
  } catch {
    return false;
  }
  if (mac.length !== 20) return false;
  return crypto.subtle.verify('HMAC', await hmacKey(authToken), mac, new TextEncoder().encode(twilioSignedText(url, params)));
}
