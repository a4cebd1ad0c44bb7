import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readsAsOtherType, stringStyle, type ScalarStyle } from '../../../src/go/yaml-scalar.js';
import { sigsYamlMarshal, yamlRefusalOf } from '../../../src/seal/layout.js';

/** What go-yaml v2 (sigs.k8s.io/yaml) and v3 print; made by test/fixtures/go/yaml (see its README). */
const vectors = JSON.parse(readFileSync(new URL('../../fixtures/go/yaml/vectors.json', import.meta.url), 'utf8')) as {
  s: string;
  v2Value: string;
  v2Key: string;
  v3Value: string;
  v3Key: string;
}[];

function styleOf(text: string, prefix: string): ScalarStyle | 'complex' | 'error' {
  if (text.startsWith('ERROR')) return 'error';
  if (text.startsWith('? ')) return 'complex';
  const c = text[prefix.length];
  return c === '"' ? 'double' : c === "'" ? 'single' : c === '|' ? 'literal' : 'plain';
}

/** go-yaml v2 counts a tab as a special character and prints U+0085 plain; v3 and stringStyle do not (and v2 refuses U+007F-U+009F and U+FFFE/F). */
const V2_ONLY = /[\t\u0085]/;

describe('go-yaml string styles (vectors from go-yaml v2 and v3)', () => {
  it('stringStyle gives v3 style for every value and simple key', () => {
    const wrong: string[] = [];
    for (const v of vectors) {
      const value = styleOf(v.v3Value, 'k: ');
      if (value !== 'error' && stringStyle(v.s, false) !== value) wrong.push(`value ${JSON.stringify(v.s)}: ${value}`);
      const key = styleOf(v.v3Key, '');
      if (key !== 'error' && key !== 'complex' && stringStyle(v.s, true) !== key) wrong.push(`key ${JSON.stringify(v.s)}: ${key}`);
    }
    expect(wrong).toEqual([]);
  });

  it('v2 agrees with v3 except on tabs and U+0085', () => {
    const differ = vectors.filter((v) => styleOf(v.v2Value, 'k: ') !== styleOf(v.v3Value, 'k: ') && !v.v3Value.startsWith('ERROR') && !v.v2Value.startsWith('ERROR'));
    expect(differ.filter((v) => !V2_ONLY.test(v.s)).map((v) => v.s)).toEqual([]);
    expect(differ.length).toBeGreaterThan(0);
  });

  it('readsAsOtherType is what makes a plain-safe string double-quoted in both', () => {
    for (const v of vectors) {
      if (!/^[A-Za-z0-9_.+:~<=-][A-Za-z0-9_.+:~<=/ -]*$/.test(v.s) || / $|: | #/.test(v.s)) continue;
      const expected = readsAsOtherType(v.s) ? 'double' : 'plain';
      if (styleOf(v.v2Value, 'k: ') === 'single') continue; // a leading `-`/`:` etc. that analysis forbids plain
      expect(styleOf(v.v2Value, 'k: '), JSON.stringify(v.s)).toBe(expected);
      expect(styleOf(v.v3Value, 'k: '), JSON.stringify(v.s)).toBe(expected);
    }
  });

  it('spot checks: YAML 1.1 words, numbers that overflow, timestamps Go refuses', () => {
    for (const s of ['', 'y', 'NO', 'off', '~', '.inf', '08', '0o17', '0x1F', '1_000', '1:20:30', '.5_0', '2001-12-14', '2001-12-14t1:2:3Z', '2001-12-14 21:59:43,5', '18446744073709551615']) {
      expect(readsAsOtherType(s), s).toBe(true);
    }
    for (const s of ['<<', 'e5', '1:60', '0x', '0o8', 'Infinity', '0xFFFFFFFFFFFFFFFFFFFF', '1e309', '2001-13-14', '2001-02-30', '2001-12-14T21:59:43', '2001-12-14T25:59:43Z', '2001-12-14T21:59:43+1:00']) {
      expect(readsAsOtherType(s), s).toBe(false);
    }
  });
});

describe('seal/go-yaml-emit and layout against sigs.k8s.io/yaml (go-yaml v2)', () => {
  it('prints every vector as sigs.k8s.io/yaml.Marshal does, as a value and as a key, and refuses where it fails', () => {
    const wrong: string[] = [];
    for (const v of vectors) {
      for (const [obj, expected] of [[{ k: v.s }, v.v2Value], [{ [v.s]: 'v' }, v.v2Key]] as const) {
        const refused = yamlRefusalOf(obj) !== undefined;
        if (expected.startsWith('ERROR')) {
          if (!refused) wrong.push(`${JSON.stringify(obj)}: go-yaml fails, ksec does not refuse`);
        } else if (refused) wrong.push(`${JSON.stringify(obj)}: refused`);
        else if (sigsYamlMarshal(obj) !== expected) wrong.push(`${JSON.stringify(obj)}: ${JSON.stringify(sigsYamlMarshal(obj))} != ${JSON.stringify(expected)}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
