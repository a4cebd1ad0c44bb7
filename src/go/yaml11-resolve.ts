/**
 * How go-yaml v2 (go.yaml.in/yaml/v2 resolve.go, under sigs.k8s.io/yaml,
 * which kubectl, the API server and kubeseal read manifests with) resolves a
 * plain scalar, and how sigs.k8s.io/yaml turns a resolved map key into the
 * JSON key. YAML 1.1 with go-yaml's own choices:
 * - null: `~`, `null`, `Null`, `NULL`, the empty scalar;
 * - bool: `y Y yes Yes YES true True TRUE on On ON` and
 *   `n N no No NO false False FALSE off Off OFF`;
 * - int: Go's strconv.ParseInt(s, 0, 64) after removing every `_` (so
 *   `010` is 8, `0b11` 3, `0o17` 15, `0X10` 16, `1_000` 1000), then
 *   ParseUint (up to 2^64-1), then `0b`-prefixed binary;
 * - float: `.inf .Inf .INF` (signed too), `.nan .NaN .NAN`, a decimal float
 *   (`1.5e10`, `.5`, `08` which is no octal), out-of-range floats stay text;
 * - timestamps resolve but a value decoded into interface{} keeps its text,
 *   so they are strings here; sexagesimal numbers are not resolved.
 * Only the first character decides which rules are tried: a scalar starting
 * with anything but `+ - . 0-9 y Y n N t T f F o O ~` is a string.
 */

/** A resolved scalar: what go-yaml v2 decodes it to in an interface{}. */
export type GoScalar =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'int'; value: bigint }
  | { kind: 'uint'; value: bigint }
  | { kind: 'float'; value: number }
  | { kind: 'str'; value: string };

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSES = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const SPECIAL_FLOATS: Record<string, number> = {
  '.nan': NaN,
  '.NaN': NaN,
  '.NAN': NaN,
  '.inf': Infinity,
  '.Inf': Infinity,
  '.INF': Infinity,
  '+.inf': Infinity,
  '+.Inf': Infinity,
  '+.INF': Infinity,
  '-.inf': -Infinity,
  '-.Inf': -Infinity,
  '-.INF': -Infinity,
};

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** what strconv.ParseFloat reads after a leading `.`: digits, `_`, one more `.`, an exponent */
const DOT_FLOAT = /^\.[0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9_]+)?$/;

/** The first characters go-yaml tries to resolve (its resolveTable); others are strings. */
function hasHint(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || // 0-9
    c === 43 || c === 45 || c === 46 || c === 126 || // + - . ~
    c === 121 || c === 89 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 || c === 111 || c === 79 // yYnNtTfFoO
  );
}

/** The words go-yaml resolves (null, bools, special floats) with their JSON values; none is longer than 6. */
const WORD_VALUES = new Map<string, boolean | null | number>([
  ...[...NULLS].map((w) => [w, null] as const),
  ...[...TRUES].map((w) => [w, true] as const),
  ...[...FALSES].map((w) => [w, false] as const),
  ...Object.entries(SPECIAL_FLOATS),
]);
/** a decimal int that is exact as a JS number and is no octal (`0` alone, or no leading zero) */
const SMALL_DECIMAL = /^(?:[-+]?[1-9][0-9]{0,14}|0)$/;

/**
 * resolveGoPlain's value as JSON would carry it, without building a
 * GoScalar (the fast path calls this for every plain scalar): the text, null,
 * a boolean or a number (NaN and ±Infinity for `.nan`/`.inf`, which the
 * caller refuses).
 */
export function goPlainValue(s: string): unknown {
  if (s.length === 0) return null;
  const c = s.charCodeAt(0);
  if (!hasHint(c)) return s;
  if (s.length <= 6) {
    const word = WORD_VALUES.get(s);
    if (word !== undefined) return word;
  }
  if (c === 46 /* . */) return parseDotFloat(s) ?? s;
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45)) return s;
  if (SMALL_DECIMAL.test(s)) return Number(s);
  const r = resolveNumber(s);
  return r === undefined ? s : goScalarValue(r);
}

