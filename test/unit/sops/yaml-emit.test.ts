import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SopsMap } from '../../../src/sops/tree.js';
import { emitYamlTree } from '../../../src/sops/yaml-emit.js';

/** What go.yaml.in/yaml/v3 prints (indent 4) for {k: s} and {s: v}; made by test/fixtures/go/yaml (see its README). */
const vectors = JSON.parse(readFileSync(new URL('../../fixtures/go/yaml/vectors.json', import.meta.url), 'utf8')) as {
  s: string;
  v3Value: string;
  v3Key: string;
}[];

const doc = (key: string, value: string): SopsMap[] => [
  { kind: 'map', items: [{ kind: 'item', key, value: { kind: 'str', value }, line: 1 }] },
];

describe('emitYamlTree prints strings as yaml.v3 does', () => {
  it('as values and as keys, for every string of the go-yaml vectors', () => {
    const wrong: string[] = [];
    for (const v of vectors) {
      // sops encodes values as yaml.Node, which keeps the merge tag "<<" resolves to (see the sops golden files)
      const value = v.s === '<<' ? 'k: !!merge <<\n' : v.v3Value;
      if (!value.startsWith('ERROR') && emitYamlTree(doc('k', v.s)) !== value) wrong.push(`value ${JSON.stringify(v.s)}`);
      if (!v.v3Key.startsWith('ERROR') && emitYamlTree(doc(v.s, 'v')) !== v.v3Key) wrong.push(`key ${JSON.stringify(v.s)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('escapes every character of a string that starts with a BOM, as libyaml does', () => {
    expect(emitYamlTree(doc('k', '\ufeffa b'))).toBe('k: "\\uFEFF\\x61\\x20\\x62"\n');
    expect(emitYamlTree(doc('k', 'a\ufeffb'))).toBe('k: "a\\uFEFFb"\n');
  });

  it('indents the line after a break inside single quotes', () => {
    expect(emitYamlTree(doc('k', 'a\u2028b!'))).toBe("k: 'a\u2028    b!'\n");
  });
});
