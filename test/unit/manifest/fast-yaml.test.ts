import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { goKeyString, resolveGoPlain } from '../../../src/go/yaml11-resolve.js';
import { fastOffsets, parseFastYaml, type OffsetTree } from '../../../src/manifest/fast-yaml.js';
import { clusterValue, notAllowedCharAt, YamlValueProblem } from '../../../src/manifest/yaml11-value.js';
import { corpusRng, deployment, filesUnder, randomStream, sealedSecret, secret } from './yaml-corpus.js';

const ROOT = join(__dirname, '../../..');

/**
 * What read.ts's slow path gets: the yaml package's syntax, valued as the
 * cluster reads it (clusterValue: go-yaml v2 / sigs.k8s.io/yaml); start
 * lines and node offsets; undefined when either complains.
 */
function reference(text: string) {
  if (notAllowedCharAt(text) !== undefined) return undefined;
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true });
  if (docs.some((d) => d.errors.length > 0 || d.warnings.length > 0)) return undefined;
  try {
    return docs.map((doc) => ({
      value: clusterValue(doc, text),
      line: lineCounter.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line,
      tree: treeOf(doc.contents as Node | null),
    }));
  } catch (err) {
    if (err instanceof YamlValueProblem) return undefined;
    throw err;
  }
}

/** A scalar key's JSON key, as sigs.k8s.io/yaml makes it. */
function keyName(key: Node): string {
  if (!isScalar(key)) return String(key);
  if (key.type !== 'PLAIN' || key.tag !== undefined) return String(key.source);
  return goKeyString(resolveGoPlain(String(key.source))) ?? '';
}

function treeOf(node: Node | null): OffsetTree {
  if (isMap(node)) {
    const keys = new Map<string, { offset: number; child: OffsetTree }>();
    for (const pair of node.items) {
      const key = pair.key as Node;
      keys.set(keyName(key), { offset: key.range![0], child: treeOf(pair.value as Node | null) });
    }
    return { keys };
  }
  if (isSeq(node)) return { items: node.items.map((item) => ({ offset: (item as Node).range![0], child: treeOf(item as Node) })) };
  return null;
}

/** Deep equality that tells -0 from 0, own from inherited properties, and arrays from objects. */
function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Reflect.ownKeys(a);
  const kb = Reflect.ownKeys(b);
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => same((a as Record<PropertyKey, unknown>)[k], (b as Record<PropertyKey, unknown>)[k]));
}

/** Checks the fast path against the package on one text; true when the fast path answered. */
function check(text: string, label: string): boolean {
  const fast = parseFastYaml(text);
  if (fast === undefined) return false; // nothing to compare: read.ts asks the package
  const ref = reference(text);
  if (ref === undefined) throw new Error(`${label}: the fast path answered where yaml reports a problem:\n${text}`);
  const trees = fastOffsets(text);
  const ok =
    fast.length === ref.length &&
    trees !== undefined &&
    fast.every((d, i) => same(d.value, ref[i]!.value) && d.line === ref[i]!.line) &&
    trees.every((t, i) => same(t, ref[i]!.tree));
  if (!ok) {
    expect({ label, text, values: fast.map((d) => d.value), lines: fast.map((d) => d.line), trees }).toEqual({
      label,
      text,
      values: ref.map((d) => d.value),
      lines: ref.map((d) => d.line),
      trees: ref.map((d) => d.tree),
    });
  }
  return true;
}

describe('parseFastYaml: the same answer as the yaml package, or none', () => {
  it('on every YAML file of the repository (with the peers CRDs and SOPS vectors in test/fixtures)', () => {
    const files = ['test/fixtures', 'examples', 'deploy'].flatMap((d) => filesUnder(join(ROOT, d), /\.ya?ml$/));
    expect(files.length).toBeGreaterThan(50);
    let answered = 0;
    for (const file of files) if (check(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''), file)) answered++;
    // most of them are plain block YAML: the fast path must take them
    expect(answered / files.length).toBeGreaterThan(0.6);
  }, 60_000);

  it('on every generated Secret, SealedSecret and Deployment (and takes all of them)', () => {
    const rng = corpusRng(7);
    for (let i = 0; i < 200; i++) {
      const text = [secret(rng), sealedSecret(rng, 1 + (i % 5)), deployment(rng)].join('---\n');
      expect(check(text, `realistic #${i}`)).toBe(true);
    }
  }, 60_000);

  it('on thousands of random documents mixing the subset with what it must refuse', () => {
    const rng = corpusRng(20261127);
    let answered = 0;
    const total = 3000;
    for (let i = 0; i < total; i++) if (check(randomStream(rng), `random #${i}`)) answered++;
    // a fast path that always bails would pass the equality checks: it must answer often
    expect(answered).toBeGreaterThan(total * 0.12);
  }, 60_000);
});

