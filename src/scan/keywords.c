/*
 * Which of a few literal keywords occur in a text, in one pass over its bytes, compiled to
 * WebAssembly with SIMD (scripts/build-wasm.mjs; keywords.ts loads it): the scan's prefilter, one pass
 * instead of one search per keyword.
 *
 * 16 positions at a time, the keywords' first three bytes are looked up by their two nibbles in small
 * tables (the "Teddy" technique of Hyperscan and Rust's aho-corasick, simplified): each keyword is in
 * one of 8 buckets, a table entry says which buckets have a keyword with that nibble there, and a
 * position is a candidate when a bucket survives all six lookups. Candidates, rare in manifests, are
 * checked exactly: two byte tables name the keywords that can start there, which are compared.
 */
#include <wasm_simd128.h>

typedef unsigned char u8;
typedef unsigned int u32;

#define MAX_KEYWORDS 32
#define MAX_BYTES 1024

static u8 words[MAX_BYTES];
static u32 offsets[MAX_KEYWORDS], lengths[MAX_KEYWORDS], count;
/* bit k: keyword k starts with this byte / has it second */
static u32 first[256], second[256];
/* by position 0-2 in a keyword: for each low / high nibble, the buckets (bit k % 8) with a keyword that
 * has it there (a keyword of 2 bytes has every nibble at position 2) */
static u8 low[3][16], high[3][16];

extern u8 __heap_base;

/* where `size` bytes go (memory grown to hold them); 0 when it cannot grow */
__attribute__((export_name("buffer"))) u32 buffer(u32 size) {
  u32 start = (u32)&__heap_base;
  u32 need = start + size, have = (u32)__builtin_wasm_memory_size(0) * 65536u;
  if (need > have && __builtin_wasm_memory_grow(0, (need - have + 65535u) / 65536u) == (unsigned long)-1) return 0;
  return start;
}

/*
 * Takes the keywords, the `size` bytes at buffer(size), each followed by a 0 byte. Once per instance.
 * 0 when they were set already, are too many or too long, or one is shorter than 2 bytes.
 */
__attribute__((export_name("set_keywords"))) int set_keywords(u32 size) {
  const u8 *t = &__heap_base;
  if (count != 0 || size > MAX_BYTES) return 0;
  u32 start = 0;
  for (u32 i = 0; i < size; i++) {
    words[i] = t[i];
    if (t[i] != 0) continue;
    if (i - start < 2 || count == MAX_KEYWORDS) return 0;
    offsets[count] = start, lengths[count] = i - start;
    first[t[start]] |= 1u << count;
    second[t[start + 1]] |= 1u << count;
    for (u32 j = 0; j < 3; j++) {
      u8 bucket = (u8)(1u << (count % 8));
      for (u32 x = 0; x < 16; x++) {
        if (j >= i - start || x == (t[start + j] & 15u)) low[j][x] |= bucket;
        if (j >= i - start || x == (t[start + j] >> 4)) high[j][x] |= bucket;
      }
    }
    count++;
    start = i + 1;
  }
  return count != 0 && start == size;
}

/* the keywords (bit k for keyword k) that start at p of the `size` bytes at t */
static u32 at(const u8 *t, u32 p, u32 size) {
  u32 maybe = first[t[p]] & second[t[p + 1]], found = 0;
  while (maybe != 0) {
    u32 k = (u32)__builtin_ctz(maybe);
    maybe &= maybe - 1;
    u32 len = lengths[k], i = 2;
    if (len > size - p) continue;
    const u8 *w = words + offsets[k];
    while (i < len && t[p + i] == w[i]) i++;
    if (i == len) found |= 1u << k;
  }
  return found;
}

/* the keywords (bit k for keyword k) that occur in the `size` bytes at buffer(size) */
__attribute__((export_name("keywords_in"))) u32 keywords_in(u32 size) {
  const u8 *t = &__heap_base;
  v128_t lo[3], hi[3];
  for (u32 j = 0; j < 3; j++) lo[j] = wasm_v128_load(low[j]), hi[j] = wasm_v128_load(high[j]);
  const v128_t nibble = wasm_i8x16_splat(15);
  u32 found = 0, p = 0;
  /* 16 positions whose first three bytes are all in the text */
  for (; p + 18 <= size; p += 16) {
    v128_t buckets = wasm_i8x16_splat(-1);
    for (u32 j = 0; j < 3; j++) {
      v128_t in = wasm_v128_load(t + p + j);
      buckets = wasm_v128_and(buckets, wasm_v128_and(wasm_i8x16_swizzle(lo[j], wasm_v128_and(in, nibble)), wasm_i8x16_swizzle(hi[j], wasm_u8x16_shr(in, 4))));
    }
    if (!wasm_v128_any_true(buckets)) continue;
    u32 candidates = wasm_i8x16_bitmask(wasm_i8x16_ne(buckets, wasm_i8x16_splat(0)));
    while (candidates != 0) {
      u32 i = (u32)__builtin_ctz(candidates);
      candidates &= candidates - 1;
      found |= at(t, p + i, size);
    }
  }
  for (; p + 1 < size; p++) found |= at(t, p, size);
  return found;
}
