/**
 * Map keys sigs.k8s.io/yaml (kubectl) refuses (issue 19 point 2, in part):
 * null keys (`~`, `null`, an empty key) and collection keys (`? [k]`,
 * `{a: 1}: v`). ksec sealed them as "" and "[ k ]"; the reader now refuses
 * them with a position, on the fast path and the yaml package's alike.
 */
import { describe, expect, it } from 'vitest';
import { KsecError } from '../../../src/errors.js';
import { parseManifestText } from '../../../src/manifest/read.js';
import { manifestSyntaxError } from '../../../src/manifest/syntax.js';

const head = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\nstringData:\n';

describe('keys kubectl refuses', () => {
  it.each(['  ~: v', '  null: v', '  NULL: v', '  : v', '  ? [k]\n  : v', '  ? {a: 1}\n  : v', '  {a: 1}: v', '  [k]: v', '  x: {~: v}', '  x: [{null: v}]'])('%j', (line) => {
    const text = `${head}${line}\n`;
    let err: unknown;
    try {
      parseManifestText(text, 'k.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KsecError);
    expect((err as KsecError).message).toMatch(/^invalid YAML at line \d+, column \d+: a map key that is null or a collection/);
    expect(manifestSyntaxError(text, 'k.yaml')?.message).toBe((err as KsecError).message);
  });

  it.each(['  "": v', "  '~': v", '  "null": v', '  1: v', '  true: v', '  "[k]": v'])('%j is a key like any other', (line) => {
    expect(() => parseManifestText(`${head}${line}\n`, 'k.yaml')).not.toThrow();
  });
});
