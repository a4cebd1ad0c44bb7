/**
 * Go's view of JavaScript strings: Go strings are UTF-8 bytes, so a lone
 * UTF-16 surrogate cannot exist in one (Go's UTF-8 conversions and
 * encoding/json turn it into U+FFFD), and Go orders strings by their bytes.
 */

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SURROGATE = /[\uD800-\uDFFF]/;

/** `s` with every lone surrogate replaced by U+FFFD (String#toWellFormed). */
export function toWellFormed(s: string): string {
  return SURROGATE.test(s) ? s.replace(LONE_SURROGATES, '\uFFFD') : s;
}

/**
 * Orders strings by Unicode code point, which is the byte order of their
 * UTF-8 encoding (Go's sort.Strings and map-key order) for well-formed
 * strings; JavaScript's default sort compares UTF-16 units and differs above
 * U+FFFF. A lone surrogate ranks as a code point above U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

function codeUnitRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000; // surrogates: code points above U+FFFF
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Keys in Go's byte order of their UTF-8 encoding (a lone surrogate counts as U+FFFD, as Go sees it). */
export function sortedGoKeys(keys: Iterable<string>): string[] {
  const list = [...keys];
  if (!list.some((k) => SURROGATE.test(k))) return list.sort(compareCodePoints);
  return list
    .map((key) => ({ key, go: toWellFormed(key) }))
    .sort((a, b) => compareCodePoints(a.go, b.go))
    .map(({ key }) => key);
}
