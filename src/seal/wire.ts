/**
 * The sealed value's outer format, which needs no crypto: strict standard
 * base64 around `uint16be(len(rsa)) || rsa || aes-gcm ciphertext || tag`
 * (hybrid.ts has the whole scheme). Kept apart so that checking a
 * SealedSecret's shape (ksec scan) does not load node:crypto.
 */

export const GCM_TAG_BYTES = 16;

/**
 * Strict standard base64 decoded to a binary string (one character a byte),
 * or undefined. Strict: padded, no character outside the alphabet, no
 * whitespace. atob is forgiving only about whitespace, which it drops: the
 * result is then shorter than the input's length says, and is refused.
 * (atob is native: twice the speed of a Buffer round trip, and no Buffer.)
 */
export function decodeStrictBase64Binary(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length % 4 !== 0) return undefined;
  let binary: string;
  try {
    binary = atob(value);
  } catch {
    return undefined;
  }
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  return binary.length === (value.length / 4) * 3 - padding ? binary : undefined;
}

/** Strict standard base64 (decodeStrictBase64Binary) as bytes, or undefined. */
export function decodeStrictBase64(value: unknown): Buffer | undefined {
  const binary = decodeStrictBase64Binary(value);
  return binary === undefined ? undefined : Buffer.from(binary, 'latin1');
}
