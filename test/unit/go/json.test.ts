import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goJsonMarshal, goJsonMarshalIndent, goJsonNumber, goJsonString } from '../../../src/go/json.js';
import { compareCodePoints, sortedGoKeys, toWellFormed } from '../../../src/go/strings.js';

/** Outputs of Go's encoding/json, made by test/fixtures/go/json/main.go (see its header). */
const vectors = JSON.parse(readFileSync(new URL('../../fixtures/go/json/vectors.json', import.meta.url), 'utf8')) as {
  input: unknown;
  marshal: string;
  marshalIndent: string;
}[];

/** Go prints map keys sorted: give MarshalIndent the value with its keys in that order. */
function goOrdered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(goOrdered);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  return new Map(sortedGoKeys(Object.keys(obj)).map((k) => [k, goOrdered(obj[k])]));
}

describe('Go encoding/json (vectors from Go)', () => {
  it.each(vectors.map((v) => [JSON.stringify(v.input).slice(0, 60), v] as const))('%s', (_name, v) => {
    expect(goJsonMarshal(v.input)).toBe(v.marshal);
    expect(goJsonMarshalIndent(goOrdered(v.input))).toBe(v.marshalIndent);
    if (typeof v.input === 'string') expect(goJsonString(v.input)).toBe(v.marshal);
  });
});

describe('goJsonString', () => {
  it('replaces lone surrogates with U+FFFD and keeps pairs', () => {
    expect(goJsonString('\ud800')).toBe('"\ufffd"');
    expect(goJsonString('a\udc00\ud800b')).toBe('"a\ufffd\ufffdb"');
    expect(goJsonString('\ud83d\ude00')).toBe('"\ud83d\ude00"');
  });

  it('escapes HTML characters, U+2028/9 and control characters as Go does', () => {
    expect(goJsonString('<a&b>')).toBe('"\\u003ca\\u0026b\\u003e"');
    expect(goJsonString('\u2028\u2029')).toBe('"\\u2028\\u2029"');
    expect(goJsonString('\u0000\u0001\b\f\n\r\t\u001f\u007f')).toBe('"\\u0000\\u0001\\b\\f\\n\\r\\t\\u001f\u007f"');
    expect(goJsonString('"\\/')).toBe('"\\"\\\\/"');
  });
});

describe('goJsonNumber', () => {
  it('prints float64 as encoding/json does', () => {
    expect([0, -0, 1e21, 1e-7, 0.1, 123456789].map(goJsonNumber)).toEqual(['0', '-0', '1e+21', '1e-7', '0.1', '123456789']);
    expect(goJsonNumber(NaN)).toBe('null');
  });
});

describe('key order', () => {
  it('sorts keys by UTF-8 bytes, above U+FFFF too', () => {
    const words = ['\uffee', '\ud83d\ude00', 'b', 'a', 'é', 'A', ''];
    const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...words].sort(compareCodePoints)).toEqual(byBytes);
    expect(sortedGoKeys(words)).toEqual(byBytes);
    expect(goJsonMarshal({ '\uffee': 1, '\ud83d\ude00': 2 })).toBe('{"\uffee":1,"\ud83d\ude00":2}');
  });

  it('sorts a key with a lone surrogate as U+FFFD, as Go sees it', () => {
    expect(sortedGoKeys(['\uffff', '\ud800', '\ufffe'])).toEqual(['\ud800', '\ufffe', '\uffff']);
    expect(toWellFormed('a\ud800')).toBe('a\ufffd');
  });

  it('keeps the given order in MarshalIndent and leaves out undefined members', () => {
    expect(goJsonMarshalIndent({ b: 1, a: undefined, c: [] })).toBe('{\n  "b": 1,\n  "c": []\n}');
    expect(goJsonMarshal({ b: 1, a: undefined })).toBe('{"b":1}');
  });
});
