/**
 * Go's strconv for the forms ksec reads and prints: Atoi-style integers (64-bit
 * range), ParseFloat, ParseBool, and FormatFloat(x, 'f' | 'g', -1, 64) (the
 * shortest decimal that reads back as the same float64).
 */

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.Atoi: optional sign, decimal digits, 64-bit range; the canonical decimal text. */
export function goParseInt(s: string): string | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n.toString();
}

/** strconv.ParseFloat(s, 64) for decimal forms without `_` separators (and inf/nan). */
export function goParseFloat(s: string): number | undefined {
  const lower = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(lower)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return undefined;
  return Number(s);
}

/** strconv.ParseBool. */
export function goParseBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Shortest round-trip digits and decimal exponent of a finite, non-zero |x|. */
function shortestDigits(x: number): { digits: string; exp: number } {
  const [mant, e] = Math.abs(x).toExponential().split('e');
  return { digits: mant!.replace('.', ''), exp: Number(e) };
}

/** FormatFloat's text for NaN, ±Inf and ±0 (the same in every format), else undefined. */
function specialFloat(x: number): string | undefined {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return undefined;
}

/** strconv.FormatFloat(x, 'f', -1, 64). */
export function goFormatFloatF(x: number): string {
  const special = specialFloat(x);
  if (special !== undefined) return special;
  const sign = x < 0 ? '-' : '';
  const { digits, exp } = shortestDigits(x);
  const point = exp + 1; // digits before the decimal point
  let out: string;
  if (point <= 0) out = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = digits.slice(0, point) + '.' + digits.slice(point);
  return sign + out;
}

/** strconv.FormatFloat(x, 'g', -1, 64), as yaml.v3 prints floats. */
export function goFormatFloatG(x: number): string {
  const special = specialFloat(x);
  if (special !== undefined) return special;
  const sign = x < 0 ? '-' : '';
  const { digits, exp } = shortestDigits(x);
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return goFormatFloatF(x);
}
