/*
 * SHA-1 (FIPS 180-4) compiled to WebAssembly (scripts/build-wasm.mjs; git-blob-id.ts loads it and
 * writes the message, already padded to whole 64-byte blocks, at buffer(size)). It proves a work-tree
 * file is the blob git staged; see git-blob-id.ts for why it is not node:crypto's.
 */

typedef unsigned char u8;
typedef unsigned int u32;

extern u8 __heap_base;
static u32 digest[5];

/* where `size` bytes go (memory grown to hold them); 0 when it cannot grow */
__attribute__((export_name("buffer"))) u32 buffer(u32 size) {
  u32 start = (u32)&__heap_base;
  u32 need = start + size, have = (u32)__builtin_wasm_memory_size(0) * 65536u;
  if (need > have && __builtin_wasm_memory_grow(0, (need - have + 65535u) / 65536u) == (unsigned long)-1) return 0;
  return start;
}

static u32 rol(u32 x, int n) { return (x << n) | (x >> (32 - n)); }

/* the SHA-1 of the `size` bytes (a multiple of 64) at buffer(size): its five 32-bit words, at the address returned */
__attribute__((export_name("sha1"))) u32 *sha1(u32 size) {
  const u8 *block = &__heap_base;
  u32 h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0;
  u32 w[80];
  for (u32 offset = 0; offset < size; offset += 64, block += 64) {
    for (int t = 0; t < 16; t++) {
      u32 word;
      __builtin_memcpy(&word, block + 4 * t, 4);
      w[t] = __builtin_bswap32(word);
    }
    for (int t = 16; t < 80; t++) w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    u32 a = h0, b = h1, c = h2, d = h3, e = h4;
    for (int t = 0; t < 80; t++) {
      u32 f, k;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      u32 temp = rol(a, 5) + f + e + k + w[t];
      e = d;
      d = c;
      c = rol(b, 30);
      b = a;
      a = temp;
    }
    h0 += a;
    h1 += b;
    h2 += c;
    h3 += d;
    h4 += e;
  }
  digest[0] = h0;
  digest[1] = h1;
  digest[2] = h2;
  digest[3] = h3;
  digest[4] = h4;
  return digest;
}
