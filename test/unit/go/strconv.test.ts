import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goJsonNumber } from '../../../src/go/json.js';
import { goFormatFloatF, goFormatFloatG, goParseBool, goParseFloat, goParseInt } from '../../../src/go/strconv.js';

/** Outputs of Go's strconv and encoding/json, made by test/fixtures/go/strconv/main.go (see its header). */
const vectors = JSON.parse(readFileSync(new URL('../../fixtures/go/strconv/vectors.json', import.meta.url), 'utf8')) as {
  floats: { x: string; f: string; g: string; json: string }[];
  parse: { s: string; float: string | null; int: string | null; bool: boolean | null }[];
};

const number = (text: string) => (text === 'NaN' ? NaN : text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : Number(text));

describe('strconv.FormatFloat (vectors from Go)', () => {
  it.each(vectors.floats.map((v) => [v.x, v] as const))('%s', (_x, v) => {
    const x = number(v.x);
    expect(goFormatFloatF(x)).toBe(v.f);
    expect(goFormatFloatG(x)).toBe(v.g);
    expect(goJsonNumber(x)).toBe(v.json === 'error' ? 'null' : v.json);
  });
});

describe('strconv.ParseFloat, ParseInt, ParseBool (vectors from Go)', () => {
  /** Go syntax goParseFloat does not read (hex floats, digit separators): sops writes floats with FormatFloat. */
  const GO_ONLY_FLOAT = new Set(['0x1p-2', '1_000']);
  it.each(vectors.parse.map((v) => [JSON.stringify(v.s), v] as const))('%s', (_s, v) => {
    const f = goParseFloat(v.s);
    if (GO_ONLY_FLOAT.has(v.s)) expect(f).toBeUndefined();
    else expect(f === undefined ? null : goFormatFloatG(f)).toBe(v.float);
    expect(goParseInt(v.s) ?? null).toBe(v.int);
    expect(goParseBool(v.s) ?? null).toBe(v.bool);
  });
});
