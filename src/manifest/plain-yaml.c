/*
 * The syntax check's first try, for the plainest manifests, compiled to
 * WebAssembly (scripts/build-wasm.mjs; plain-yaml.ts loads it). It reads the
 * UTF-8 bytes of a text a line at a time (indentation, `- `, a key, a
 * one-line value) in one pass over its characters, and a stack of open
 * mappings and sequences checks the structure and the duplicate keys. No
 * value is built, so it is many times cheaper than validFastYaml, which
 * goes through the same text a construct at a time in JavaScript.
 *
 * It takes a strict part of fast-yaml.ts's subset: LF line breaks, no tabs,
 * block mappings and sequences starting at column 0, keys that are plain
 * words (`app.kubernetes.io/name`) or simply quoted, one-line plain and
 * quoted values, literal and folded block scalars without an indentation
 * digit, and one-line flow collections of plain words and simple strings
 * (`{app: web, tier: "1"}`, `[{containerPort: 8080}]`). Anything else,
 * bytes that are not UTF-8 included, gives 0, and validFastYaml decides.
 *
 * The contract: 1 only where validFastYaml says true (so the `yaml` package
 * accepts the text). test/unit/manifest/syntax.test.ts checks it on every
 * corpus the fast reader is checked on.
 */

#include <wasm_simd128.h>

typedef unsigned char u8;
typedef unsigned int u32;

#define FAIL 0xffffffffu

/* Character classes of bytes, as bits. "Allowed" is what a line may hold: not a line break other
 * than LF, a tab or a character fast-yaml.ts refuses. A byte from 0x80 has no class: the classes that
 * take any allowed character (WIDE_OK) decode it with `wide`. Plain and quoted scalars and comments
 * are read by runs (`run`, `plain`), not by class. */
enum {
  ALLOWED = 1,
  PLAIN_FIRST = 2, /* a plain scalar's first character: allowed, not a space or an indicator */
  KEY = 4,         /* a plain key: [A-Za-z0-9_./-], starting with [A-Za-z_] */
  KEY_FIRST = 8,
  FLOW_WORD = 16, /* a word in a flow collection: [A-Za-z0-9_./@=+-], starting with [A-Za-z0-9_./] */
  FLOW_FIRST = 32,
  FLOW_DQ_RUN = 64, /* a string in a flow collection: allowed, not `"`, `\` or a flow indicator */
  ESCAPE = 128,     /* what may follow `\` in a double-quoted scalar (without `x`, `u` and `U`) */
  HEX = 256,
};
#define WIDE_OK (ALLOWED | PLAIN_FIRST | FLOW_DQ_RUN)

static unsigned short CLASS[256];

static int has(const char *chars, u32 c) {
  for (; *chars; chars++)
    if ((u8)*chars == c) return 1;
  return 0;
}

static void classes(void) {
  for (u32 c = 32; c < 127; c++) {
    u32 alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    u32 alnum = alpha || (c >= '0' && c <= '9');
    u32 bits = ALLOWED;
    if (!has(" -?:,[]{}#&*!|>'\"%@`", c)) bits |= PLAIN_FIRST;
    if (alnum || has("_./-", c)) bits |= KEY;
    if (alpha || c == '_') bits |= KEY_FIRST;
    if (alnum || has("_./@=+-", c)) bits |= FLOW_WORD;
    if (alnum || has("_./", c)) bits |= FLOW_FIRST;
    if (!has("\"\\{}[],", c)) bits |= FLOW_DQ_RUN;
    if (has("0abtnvfre \"/\\N_LP", c)) bits |= ESCAPE;
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) bits |= HEX;
    CLASS[c] = (unsigned short)bits;
  }
}

/* the text: n bytes at b, with a 0 byte after them (0 has no class, so every run stops there) */
static const u8 *b;
static u32 n;

/*
 * Runs of printable ASCII, 16 bytes at a time: where the first byte from p is that is not printable
 * ASCII (a control, DEL, a byte of a wide character) or is `x` or `y`. The 0 after the text stops
 * every run, and buffer() leaves 16 bytes after it, so the loads stay in memory.
 */