/** goKeyString(resolveGoPlain(s)) without building a GoScalar where the key is plain text or a small decimal. */
export function goPlainKey(s: string): string | undefined {
  if (s.length === 0) return undefined;
  const c = s.charCodeAt(0);
  if (!hasHint(c)) return s;
  if (s.length <= 6) {
    const word = WORD_VALUES.get(s);
    if (word === null) return undefined;
    if (typeof word === 'boolean') return word ? 'true' : 'false';
  }
  // a letter resolves only through the words (`name`, `type`: the commonest keys)
  if (c !== 46 && c !== 43 && c !== 45 && c !== 126 && !(c >= 48 && c <= 57)) return s;
  if (/^[1-9][0-9]{0,14}$/.test(s)) return s;
  return goKeyString(resolveGoPlain(s));
}

/** go-yaml v2's resolve("", s): the value of an untagged plain scalar. */
export function resolveGoPlain(s: string): GoScalar {
  if (s.length === 0) return { kind: 'null' };
  const c = s.charCodeAt(0);
  if (!hasHint(c)) return { kind: 'str', value: s };
  // the words are short: a long text is never hashed for the lookup
  const word = s.length <= 6 ? WORD_VALUES.get(s) : undefined;
  if (word !== undefined) return word === null ? { kind: 'null' } : typeof word === 'boolean' ? { kind: 'bool', value: word } : { kind: 'float', value: word };
  if (c === 46 /* . */) {
    const f = parseDotFloat(s);
    return f === undefined ? { kind: 'str', value: s } : { kind: 'float', value: f };
  }
  // a letter or `~` resolves only through the words
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45)) return { kind: 'str', value: s };
  return resolveNumber(s) ?? { kind: 'str', value: s };
}

/** The number a scalar starting with a digit or a sign resolves to; undefined: a string. */
function resolveNumber(s: string): GoScalar | undefined {
  const plain = s.includes('_') ? s.replace(/_/g, '') : s;
  const int = parseGoInt(plain);
  if (int !== undefined && int >= INT64_MIN && int <= INT64_MAX) return { kind: 'int', value: int };
  if (int !== undefined && int > INT64_MAX && int <= UINT64_MAX && plain.charCodeAt(0) !== 43) return { kind: 'uint', value: int };
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = Number(plain);
    if (Number.isFinite(f)) return { kind: 'float', value: f };
  }
  // go-yaml's own binary fallback: strconv.ParseInt(plain[2:], 2, 64), which takes a sign
  const bin = /^0b([-+]?)([01]+)$/.exec(plain);
  if (bin) {
    const v = BigInt(`0b${bin[2]!}`) * (bin[1] === '-' ? -1n : 1n);
    if (v >= INT64_MIN && v <= INT64_MAX) return { kind: 'int', value: v };
    if (bin[1] === '' && v <= UINT64_MAX) return { kind: 'uint', value: v };
  }
  return undefined;
}

/**
 * strconv.ParseInt(s, 0, 64)'s syntax (range checked by the caller): an
 * optional sign, then `0b`/`0o`/`0x` (either case) and digits, `0` and octal
 * digits, or a decimal.
 */
