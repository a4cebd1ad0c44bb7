/**
 * Issue 19 point 2: manifests are read as the cluster reads them
 * (sigs.k8s.io/yaml over go-yaml v2, YAML 1.1). One test per row of the
 * issue's table; each failed on the YAML 1.2 reader. The differential e2e
 * test (test/e2e/manifest/yaml11-differential.test.ts) checks the same against
 * the real Go reader on 21,000 documents.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KsecError } from '../../../src/errors.js';
import { formatFloat32g } from '../../../src/go/yaml11-resolve.js';
import { positionOf } from '../../../src/manifest/position.js';
import { objectsOf, parseManifestText, readManifestFiles } from '../../../src/manifest/read.js';

const value = (text: string) => parseManifestText(text, 'm.yaml').documents[0]!.value;
function refusal(text: string): KsecError {
  try {
    objectsOf([parseManifestText(text, 'm.yaml')]);
  } catch (err) {
    expect(err).toBeInstanceOf(KsecError);
    expect((err as KsecError).exitCode).toBe(2);
    return err as KsecError;
  }
  throw new Error(`accepted: ${JSON.stringify(text)}`);
}
const secret = (body: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: ns\n${body}`;

describe('YAML 1.1 as kubectl reads it', () => {
  it('map keys on/yes/y/n/off/no are "true"/"false"', () => {
    expect(value('on: 1\n')).toEqual({ true: 1 });
    expect(value('yes: 1\n')).toEqual({ true: 1 });
    expect(value('y: 1\nn: 2\n')).toEqual({ true: 1, false: 2 });
    expect(value('off: 1\n')).toEqual({ false: 1 });
    expect(value('m: {no: 1}\n')).toEqual({ m: { false: 1 } });
  });

  it('keys 010 / 1_000 / 0b11 / 1.5e10 are "8" / "1000" / "3" / "1.5e+10"', () => {
    expect(value('010: a\n1_000: b\n0b11: c\n1.5e10: d\n')).toEqual({ 8: 'a', 1000: 'b', 3: 'c', '1.5e+10': 'd' });
    expect(formatFloat32g(1e6)).toBe('1e+06');
    expect(formatFloat32g(0.1)).toBe('0.1');
    expect(formatFloat32g(3.14159265358979)).toBe('3.1415927');
  });

  it('values resolve as YAML 1.1: yes is true, 010 is 8, 0X10 is 16, 1_000 is 1000', () => {
    expect(value('a: [yes, on, 010, 0X10, 1_000, 08, 2001-12-14, .5_0]\n')).toEqual({ a: [true, true, 8, 16, 1000, 8, '2001-12-14', 0.5] });
  });

  it.each(['yes', 'on', '1_000', '0X10'])('stringData value %s unquoted is refused with how to quote it', (v) => {
    const err = refusal(secret(`stringData:\n  password: ${v}\n`));
    expect(err.message).toMatch(/stringData\.password is a (boolean|number), not a string/);
    expect(err.object).toBe('Secret/ns/s');
    expect(err.hint).toMatch(/quote/);
    expect(() => objectsOf([parseManifestText(secret(`stringData:\n  password: "${v}"\n`), 'm.yaml')])).not.toThrow();
  });

  it('a namespace n (false to kubectl) is refused, not sealed for a namespace "false" or none', () => {
    const err = refusal('apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: n\nstringData:\n  a: b\n');
    expect(err.message).toMatch(/metadata\.namespace is a boolean, not a string/);
  });

  it('the cluster-wide annotation with yes is refused, not read as strict scope', () => {
    const err = refusal(secret('  annotations:\n    sealedsecrets.bitnami.com/cluster-wide: yes\nstringData:\n  a: b\n'));
    expect(err.message).toMatch(/metadata\.annotations\.sealedsecrets\.bitnami\.com\/cluster-wide is a boolean/);
  });

  it.each([
    ['a raw U+2028', 'a: x\u2028y\n'],
    ['a raw C0 control', 'a: "x\u0001y"\n'],
    ['a raw C1 control', 'a: x\u0080y\n'],
    ['DEL', 'a: x\u007fy\n'],
    ['\\/', 'a: "x\\/y"\n'],
    ['a lone \\ud800', 'a: "\\ud800"\n'],
    ['a surrogate pair as escapes', 'a: "\\ud83d\\ude00"\n'],
  ])('%s is a parse error', (_name, text) => {
    expect(() => parseManifestText(text, 'm.yaml')).toThrow(/^invalid YAML at line 1, column \d+/);
  });

  it.each([
    ['a ? in a flow plain scalar', 'a: {k: w? e}\n'],
    ['a tab as block scalar indentation', 'a: |\n   \t x\n'],
    ['an implicit key with its colon on the next line', 'spec\n  :\n  a: 1\n'],
  ])('%s is refused, as go-yaml refuses it', (_name, text) => {
    expect(() => parseManifestText(text, 'm.yaml')).toThrow(/^invalid YAML at line \d+, column \d+/);
  });

  it.each(['~: v\n', ': v\n', '[k]: v\n', '18446744073709551615: v\n'])('key %j is an error', (text) => {
    expect(() => parseManifestText(text, 'm.yaml')).toThrow(/^invalid YAML at line 1, column 1: a map key/);
  });

  it('.inf and .nan values are refused (JSON has none); keys keep them as text', () => {
    expect(() => parseManifestText('a: .inf\n', 'm.yaml')).toThrow(/\.inf or \.nan/);
    expect(value('.inf: a\n')).toEqual({ '.inf': 'a' });
  });

  it('places YAML 1.1 keys by their JSON name, on both paths', () => {
    for (const text of ['a: 1\nm:\n  x: 1\n  on: 2\n', 'a: &x 1\nm:\n  x: *x\n  on: 2\n']) {
      const file = parseManifestText(text, 'm.yaml');
      expect(file.documents[0]!.value).toEqual({ a: 1, m: { x: 1, true: 2 } });
      expect(positionOf(file, file.documents[0]!, ['m', 'true'])).toEqual({ line: 4, column: 3 });
    }
  });

  it('a key set twice through spellings or merge keys is refused', () => {
    expect(() => parseManifestText('on: 1\nyes: 2\n', 'm.yaml')).toThrow(/a key set twice/);
    expect(() => parseManifestText('b: &b {x: 1}\nm:\n  <<: *b\n  x: 2\n', 'm.yaml')).toThrow(/a key set twice/);
  });

  it('a directory walk leaves out YAML only 1.2 reads that holds no Kubernetes object; a manifest it refuses stands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-yaml11-walk-'));
    // Helm values with a merge key overriding a key: a duplicate to go-yaml's strict reading
    writeFileSync(join(dir, 'values.yaml'), 'defaults: &d {replicas: 1}\nweb:\n  <<: *d\n  replicas: 3\n');
    writeFileSync(join(dir, 'secret.yaml'), secret('stringData:\n  a: b\n'));
    const skipped: string[] = [];
    const files = await readManifestFiles([dir], { skipped });
    expect(files.map((f) => f.path)).toEqual([join(dir, 'secret.yaml')]);
    expect(skipped).toEqual([join(dir, 'values.yaml')]);
    await expect(readManifestFiles([join(dir, 'values.yaml')])).rejects.toThrow(/a key set twice/);
    writeFileSync(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: c}\nx:\n  <<: *m\n  name: d\n');
    await expect(readManifestFiles([dir], { skipped: [] })).rejects.toThrow(/a key set twice/);
  });
});
