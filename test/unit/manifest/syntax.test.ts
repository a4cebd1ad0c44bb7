import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFastYaml, validFastYaml } from '../../../src/manifest/fast-yaml.js';
import { parseManifestText } from '../../../src/manifest/read.js';
import { manifestSyntaxError } from '../../../src/manifest/syntax.js';
import { corpusRng, deployment, filesUnder, randomStream, realisticManifest, sealedSecret, secret, type Rng } from './yaml-corpus.js';

const ROOT = join(__dirname, '../../..');

/** What the reader decides: undefined when it accepts, else its message (which names the line). */
function readerVerdict(text: string, path: string): string | undefined {
  try {
    parseManifestText(text, path);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The syntax check must decide exactly as the reader; the validator must answer exactly where the fast parser does. */
function check(text: string, path: string): { valid: boolean; rejected: boolean } {
  const valid = validFastYaml(text);
  const fast = parseFastYaml(text) !== undefined;
  if (valid !== fast) throw new Error(`${path}: validFastYaml says ${valid}, parseFastYaml ${fast ? 'answers' : 'bails'}:\n${JSON.stringify(text)}`);
  const verdict = readerVerdict(text, path);
  const error = manifestSyntaxError(text, path);
  expect({ path, text, error: error?.message }).toEqual({ path, text, error: verdict });
  if (error) expect(error.file).toBe(path);
  return { valid, rejected: verdict !== undefined };
}

/** Ways a real file gets broken: a truncation, a stray character, an indentation slip, a lost quote, a duplicated line. */
function breakText(rng: Rng, text: string): string {
  const at = Math.floor(rng() * text.length);
  const lines = text.split('\n');
  const line = Math.floor(rng() * lines.length);
  switch (Math.floor(rng() * 7)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + ['"', "'", ':', '{', '[', '\t', '&', '*', '- ', ': '][Math.floor(rng() * 10)] + text.slice(at);
    case 2:
      lines[line] = ' ' + lines[line];
      return lines.join('\n');
    case 3:
      lines[line] = lines[line]!.replace(/^( *)  /, '$1');
      return lines.join('\n');
    case 4:
      return text.replace(/"/, '');
    case 5:
      lines.splice(line, 0, lines[line]!);
      return lines.join('\n');
    default:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rng() * 20));
  }
}

describe('validFastYaml and manifestSyntaxError: the reader\'s answer, without building values', () => {
  it('on every YAML and JSON file of the repository, whole and broken', () => {
    const paths = ['test/fixtures', 'examples', 'deploy'].flatMap((d) => filesUnder(join(ROOT, d), /\.(ya?ml|json)$/));
    expect(paths.length).toBeGreaterThan(50);
    const rng = corpusRng(11);
    let valid = 0;
    let rejected = 0;
    for (const path of paths) {
      const text = readFileSync(path, 'utf8');
      if (check(text, path).valid) valid++;
      for (let k = 0; k < 5; k++) if (check(breakText(rng, text), `${path} (broken #${k})`).rejected) rejected++;
    }
    // the validator must take most real files, and the broken copies must include real errors
    expect(valid / paths.length).toBeGreaterThan(0.5);
    expect(rejected).toBeGreaterThan(paths.length);
  }, 120_000);

  it('on generated manifests, whole (all validated without the package) and broken', () => {
    const rng = corpusRng(5);
    let errors = 0;
    for (let i = 0; i < 300; i++) {
      const text = [secret(rng), sealedSecret(rng, 1 + (i % 5)), deployment(rng)].join('---\n');
      expect(check(text, `realistic-${i}.yaml`).valid).toBe(true);
      if (check(breakText(rng, realisticManifest(rng)), `broken-${i}.yaml`).rejected) errors++;
    }
    expect(errors).toBeGreaterThan(50);
  }, 60_000);

  it('on thousands of random streams mixing the subset with what it must refuse', () => {
    const rng = corpusRng(20261128);
    let valid = 0;
    const total = 2000;
    for (let i = 0; i < total; i++) if (check(randomStream(rng), `random-${i}.yaml`).valid) valid++;
    expect(valid).toBeGreaterThan(total * 0.12);
  }, 60_000);

  it('finds a duplicate key in long and short, block and flow mappings', () => {
    const long = Array.from({ length: 20 }, (_, i) => `  k${i}: ${i}`);
    const cases = [
      'a: 1\nb: 2\na: 3\n',
      `m:\n${long.join('\n')}\n  k3: again\n`,
      `m:\n${long.join('\n')}\n  k17: again\n`,
      `m:\n${long.join('\n')}\nn:\n${long.join('\n')}\n  k19: again\n`,
      "m: {a: 1, 'a': 2}\n",
      `m: {${Array.from({ length: 12 }, (_, i) => `k${i}: ${i}`).join(', ')}, k10: x}\n`,
      '__proto__: 1\n"__proto__": 2\n',
    ];
    for (const text of cases) {
      expect(validFastYaml(text), text).toBe(false);
      expect(manifestSyntaxError(text, 'dup.yaml')?.message, text).toMatch(/invalid YAML/);
    }
    // keys that differ in YAML but become one JSON key (sigs.k8s.io/yaml would keep either at random): refused
    for (const text of ['1: a\n"1": b\n', 'true: a\n"true": b\n', 'on: a\n"true": b\n', '010: a\n8: b\n']) {
      expect(validFastYaml(text), text).toBe(false);
      expect(manifestSyntaxError(text, 'dup.yaml')?.message, text).toMatch(/a key set twice/);
    }
    // the same keys in sibling and nested mappings are fine
    const siblings = `a:\n${long.join('\n')}\nb:\n${long.join('\n')}\nc:\n  k0:\n    k0: {k0: 1}\n  k1: 1\n`;
    expect(validFastYaml(siblings)).toBe(true);
    expect(manifestSyntaxError(siblings, 'ok.yaml')).toBeUndefined();
  });

  it('decides as the reader on text decoded from bytes that are not UTF-8, and with a BOM', () => {
    const notUtf8 = [[0x61, 0x3a, 0x20, 0xff, 0x0a], [0x61, 0x3a, 0x20, 0xc3], [0x61, 0x3a, 0x20, 0xe0, 0x80, 0x80], [0x61, 0x3a, 0x20, 0xed, 0xa0, 0x80]];
    for (const bytes of notUtf8) {
      // the decoder makes U+FFFD of them, which the syntax check then takes: the same answer as the reader
      const text = Buffer.from(bytes).toString('utf8');
      expect(manifestSyntaxError(text, 'x.yaml')?.message).toBe(readerVerdict(text, 'x.yaml'));
    }
    expect(manifestSyntaxError('\ufeffa: 1\n', 'bom.yaml')).toBeUndefined();
  });

  it('takes big mappings and big texts', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `  key-${i}: value ${i}`);
    expect(manifestSyntaxError(`data:\n${keys.join('\n')}\n`, 'keys.yaml')).toBeUndefined();
    const again = `data:\n${keys.join('\n')}\n  key-17: again\n`;
    expect(manifestSyntaxError(again, 'keys.yaml')?.message).toMatch(/invalid YAML/);
    const items = (n: number) => `items:\n${Array.from({ length: n }, (_, i) => `  - {name: item-${i}, value: "${'v'.repeat(64)}"}`).join('\n')}\n`;
    expect(manifestSyntaxError(items(40_000), 'many.yaml')).toBeUndefined();
  });

  it('reports JSON as the reader does: one value, a stream of values, broken', () => {
    const cases: [string, boolean][] = [
      ['{"kind": "ConfigMap", "data": {"a": "b"}}', true],
      ['[{"kind": "ConfigMap"}]', true],
      ['{"kind": "A"}\n{"kind": "B"}\n', true],
      ['{"kind": "A",}', false],
      ['{"kind": "A"', false],
      ['"just a string"', false],
      ['42', false],
      ['\ufeff{"kind": "A"}', true],
    ];
    for (const [text, ok] of cases) {
      expect(readerVerdict(text, 'm.json') === undefined, text).toBe(ok);
      expect(manifestSyntaxError(text, 'm.json')?.message, text).toBe(readerVerdict(text, 'm.json'));
    }
  });
});
