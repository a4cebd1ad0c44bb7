/**
 * Shamir secret sharing as sops uses it for several key groups (HashiCorp
 * Vault's scheme): each part is the data key's bytes evaluated on a random
 * polynomial per byte over GF(2^8) (AES's field, x^8 + x^4 + x^3 + x + 1),
 * followed by one byte, the part's x coordinate. Combining interpolates every
 * byte at x = 0.
 */

function mul(a: number, b: number): number {
  let out = 0;
  for (let i = 7; i >= 0; i--) {
    out = ((out << 1) ^ (out & 0x80 ? 0x11b : 0)) & 0xff;
    if ((b >> i) & 1) out ^= a;
  }
  return out;
}

/** a^254 = a^-1 in GF(2^8) (a != 0). */
function inverse(a: number): number {
  let result = 1;
  let base = a;
  for (let e = 254; e > 0; e >>= 1) {
    if (e & 1) result = mul(result, base);
    base = mul(base, base);
  }
  return result;
}

/** Recovers the secret from at least two parts; throws on parts of unequal length or duplicate x. */
export function shamirCombine(parts: readonly Uint8Array[]): Buffer {
  if (parts.length < 2) throw new Error('less than two parts');
  const len = parts[0]!.length;
  if (len < 2 || parts.some((p) => p.length !== len)) throw new Error('parts differ in length');
  const xs = parts.map((p) => p[len - 1]!);
  if (new Set(xs).size !== xs.length) throw new Error('duplicate part');
  const secret = Buffer.alloc(len - 1);
  for (let idx = 0; idx < len - 1; idx++) {
    let value = 0;
    for (let i = 0; i < parts.length; i++) {
      let basis = 1;
      for (let j = 0; j < parts.length; j++) {
        if (i !== j) basis = mul(basis, mul(xs[j]!, inverse(xs[i]! ^ xs[j]!)));
      }
      value ^= mul(parts[i]![idx]!, basis);
    }
    secret[idx] = value;
  }
  return secret;
}
