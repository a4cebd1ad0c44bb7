/** ChaCha20-Poly1305 (RFC 8439) opening as age uses it: a 12-byte nonce, the 16-byte tag after the ciphertext, no aad. */
import { createDecipheriv } from 'node:crypto';

export const CHACHA_TAG_BYTES = 16;

/** The plaintext, or undefined when `sealed` is shorter than a tag or does not authenticate under key and nonce. */
export function chachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < CHACHA_TAG_BYTES) return undefined;
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: CHACHA_TAG_BYTES });
  decipher.setAuthTag(sealed.subarray(sealed.length - CHACHA_TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - CHACHA_TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}