function parseGoInt(s: string): bigint | undefined {
  const m = /^([-+]?)(0[bB][01]+|0[oO][0-7]+|0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let v: bigint;
  if (body.length > 2 && /^0[bBoOxX]/.test(body)) v = BigInt(`0${body[1]!.toLowerCase()}${body.slice(2)}`);
  else if (body.length > 1 && body[0] === '0') v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  return m[1] === '-' ? -v : v;
}

/** strconv.ParseFloat of a scalar starting with `.`; undefined where it fails or overflows. */
function parseDotFloat(s: string): number | undefined {
  if (!DOT_FLOAT.test(s) || !/[0-9]/.test(s.split(/[eE]/)[0]!)) return undefined;
  // a second `.` ends the number early: the text is not all read, a syntax error
  if (s.indexOf('.', 1) !== -1) return undefined;
  if (s.includes('_') && !underscoreOK(s)) return undefined;
  const f = Number(s.replace(/_/g, ''));
  return Number.isFinite(f) ? f : undefined;
}

/** Go's strconv underscoreOK for a decimal: every `_` between two digits. */
function underscoreOK(s: string): boolean {
  let saw = '^';
  for (const ch of s) {
    if (ch >= '0' && ch <= '9') saw = '0';
    else if (ch === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

/** The tags go-yaml resolves (resolvableTag), long form. */
const Y = 'tag:yaml.org,2002:';
export const GO_TAGS = { str: `${Y}str`, bool: `${Y}bool`, int: `${Y}int`, float: `${Y}float`, null: `${Y}null`, timestamp: `${Y}timestamp`, binary: `${Y}binary`, merge: `${Y}merge` };

/**
 * go-yaml v2's resolve(tag, s) for a scalar with an explicit tag: `!!str`
 * keeps the text, `!!bool`/`!!int`/`!!float`/`!!null` must resolve to that
 * kind (an int is taken as a float), `!!timestamp` must look like one (its
 * text is kept); any other tag (`!foo`, `!`) leaves the text. `!!binary` is
 * the caller's (base64). Throws the go-yaml message when the value does not
 * fit its tag.
 */
export function resolveGoTagged(tag: string, s: string): GoScalar {
  if (tag === GO_TAGS.str) return { kind: 'str', value: s };
  if (tag === GO_TAGS.timestamp) {
    if (isGoTimestamp(s)) return { kind: 'str', value: s };
    throw new Error('a value that is not a timestamp has the !!timestamp tag');
  }
  const want = ({ [GO_TAGS.bool]: 'bool', [GO_TAGS.int]: 'int', [GO_TAGS.float]: 'float', [GO_TAGS.null]: 'null' } as Record<string, string>)[tag];
  if (want === undefined) return { kind: 'str', value: s };
  const r = resolveGoPlain(s);
  if (r.kind === want) return r;
  if (want === 'float' && r.kind === 'int') return { kind: 'float', value: Number(r.value) };
  throw new Error(`a value that does not resolve to its !!${want} tag`);
}

/** go-yaml's parseTimestamp, near enough for an explicit `!!timestamp`: YYYY-M-D with an optional time. */
function isGoTimestamp(s: string): boolean {
  return /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})?)?$/.test(s);
}

/** The JSON value of a resolved scalar, as sigs.k8s.io/yaml hands it to json.Marshal (64-bit ints as JSON reads them back). */
export function goScalarValue(r: GoScalar): unknown {
  switch (r.kind) {
    case 'null':
      return null;
    case 'bool':
    case 'str':
    case 'float':
      return r.value;
    case 'int':
    case 'uint':
      return Number(r.value);
  }
}

/**
 * The JSON key sigs.k8s.io/yaml makes of a resolved map key: strings as
 * they are, ints in decimal, bools "true"/"false", floats as Go's
 * strconv.FormatFloat(f, 'g', -1, 32) (`1.5e10` is "1.5e+10") with
 * ".inf"/"-.inf"/".nan"; undefined for the keys it refuses (null, and
 * integers from 2^63 to 2^64-1, which go-yaml decodes as uint64).
 */
export function goKeyString(r: GoScalar): string | undefined {
  switch (r.kind) {
    case 'str':
      return r.value;
    case 'bool':
      return r.value ? 'true' : 'false';
    case 'int':
      return r.value.toString();
    case 'float': {
      const s = formatFloat32g(r.value);
      return s === '+Inf' ? '.inf' : s === '-Inf' ? '-.inf' : s === 'NaN' ? '.nan' : s;
    }
    default:
      return undefined;
  }
}

/** Go's strconv.FormatFloat(f, 'g', -1, 32): the float32 nearest f, in its shortest round-trip digits. */
export function formatFloat32g(f: number): string {
  const v = Math.fround(f);
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  if (a === 0) return neg ? '-0' : '0';
  let digits = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const e = a.toExponential(p - 1); // d.ddde±x
    if (Math.fround(Number(e)) === a) {
      const [mant, ex] = e.split('e') as [string, string];
      digits = mant.replace('.', '').replace(/0+$/, '') || '0';
      exp = Number(ex);
      break;
    }
  }
  let out: string;
  if (exp < -4 || exp >= 6) {
    const tail = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const ee = Math.abs(exp);
    out = `${digits[0]}${tail}e${exp < 0 ? '-' : '+'}${ee < 10 ? '0' : ''}${ee}`;
  } else if (exp < 0) {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    out = digits + '0'.repeat(exp + 1 - digits.length);
  } else {
    out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return neg ? `-${out}` : out;
}
