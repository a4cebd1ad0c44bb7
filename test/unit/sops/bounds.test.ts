/** The SOPS readers' bounds (issue 19 point 8): alias bombs, self-referencing aliases, deep nesting. */
import { describe, expect, it } from 'vitest';
import { KsecError } from '../../../src/errors.js';
import { MAX_NESTING } from '../../../src/manifest/yaml-lib.js';
import { parseSopsText } from '../../../src/sops/decrypt.js';
import { aliasBomb, deepBlock, deepFlow } from '../../helpers/hostile-yaml.js';
import { fixture } from './helpers.js';

const ENC = fixture('secret.enc.yaml');

function refused(text: string, path = 'x.enc.yaml'): KsecError {
  try {
    parseSopsText(text, path);
  } catch (err) {
    expect(err).toBeInstanceOf(KsecError);
    return err as KsecError;
  }
  throw new Error('expected the text to be refused');
}

describe('sops reader bounds', () => {
  it('reports a nested-alias bomb as malformed, in well under a second', () => {
    const start = performance.now();
    expect(refused(aliasBomb() + ENC).message).toMatch(/too many aliases/);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('refuses a self-referencing alias without a stack overflow', () => {
    expect(refused(`x: &x [*x]\n${ENC}`).message).toMatch(/alias refers to a node that contains it/);
    expect(refused(`x: &x {y: *x}\n${ENC}`).message).toMatch(/alias refers to a node that contains it/);
  });

  it('refuses nesting deeper than MAX_NESTING in YAML and JSON', () => {
    for (const n of [MAX_NESTING + 5, 5_000]) {
      expect(refused(`x: ${deepFlow(n)}\n${ENC}`).message).toMatch(/nesting too deep/);
      expect(refused(`x: ${deepFlow(n)}\n`, 'x.enc.json').message).toMatch(/invalid JSON|nesting/);
      expect(refused(`{"x": ${deepFlow(n * 20)}}`, 'x.enc.json').message).toMatch(/nesting deeper than/);
    }
    for (const n of [MAX_NESTING + 5, 3_000]) expect(refused(`x:\n${deepBlock(n)}${ENC}`).message).toMatch(/nesting too deep/);
    expect(() => parseSopsText(`x: ${deepFlow(50)}\n${ENC}`, 'x.enc.yaml')).not.toThrow();
  });
});
