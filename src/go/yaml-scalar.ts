/**
 * go-yaml's decisions about one string scalar, the same in go-yaml v2
 * (go.yaml.in/yaml/v2, behind sigs.k8s.io/yaml and so kubeseal) and v3
 * (go.yaml.in/yaml/v3, behind sops) as of v2.4.3 / v3.0.4:
 *
 * - readsAsOtherType: whether the plain scalar would read back as null, a
 *   bool, an int, a float or a timestamp (resolve()), or is a YAML 1.1
 *   base-60 float or bool, which the encoders quote too;
 * - analyzeScalar: libyaml's yaml_emitter_analyze_scalar for block context,
 *   as v3 has it (v2 also counts a tab as a special character);
 * - stringStyle: the style the v3 encoder ends up printing a string in.
 *
 * test/unit/go/yaml-scalar.test.ts checks them against vectors printed by
 * both libraries (test/fixtures/go/yaml).
 */

const WORDS = new Set(
  ('~ null Null NULL true True TRUE false False FALSE y Y yes Yes YES n N no No NO on On ON off Off OFF ' +
    '.nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF').split(' '),
);
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(?:Z|[+-](\d\d):(\d\d)))|(?: +(\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?))?$/;

/** Whether go-yaml prints the string quoted because, plain, it would read as another type. */
export function readsAsOtherType(s: string): boolean {
  if (s === '' || WORDS.has(s)) return true;
  const c = s.charCodeAt(0);
  if (c === 0x2e) return parsesAsGoFloat(s);
  if (!(c === 0x2b || c === 0x2d || (c >= 0x30 && c <= 0x39))) return false;
  if (BASE60_FLOAT.test(s) || isTimestamp(s)) return true;
  const plain = s.replaceAll('_', '');
  return fitsGoInt(plain) || (YAML_FLOAT.test(plain) && Number.isFinite(Number(plain)));
}

/** strconv.ParseFloat(s, 64) succeeds for a string starting with `.`: digits (`_` between them), exponent, no overflow. */
function parsesAsGoFloat(s: string): boolean {
  if (/(?:^|[^0-9])_|_(?:$|[^0-9])/.test(s)) return false;
  const plain = s.replaceAll('_', '');
  return /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/.test(plain) && Number.isFinite(Number(plain));
}

/** strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) succeeds. */
function fitsGoInt(s: string): boolean {
  const m = GO_INT.exec(s);
  if (!m) return false;
  const sign = m[1]!;
  const body = m[2]!;
  const prefix = body.length > 1 && body[0] === '0' ? body[1]!.toLowerCase() : '';
  const digits = prefix === 'x' || prefix === 'o' || prefix === 'b' ? body : body[0] === '0' && body.length > 1 ? `0o${body.slice(1)}` : body;
  const n = BigInt(digits);
  if (sign === '-') return n <= 2n ** 63n;
  if (sign === '+') return n < 2n ** 63n;
  return n < 2n ** 64n;
}

/** go-yaml's parseTimestamp: one of its four time.Parse layouts, with Go's range checks. */
function isTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [, y, mo, d, h1, mi1, s1, zh, zm, h2, mi2, s2] = m;
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  const hour = h1 ?? h2;
  if (hour !== undefined && (Number(hour) > 23 || Number(mi1 ?? mi2) > 59 || Number(s1 ?? s2) > 59)) return false;
  return zh === undefined || (Number(zh) <= 24 && Number(zm) <= 60);
}

export interface ScalarAnalysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

export const isLineBreak = (c: string | undefined) => c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBlank = (c: string | undefined) => c === ' ' || c === '\t';

/** libyaml's is_printable: no control characters, no U+0085, no BOM, nothing above U+FFFD. */
export function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

/** what analyzeScalar's loop finds nothing in: see the early return there */
const WORD = /^[A-Za-z0-9+/=._][A-Za-z0-9+/=._-]*$/;

/**
 * libyaml's yaml_emitter_analyze_scalar, for block context, as go-yaml v3 has it (sops) or, with
 * `dialect` 'v2', as go-yaml v2 has it (kubeseal): v2 counts a tab as a special character (no
 * block style either) and only a blank, not a line break, as the space after an indicator.
 */

export function analyzeScalar(value: string, dialect: 'v2' | 'v3' = 'v3'): ScalarAnalysis {
  if (value.length === 0) return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  let blockIndicators = value.startsWith('---') || value.startsWith('...');
  // letters, digits and + / = . _ - (not first): no character below sets a flag (a base64 value)
  if (WORD.test(value)) return { multiline: false, blockPlainAllowed: !blockIndicators, singleQuotedAllowed: true, blockAllowed: true };
  const chars = [...value];
  const v2 = dialect === 'v2';
  let lineBreaks = false;
  let special = false;
  let tabs = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWs = true;
  let prevSpace = false;
  let prevBreak = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const followedByWs = i + 1 === chars.length || isBlank(chars[i + 1]) || (!v2 && isLineBreak(chars[i + 1]));
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      else if ((c === '?' || c === ':') && followedByWs) blockIndicators = true;
      else if (c === '-' && followedByWs) blockIndicators = true;
    } else if ((c === ':' && followedByWs) || (c === '#' && precededByWs)) {
      blockIndicators = true;
    }
    if (c === '\t' && !v2) tabs = true;
    else if (!isPrintable(c.codePointAt(0)!)) special = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (prevBreak) breakSpace = true;
      prevSpace = true;
      prevBreak = false;
    } else if (isLineBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (prevSpace) spaceBreak = true;
      prevSpace = false;
      prevBreak = true;
    } else {
      prevSpace = false;
      prevBreak = false;
    }
    precededByWs = isBlank(c) || isLineBreak(c);
  }
  const a: ScalarAnalysis = { multiline: lineBreaks, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlainAllowed = false;
  if (trailingSpace) a.blockAllowed = false;
  if (breakSpace) a.blockPlainAllowed = a.singleQuotedAllowed = false;
  if (spaceBreak || tabs || special) a.blockPlainAllowed = a.singleQuotedAllowed = false;
  if (spaceBreak || special) a.blockAllowed = false;
  if (lineBreaks) a.blockPlainAllowed = false;
  if (blockIndicators) a.blockPlainAllowed = false;
  return a;
}

export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal';

/**
 * The style go-yaml prints a string in: literal when it holds a `\n`,
 * double-quoted when it would read as another type, else plain; then the
 * emitter falls back (plain -> single -> double, literal -> double) where
 * analyzeScalar forbids a style. A simple key (`key: value`) is never a block.
 */
export function stringStyle(s: string, simpleKey: boolean): ScalarStyle {
  let style: ScalarStyle = s.includes('\n') ? 'literal' : readsAsOtherType(s) ? 'double' : 'plain';
  const a = analyzeScalar(s);
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain' && (!a.blockPlainAllowed || (s === '' && simpleKey))) style = 'single';
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
  return style;
}
