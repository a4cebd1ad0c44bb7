/**
 * The manifest reader's bounds (issue 19 point 8): an alias bomb is malformed
 * input, found fast; nesting deeper than MAX_NESTING is refused by the fast
 * path and the yaml package alike, with a KsecError and never a stack
 * overflow; a data value of megabytes is checked without deep recursion.
 */
import { describe, expect, it } from 'vitest';
import { KsecError } from '../../../src/errors.js';
import { isPaddedBase64, decodeCanonicalBase64 } from '../../../src/go/base64.js';
import { parseFastYaml, validFastYaml } from '../../../src/manifest/fast-yaml.js';
import { parseManifestText } from '../../../src/manifest/read.js';
import { manifestSyntaxError } from '../../../src/manifest/syntax.js';
import { MAX_NESTING } from '../../../src/manifest/yaml-lib.js';
import { configHash } from '../../../src/config-hash/ksec-hash.js';
import { SECRET_HEAD, aliasBomb, deepBlock, deepFlow } from '../../helpers/hostile-yaml.js';

function parseError(text: string, path = 'x.yaml'): KsecError {
  try {
    parseManifestText(text, path);
  } catch (err) {
    expect(err).toBeInstanceOf(KsecError);
    return err as KsecError;
  }
  throw new Error('expected the text to be refused');
}

describe('manifest reader bounds', () => {
  it('reports a nested-alias bomb as malformed, in well under a second', () => {
    const text = `${SECRET_HEAD}x:\n${aliasBomb('  ')}`;
    const start = performance.now();
    const err = parseError(text);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(err.message).toMatch(/too many aliases/);
    expect(manifestSyntaxError(text, 'x.yaml')?.message).toBe(err.message);
  });

  it.each([
    ['flow', (n: number) => `${SECRET_HEAD}x: ${deepFlow(n)}\n`, [MAX_NESTING + 10, 3_000, 50_000]],
    ['block', (n: number) => `${SECRET_HEAD}x:\n${deepBlock(n)}`, [MAX_NESTING + 10, 3_000]],
    ['block with content after it', (n: number) => `${SECRET_HEAD}x:\n${deepBlock(n)}data:\n  a: b\n`, [MAX_NESTING + 10, 3_000]],
  ] as const)('refuses %s nesting deeper than MAX_NESTING, with a clear error', (_name, make, depths) => {
    for (const levels of depths) {
      const text = make(levels);
      const err = parseError(text);
      expect(err.message).toMatch(/nest(s|ing) (too )?deep/);
      expect(manifestSyntaxError(text, 'x.yaml')).toBeInstanceOf(KsecError);
      expect(parseFastYaml(text)).toBeUndefined();
      expect(validFastYaml(text)).toBe(false);
    }
    // well inside the bound, both paths read it
    expect(() => parseManifestText(make(100), 'x.yaml')).not.toThrow();
  });

  it('refuses an alias inside its own anchor, and nesting built up through aliases', () => {
    expect(parseError(`${SECRET_HEAD}x: &x [*x]\n`).message).toMatch(/alias refers to a node that contains it/);
    expect(parseError(`${SECRET_HEAD}x: &x {y: *x}\n`).message).toMatch(/alias refers to a node that contains it/);
    // each anchor 300 levels deep around the one before: no document node is deep, the value is
    const chain = [`a0: &a0 ${deepFlow(300)}`, ...[1, 2, 3].map((i) => `a${i}: &a${i} ${'['.repeat(300)}*a${i - 1}${']'.repeat(300)}`)];
    expect(parseError(`${SECRET_HEAD}${chain.join('\n')}\n`).message).toMatch(/nests deeper than/);
    // shared, non-recursive aliases are fine
    expect(() => parseManifestText(`${SECRET_HEAD}a: &a {k: v}\nb: [*a, *a, {c: *a}]\n`, 'x.yaml')).not.toThrow();
  });

  it('refuses deep JSON', () => {
    const text = `{"apiVersion": "v1", "kind": "ConfigMap", "x": ${deepFlow(100_000)}}`;
    expect(parseError(text, 'x.json').message).toMatch(/nests deeper than/);
  });

  it('checks the base64 of a value of 4 MB and more without a stack overflow', () => {
    const value = Buffer.alloc(6 * 1024 * 1024, 'x').toString('base64');
    expect(isPaddedBase64(value)).toBe(true);
    expect(isPaddedBase64(value.slice(1))).toBe(false);
    expect(decodeCanonicalBase64(value, true)?.length).toBe(6 * 1024 * 1024);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a', namespace: 'b' }, data: { k: value } };
    expect(configHash(secret)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the padded-base64 verdicts', () => {
    for (const ok of ['', 'YQ==', 'YWI=', 'YWJj', 'YWJjZA==', 'a+/b']) expect(isPaddedBase64(ok), ok).toBe(true);
    for (const bad of ['Y', 'YQ=', 'YQ', '====', 'Y===', 'YQ==YQ==', 'YW=j', 'YWJ j', 'YQ-_']) expect(isPaddedBase64(bad), bad).toBe(false);
  });
});
