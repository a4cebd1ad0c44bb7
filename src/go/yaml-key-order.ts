/**
 * The order go-yaml v2 (sigs.k8s.io/yaml, and so kubeseal) prints map keys
 * in: its keyList.Less, where letters sort after other characters and runs
 * of digits compare as numbers.
 */

/**
 * Every map's keys in go-yaml's order (sequences keep theirs), as Maps: a
 * plain object would list integer-like keys ("9", "10") first whatever order
 * they went in.
 */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (typeof value !== 'object' || value === null) return value;
  const map = value as Record<string, unknown>;
  // Split each key into code points once, not in every comparison (10,000-key Secrets).
  const keys = Object.keys(map).map((key) => ({ key, runes: runesOf(key) }));
  keys.sort((a, b) => compareRunes(a.runes, b.runes));
  return new Map(keys.map(({ key }) => [key, sortKeysDeep(map[key])]));
}

type Runes = ArrayLike<string>;

/** A string indexes by code point already unless it holds a surrogate pair. */
const runesOf = (s: string): Runes => (/[\uD800-\uDFFF]/.test(s) ? Array.from(s) : s);

const isLetter = (c: string) => {
  if (c < '\x80') return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  return /\p{L}/u.test(c);
};
const isDigit = (c: string) => c >= '0' && c <= '9';

/** go-yaml v2's keyList.Less for string keys: letters after other characters, digit runs compared as numbers. */
export function goYamlKeyLess(a: string, b: string): boolean {
  return compareRunes(runesOf(a), runesOf(b)) < 0;
}

/**
 * keyList.Less as a three-way comparison: every rule below decides at the
 * first differing code point and is antisymmetric there, so Less(b, a) is
 * the negation of Less(a, b) whenever the keys differ.
 */
function compareRunes(ar: Runes, br: Runes): number {
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ca = ar[i]!;
    const cb = br[i]!;
    if (ca === cb) continue;
    const al = isLetter(ca);
    const bl = isLetter(cb);
    if (al && bl) return ca.codePointAt(0)! < cb.codePointAt(0)! ? -1 : 1;
    if (al || bl) return bl ? -1 : 1;
    let an = 0;
    let bn = 0;
    if (ca === '0' || cb === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + (ar[ai]!.charCodeAt(0) - 48);
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + (br[bi]!.charCodeAt(0) - 48);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return ca.codePointAt(0)! < cb.codePointAt(0)! ? -1 : 1;
  }
  return ar.length - br.length;
}