describe('parseFastYaml: bails out (and yaml would have to be asked)', () => {
  const cases: [string, string][] = [
    ['an anchor', 'a: &x 1\nb: 2\n'],
    ['an alias', 'a: 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a flow collection over two lines', 'a: {b: 1,\n  c: 2}\n'],
    ['a trailing comma in a flow sequence', 'a: [1, 2,]\n'],
    ['a pair inside a flow sequence', 'a: [b: c]\n'],
    ['a block sequence inside a flow sequence', 'a: [-]\n'],
    ['a complex key', '? a\n: b\n'],
    ['a merge key', 'a:\n  <<: {}\n'],
    ['a quoted merge key', "a:\n  '<<': 1\n"],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['keys that collide as JS keys', "1: a\n'1': b\n"],
    ['a null key', '~: a\n'],
    ['a tab as indentation', 'a:\n\tb: 1\n'],
    ['a key-like line continuing a plain scalar', 'a: b\n  c: d\n'],
    ['a plain scalar continued after a comment', 'a: b # c\n  d\n'],
    ['a multi-line plain scalar at the root', 'a b\nc\n'],
    ['a multi-line quoted scalar', 'a: "b\n  c"\n'],
    ['a line continuation', 'a: "b\\\n  c"\n'],
    ['an unknown escape', 'a: "\\q"\n'],
    ['a nested compact mapping', 'a: b: c\n'],
    ['a sequence after a key on one line', 'a: - b\n'],
    ['a plain scalar starting with an indicator', 'a: @b\n'],
    ['content after a quoted scalar', 'a: "b" c\n'],
    ['a root block scalar', '--- |\n  a\n'],
    ['content on the --- line', '--- a\n'],
    ['a lone carriage return', 'a: 1\rb: 2\n'],
    ['a control character', 'a: b\u0007\n'],
    ['a more-indented line in a folded scalar', 'a: >\n  b\n    c\n'],
    ['spaces past the indentation on an empty block scalar line', 'a: |\n  b\n     \n  c\n'],
    ['a bad indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['a sequence entry among mapping keys', 'a: 1\n- b: c\n'],
    ['a multi-line plain scalar after a comment line (the package reads it as a key)', 'a:\n# c\n   b\n     more\nc: 1\n'],
    ['a multi-line plain scalar that starts a node on its next line', 'a: b\n  - c\n'],
    ['a keep-chomped block scalar with no lines', 'a: |+\nb: 1\n'],
  ];
  for (const [what, text] of cases) {
    it(what, () => {
      expect(parseFastYaml(text)).toBeUndefined();
    });
  }

  it('answers the constructs it supports, exactly', () => {
    const text = [
      '# comment',
      '--- # first',
      'a: {}',
      'b: []',
      "c: 'it''s'",
      'd: "\\u00e9\\t"',
      'e: 0x1F',
      'f: 1e3',
      'g: -1_000',
      'h: yes',
      'i: |-',
      '  line',
      'j:',
      '- k: 1',
      '  l: ~',
      '- - x',
      '- {m: [1, "two"], p: nginx:1.2}',
      'o: a description',
      '  folded over',
      '',
      '  lines',
      '...',
      'z: 1',
    ].join('\r\n');
    expect(check(text, 'supported')).toBe(true);
    expect(parseFastYaml(text)!.map((d) => d.value)).toEqual([
      { a: {}, b: [], c: "it's", d: 'é\t', e: 31, f: 1000, g: -1000, h: true, i: 'line', j: [{ k: 1, l: null }, ['x'], { m: [1, 'two'], p: 'nginx:1.2' }], o: 'a description folded over\nlines' },
      { z: 1 },
    ]);
  });
});
