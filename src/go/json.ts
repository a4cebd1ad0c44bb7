/**
 * Go's encoding/json output, byte for byte, for the values ksec hands it:
 *
 * - strings (goJsonString): `"` and `\` escaped, \b \f \n \r \t, other
 *   control characters as \u00xx (lowercase hex), the HTML-safe escapes
 *   \u003c \u003e \u0026 for < > &, U+2028/U+2029 as \u2028 \u2029, and
 *   every lone surrogate (invalid UTF-16) as the character U+FFFD; all else
 *   as is.
 * - numbers (goJsonNumber): float64 as encoding/json prints it ('f' form,
 *   exponent form below 1e-6 and from 1e21, "-0" kept); Inf and NaN, which
 *   Go refuses, as null.
 * - goJsonMarshal: json.Marshal of a decoded JSON value (map[string]any):
 *   compact, object keys in the byte order of their UTF-8 encoding.
 * - goJsonMarshalIndent: json.MarshalIndent(v, "", indent) of a value whose
 *   objects and Maps already list their keys in the order Go prints them
 *   (struct fields in declaration order, map keys sorted with sortedGoKeys).
 *
 * - GoRawJson: a json.RawMessage-like field (metav1.FieldsV1) that Go copies
 *   from the input text instead of re-encoding; decoded by JSON.parse, a lone
 *   surrogate in it can only have been an escape there, so it is printed as
 *   one (`\ud800`) where a decoded Go string would print U+FFFD.
 *
 * Object members whose value is undefined are left out (JSON.stringify's rule).
 */
import { sortedGoKeys, toWellFormed } from './strings.js';

const NEEDS_ESCAPE = /["\\<>&\u2028\u2029\u0000-\u001f\uD800-\uDFFF]/;
const ESCAPED = /["\\<>&\u2028\u2029\u0000-\u001f]/g;
const ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** A value decoded from JSON text that Go prints from that text (json.RawMessage, metav1.FieldsV1). */
export class GoRawJson {
  /** `sortKeys`: the text was made by json.Marshal of a Go map (YAML input through sigs.k8s.io/yaml), so its keys are in byte order */
  constructor(
    readonly value: unknown,
    readonly sortKeys = false,
  ) {}

  toJSON(): unknown {
    return this.value;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** encoding/json's quoted form of a string (json.Marshal, HTML-safe); `raw`: lone surrogates as \\uXXXX escapes (GoRawJson). */
export function goJsonString(s: string, raw = false): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  const escaped = (raw ? s : toWellFormed(s)).replace(ESCAPED, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${raw ? escaped.replace(LONE_SURROGATE, (c) => `\\u${c.charCodeAt(0).toString(16)}`) : escaped}"`;
}

/** encoding/json's form of a float64; null for Inf and NaN. */
export function goJsonNumber(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  return Object.is(x, -0) ? '-0' : String(x);
}

function scalar(value: unknown, raw = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return goJsonString(value, raw);
  if (typeof value === 'number') return goJsonNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return goJsonString(value.toISOString());
  return goJsonString(String(value));
}

function members(value: Map<unknown, unknown> | Record<string, unknown>): [string, unknown][] {
  const all: [unknown, unknown][] = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return all.filter(([, v]) => v !== undefined).map(([k, v]) => [String(k), v]);
}

function isObject(value: unknown): value is Map<unknown, unknown> | Record<string, unknown> {
  return value instanceof Map || (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof GoRawJson));
}

/** json.Marshal of a decoded JSON value: compact, keys of every object and Map in byte order. */
export function goJsonMarshal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJsonMarshal).join(',')}]`;
  if (isObject(value)) {
    const byKey = new Map(members(value));
    return `{${sortedGoKeys(byKey.keys())
      .map((k) => `${goJsonString(k)}:${goJsonMarshal(byKey.get(k))}`)
      .join(',')}}`;
  }
  return scalar(value);
}

/** Every object's keys in Go's byte order, as Maps. */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (!isObject(value)) return value;
  const byKey = new Map(members(value));
  return new Map(sortedGoKeys(byKey.keys()).map((k) => [k, sortedDeep(byKey.get(k))]));
}

/** json.MarshalIndent(value, "", indent), keys in the order the objects and Maps list them. */
export function goJsonMarshalIndent(value: unknown, indent = '  ', prefix = '', raw = false): string {
  if (value instanceof GoRawJson) return goJsonMarshalIndent(value.sortKeys ? sortedDeep(value.value) : value.value, indent, prefix, true);
  const inner = prefix + indent;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + goJsonMarshalIndent(v, indent, inner, raw)).join(',\n')}\n${prefix}]`;
  }
  if (isObject(value)) {
    const entries = members(value);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${goJsonString(k, raw)}: ${goJsonMarshalIndent(v, indent, inner, raw)}`).join(',\n')}\n${prefix}}`;
  }
  return scalar(value, raw);
}
