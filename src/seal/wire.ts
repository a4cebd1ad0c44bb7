/**
 * The sealed value's outer format, which needs no crypto: strict standard
 * base64 around `uint16be(len(rsa)) || rsa || aes-gcm ciphertext || tag`
 * (hybrid.ts has the whole scheme). Kept apart so that checking a
 * SealedSecret's shape (ksec scan) does not load node:crypto.
 */

export const GCM_TAG_BYTES = 16;

// with a length that is a multiple of 4, the same as /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
// at twice its speed (no group to repeat)
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict standard base64 (what Go's base64.StdEncoding accepts), or undefined. */
export function decodeBase64(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || value.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(value, 'base64');
  // Canonical base64 (what kubeseal and ksec write) comes back unchanged: that
  // comparison is several times cheaper than the character check, which is
  // left for non-canonical input (Buffer.from skips what is not base64).
  return bytes.toString('base64') === value || BASE64.test(value) ? bytes : undefined;
}