static u32 ascii_until(u32 p, u8 x, u8 y) {
  const v128_t low = wasm_i8x16_splat(0x20), high = wasm_i8x16_splat(0x7e), vx = wasm_i8x16_splat((char)x), vy = wasm_i8x16_splat((char)y);
  for (;; p += 16) {
    v128_t v = wasm_v128_load(b + p);
    v128_t stop = wasm_v128_or(wasm_v128_or(wasm_u8x16_lt(v, low), wasm_u8x16_gt(v, high)), wasm_v128_or(wasm_i8x16_eq(v, vx), wasm_i8x16_eq(v, vy)));
    u32 bits = (u32)wasm_i8x16_bitmask(stop);
    if (bits != 0) return p + (u32)__builtin_ctz(bits);
  }
}

/*
 * The length of the UTF-8 sequence at p when it is one character that a line may hold, else 0:
 * not UTF-8 (the decoder would make U+FFFD of it), a C1 control, U+2028, U+2029 or a BOM.
 */
static u32 wide(u32 p) {
  u32 c = b[p], len, cp;
  if (c < 0xc2) return 0;
  if (c < 0xe0) len = 2, cp = c & 0x1f;
  else if (c < 0xf0) len = 3, cp = c & 0x0f;
  else if (c < 0xf5) len = 4, cp = c & 0x07;
  else return 0;
  for (u32 k = 1; k < len; k++) {
    u32 d = b[p + k]; /* the 0 after the text ends a short sequence */
    if ((d & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3f);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff) return 0;
  return len;
}

/* The length of the character at p when it has class `bits`, else 0. */
static u32 one(u32 p, u32 bits) {
  if (CLASS[b[p]] & bits) return 1;
  return b[p] >= 0x80 && (bits & WIDE_OK) ? wide(p) : 0;
}

/* Past the run of characters of class `bits` from p. */
static u32 skip(u32 p, u32 bits) {
  for (;;) {
    while (CLASS[b[p]] & bits) p++;
    if (b[p] < 0x80 || !(bits & WIDE_OK)) return p;
    u32 w = wide(p);
    if (w == 0) return p;
    p += w;
  }
}

/* Past the allowed characters other than `x` and `y` from p: a comment, the inside of a quoted scalar. */
static u32 run(u32 p, u8 x, u8 y) {
  for (;;) {
    p = ascii_until(p, x, y);
    if (b[p] < 0x80) return p;
    u32 w = wide(p);
    if (w == 0) return p;
    p += w;
  }
}

static u32 spaces(u32 p) {
  if (b[p] != ' ') return p;
  const v128_t space = wasm_i8x16_splat(' ');
  for (;; p += 16) {
    u32 bits = (u32)wasm_i8x16_bitmask(wasm_i8x16_ne(wasm_v128_load(b + p), space));
    if (bits != 0) return p + (u32)__builtin_ctz(bits);
  }
}

/* an allowed character other than a space */
static int not_space(u32 p) {
  return b[p] != ' ' && one(p, ALLOWED) != 0;
}

/* the 4 bytes from p, little-endian */
static u32 word(u32 p) {
  u32 v;
  __builtin_memcpy(&v, b + p, 4);
  return v;
}

/* ---- duplicate keys: every key of the text in one hash table, by the mapping it belongs to ---- */

#define TABLE_SIZE (1u << 16)

/* `run` marks the slots it filled; a slot of an earlier run is free */
static struct slot {
  u32 run, map, off, len;
} table[TABLE_SIZE];
static u32 runs, keys, max_keys;
/* a run uses the table's first mask + 1 slots, few for a small text: they stay in the cache */
static u32 mask;

static void keys_start(void) {
  u32 size = 256;
  while (size < n / 2 && size < TABLE_SIZE) size *= 2;
  mask = size - 1;
  /* a key takes 3 bytes at least (`k:` and a line break), so this caps only texts past the table */
  max_keys = size / 4 * 3;
  runs++, keys = 0;
}

/* 0 when mapping `map` has this key already (or the table is full: validFastYaml decides) */
static int add_key(u32 map, u32 off, u32 len) {
  if (++keys > max_keys) return 0;
  /* the first and last 4 bytes say enough of a key; equal hashes are compared in full */
  u32 h = (map * 0x9e3779b1u) ^ len;
  if (len >= 4) h = (h ^ word(off)) * 0x85ebca6bu ^ word(off + len - 4);
  else
    for (u32 k = 0; k < len; k++) h = (h ^ b[off + k]) * 0x01000193u;
  h = (h ^ (h >> 15)) * 0xc2b2ae35u;
  h ^= h >> 13;
  for (u32 i = h & mask;; i = (i + 1) & mask) {
    struct slot *s = &table[i];
    if (s->run != runs) {
      s->run = runs, s->map = map, s->off = off, s->len = len;
      return 1;
    }
    if (s->map == map && s->len == len) {
      u32 k = 0;
      while (k < len && b[s->off + k] == b[off + k]) k++;
      if (k == len) return 0;
    }
  }
}

#define WORD(a, b, c, d) ((u32)(a) | (u32)(b) << 8 | (u32)(c) << 16 | (u32)(d) << 24)

/* keys whose plain form is not the string itself (null, booleans): left to validFastYaml */
static int not_string_key(u32 off, u32 len) {
  if (len == 4) {
    u32 w = word(off);
    return w == WORD('n', 'u', 'l', 'l') || w == WORD('N', 'u', 'l', 'l') || w == WORD('N', 'U', 'L', 'L') ||
           w == WORD('t', 'r', 'u', 'e') || w == WORD('T', 'r', 'u', 'e') || w == WORD('T', 'R', 'U', 'E');
  }
  if (len == 5) {
    u32 w = word(off), e = b[off + 4];
    return (e == 'e' && (w == WORD('f', 'a', 'l', 's') || w == WORD('F', 'a', 'l', 's'))) || (e == 'E' && w == WORD('F', 'A', 'L', 'S'));
  }
  return 0;
}

#define MAX_KEY 200

/* ---- scalars and flow collections: each returns where it ends, or FAIL ---- */

/*
 * A plain scalar from its first character at p: no `: ` or ` #` inside, no `:` or space at its end.
 * Runs of printable ASCII, spaces included, stop only at `:`, `#` and what is not printable ASCII.
 */
static u32 plain(u32 p) {
  p += b[p] < 0x80 ? 1 : wide(p);
  for (;;) {
    p = ascii_until(p, ':', '#');
    if (b[p] == ':' && not_space(p + 1)) {
      p++;
      continue;
    }
    if (b[p] == '#' && b[p - 1] != ' ') {
      p++;
      continue;
    }
    u32 w = b[p] >= 0x80 ? wide(p) : 0;
    if (w != 0) {
      p += w;
      continue;
    }
    /* the end; spaces before it are not the scalar's */
    while (b[p - 1] == ' ') p--;
    return p;
  }
}

/* a double-quoted scalar from its `"` at p, with the escapes fast-yaml.ts reads alike */
static u32 double_quoted(u32 p) {
  p++;
  for (;;) {
    p = run(p, '"', '\\');
    if (b[p] == '"') return p + 1;
    if (b[p] != '\\') return FAIL;
    u32 e = b[p + 1];
    if (CLASS[e] & ESCAPE) p += 2;
    else if (e == 'x' && (CLASS[b[p + 2]] & HEX) && (CLASS[b[p + 3]] & HEX)) p += 4;
    else return FAIL;
  }
}

/* a single-quoted scalar from its `'` at p (`''` is a quote) */
static u32 single_quoted(u32 p) {
  p++;
  for (;;) {
    p = run(p, '\'', 0);
    if (b[p] != '\'') return FAIL;
    if (b[p + 1] != '\'') return p + 1;
    p += 2;
  }
}

/* a word or a simple double-quoted string in a flow collection */
static u32 flow_scalar(u32 p) {
  if (b[p] == '"') {
    p = skip(p + 1, FLOW_DQ_RUN);
    return b[p] == '"' ? p + 1 : FAIL;
  }
  if (!(CLASS[b[p]] & FLOW_FIRST)) return FAIL;
  return skip(p + 1, FLOW_WORD);
}

static u32 maps;

/* `{key: scalar, ...}` from its `{` at p, with plain-word keys, each once */
static u32 flow_mapping(u32 p) {
  u32 map = ++maps;
  p = spaces(p + 1);
  if (b[p] == '}') return p + 1;
  for (;;) {
    u32 start = p;
    if (!(CLASS[b[p]] & KEY_FIRST)) return FAIL;
    p = skip(p + 1, KEY);
    if (p - start > MAX_KEY + 1 || b[p] != ':' || b[p + 1] != ' ') return FAIL;
    if (not_string_key(start, p - start) || !add_key(map, start, p - start)) return FAIL;
    p = flow_scalar(spaces(p + 2));
    if (p == FAIL) return FAIL;
    p = spaces(p);
    if (b[p] == '}') return p + 1;
    if (b[p] != ',') return FAIL;
    p = spaces(p + 1);
  }
}

/* `[item, ...]` of flow scalars and flow mappings from its `[` at p */
static u32 flow_sequence(u32 p) {
  p = spaces(p + 1);
  if (b[p] == ']') return p + 1;
  for (;;) {
    p = b[p] == '{' ? flow_mapping(p) : flow_scalar(p);
    if (p == FAIL) return FAIL;
    p = spaces(p);
    if (b[p] == ']') return p + 1;
    if (b[p] != ',') return FAIL;
    p = spaces(p + 1);
  }
}

/* the rest of a line from p: spaces, a comment (after a space or at the line's start), the line break */
static u32 line_end(u32 p) {
  p = spaces(p);
  if (b[p] == '#') {
    if (p > 0 && b[p - 1] != ' ' && b[p - 1] != '\n') return FAIL;
    p = run(p + 1, 0, 0);
  }
  if (p == n) return p;
  return b[p] == '\n' ? p + 1 : FAIL;
}

/* ---- lines ---- */

enum { NONE, SCALAR, BLOCK, FLOW };

/* the line `line` read last: indentation, `- ` with its spaces (0: none), key, what follows it */
static u32 indent, dash, has_key, key_off, key_len, value;
/* a block scalar's header: `>` and `+` */
static u32 folded, keep;

/* Where the `:` of a key starting at p is (the key stored in key_off, key_len), or FAIL when no key starts there. */
static u32 key_at(u32 p) {
  u32 c = b[p], start, end, colon;
  if (c == '"' || c == '\'') {
    start = p + 1;
    end = c == '"' ? run(start, '"', '\\') : run(start, '\'', 0);
    /* a byte count: never below the length in UTF-16 code units that fast-yaml.ts counts */
    if (b[end] != c || end - start > MAX_KEY) return FAIL;
    colon = end + 1;
  } else if (CLASS[c] & KEY_FIRST) {
    start = p;
    end = skip(p + 1, KEY);
    if (end - start > MAX_KEY + 1 || not_string_key(start, end - start)) return FAIL;
    colon = end;
  } else {
    return FAIL;
  }
  if (b[colon] != ':') return FAIL;
  if (colon + 1 != n && b[colon + 1] != ' ' && b[colon + 1] != '\n') return FAIL;
  has_key = 1, key_off = start, key_len = end - start;
  return colon;
}

/* Reads the line starting at p: where the next line starts, or FAIL when the line is not of the subset. */
static u32 line(u32 p) {
  u32 i = spaces(p);
  indent = i - p;
  dash = has_key = 0;
  value = NONE;

  if (b[i] == '-') {
    if (b[i + 1] == ' ') {
      u32 j = spaces(i + 2);
      dash = j - i;
      i = j;
    } else if (i + 1 == n || b[i + 1] == '\n') {
      dash = 1;
      i++;
    }
  }

  u32 colon = key_at(i);
  if (colon != FAIL) i = spaces(colon + 1);

  u32 c = b[i], end;
  if (i == n) end = i;
  else if (c == '"') end = double_quoted(i);
  else if (c == '\'') end = single_quoted(i);
  else if (c == '|' || c == '>') {
    u32 chomp = b[i + 1];
    folded = c == '>';
    keep = chomp == '+';
    end = chomp == '+' || chomp == '-' ? i + 2 : i + 1;
    value = BLOCK;
  } else if (c == '{') end = flow_mapping(i);
  else if (c == '[') end = flow_sequence(i);
  else if (one(i, PLAIN_FIRST) || ((c == '-' || c == '?' || c == ':') && not_space(i + 1))) end = plain(i);
  else end = i;
  if (end == FAIL) return FAIL;
  if (end != i && value == NONE) value = c == '{' || c == '[' ? FLOW : SCALAR;
  return line_end(end);
}

/*
 * The end of a block scalar whose header line ended at p (`parent`: the column of the mapping or
 * sequence it is a value of): where the first line after it starts, or FAIL where fast-yaml.ts
 * would bail out. The same rules as its blockScalar, for headers without an indentation digit.
 */
static u32 block_scalar_end(u32 p, u32 parent) {
  int scalar_indent = -1;
  u32 max_blank = 0;
  while (p < n) {
    u32 i = spaces(p), s = i - p;
    u32 end = run(i, 0, 0);
    if (end < n && b[end] != '\n') return FAIL;
    if (end == i) {
      /* an empty line: spaces past the scalar's indentation would be content */
      if (scalar_indent >= 0 && s > (u32)scalar_indent) return FAIL;
      if (s > max_blank) max_blank = s;
      p = end + 1;
      continue;
    }
    if (scalar_indent < 0) {
      if (s <= parent) break;
      scalar_indent = (int)s;
    }
    if (s < (u32)scalar_indent) break;
    if (folded && s > (u32)scalar_indent) return FAIL; /* more-indented lines fold differently */
    p = end + 1;
  }
  if (scalar_indent >= 0 ? max_blank > (u32)scalar_indent : max_blank > 0) return FAIL;
  if (keep && scalar_indent < 0) return FAIL; /* `|+` with no content: the reader bails on some of these */
  return p < n ? p : n;
}

/* ---- structure ---- */

#define MAX_DEPTH 256
enum { MAP, SEQ };

/* the open collections, innermost last: column, kind, mapping id */
static u32 cols[MAX_DEPTH], kinds[MAX_DEPTH], ids[MAX_DEPTH];
static int depth;

static int push(u32 col, u32 kind) {
  if (depth + 1 >= MAX_DEPTH) return 0;
  depth++;
  cols[depth] = col, kinds[depth] = kind, ids[depth] = kind == MAP ? ++maps : 0;
  return 1;
}

static int valid(void) {
  /* after `key:` or `-` with nothing behind: the column of that mapping or sequence (-1: none) */
  int below = -1, below_in_seq = 0, root_seen = 0;
  u32 p = 0;
  depth = -1;
  while (p < n) {
    if (b[p] == '-' && b[p + 1] == '-' && b[p + 2] == '-' && (p + 3 == n || b[p + 3] == '\n')) {
      /* a document marker: everything open ends with the document */
      depth = -1, below = -1, root_seen = 0;
      p += 4;
      continue;
    }
    p = line(p);
    if (p == FAIL) return 0;
    if (!dash && !has_key) {
      if (value != NONE) return 0; /* a value on its own line */
      continue;                    /* blank or comment */
    }

    /* where the line belongs */
    if (below != -1 && ((int)indent > below || (!below_in_seq && (int)indent == below && dash))) {
      if (!push(indent, dash ? SEQ : MAP)) return 0; /* the node under the last `key:` or `-` */
    } else if (depth == -1) {
      if (root_seen || indent != 0) return 0;
      push(0, dash ? SEQ : MAP);
    } else {
      while (depth >= 0 && cols[depth] > indent) depth--;
      if (depth == -1 || cols[depth] != indent) return 0;
      if (kinds[depth] == SEQ && !dash) {
        /* a key at a sequence's column ends it: the sequence was the value of a key at that column */
        depth--;
        if (depth == -1 || cols[depth] != indent || kinds[depth] != MAP) return 0;
      } else if (kinds[depth] == MAP && dash) {
        return 0;
      }
    }
    root_seen = 1;
    below = -1;

    /* what the line holds: an item (maybe opening a mapping on its line), a key, a value */
    u32 col = indent;
    if (dash && has_key) {
      col = indent + dash;
      if (!push(col, MAP)) return 0;
    }
    if (has_key && !add_key(ids[depth], key_off, key_len)) return 0;
    if (value == BLOCK) {
      p = block_scalar_end(p, col);
      if (p == FAIL) return 0;
    } else if (value == NONE) {
      below = (int)col;
      below_in_seq = !has_key;
    }
  }
  return 1;
}

/* ---- the interface: plain-yaml.ts writes a text to buffer(n), then calls check(n) ---- */

extern u8 __heap_base;

/* where a text of `size` bytes goes (memory grown to hold it, the 0 after it and 16 bytes for runs); 0 when it cannot grow */
__attribute__((export_name("buffer"))) u32 buffer(u32 size) {
  u32 start = (u32)&__heap_base;
  u32 need = start + size + 17, have = (u32)__builtin_wasm_memory_size(0) * 65536u;
  if (need > have && __builtin_wasm_memory_grow(0, (need - have + 65535u) / 65536u) == (unsigned long)-1) return 0;
  return start;
}

/* 1 when the `size` bytes written at buffer(size) are of the subset and valid, else 0 */
__attribute__((export_name("check"))) int check(u32 size) {
  if (CLASS['a'] == 0) classes();
  b = (const u8 *)&__heap_base;
  n = size;
  ((u8 *)b)[n] = 0;
  keys_start();
  maps = 0;
  return valid();
}
