/*
 * Whether any of a few literal keywords occurs in a text, in one pass over its bytes, compiled to
 * WebAssembly (scripts/build-wasm.mjs; keywords.ts loads it). Two byte tables name the keywords that
 * could start at each position from its first two bytes, and only those are compared: the scan's
 * prefilter, which tries one pass instead of one search per keyword.
 */

typedef unsigned char u8;
typedef unsigned int u32;

#define MAX_KEYWORDS 32
#define MAX_BYTES 1024

static u8 words[MAX_BYTES];
static u32 offsets[MAX_KEYWORDS], lengths[MAX_KEYWORDS], count;
/* bit k: keyword k starts with this byte / has it second */
static u32 first[256], second[256];

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
    count++;
    start = i + 1;
  }
  return count != 0 && start == size;
}

/* 1 when one of the keywords occurs in the `size` bytes at buffer(size) */
__attribute__((export_name("any_keyword"))) int any_keyword(u32 size) {
  const u8 *t = &__heap_base;
  for (u32 p = 0; p + 1 < size; p++) {
    u32 maybe = first[t[p]] & second[t[p + 1]];
    while (maybe != 0) {
      u32 k = (u32)__builtin_ctz(maybe);
      maybe &= maybe - 1;
      u32 len = lengths[k], i = 2;
      if (len > size - p) continue;
      const u8 *w = words + offsets[k];
      while (i < len && t[p + i] == w[i]) i++;
      if (i == len) return 1;
    }
  }
  return 0;
}
