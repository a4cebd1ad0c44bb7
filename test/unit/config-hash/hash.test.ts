import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { combinedHash } from '../../../src/config-hash/stamp.js';
import { compareCodePoints } from '../../../src/go/strings.js';
import { configHash } from '../../../src/config-hash/ksec-hash.js';
import { kustomizeHash, kustomizeSuffix } from '../../../src/config-hash/kustomize.js';
import { producedObject } from '../../../src/config-hash/kinds.js';
import { reloaderHash } from '../../../src/config-hash/reloader.js';
import { goJsonMarshal as goJson } from '../../../src/go/json.js';
import { KsecError } from '../../../src/errors.js';
import type { KubeObject } from '../../../src/manifest/objects.js';
import { objectsOf, parseManifestText } from '../../../src/manifest/read.js';

const CANARY = 'CANARY-checksum-secret-value-91c2';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** Vectors computed by test/fixtures/checksum/vectors/main.go with Go's own packages (see its header). */
const vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/checksum/vectors/vectors.json', import.meta.url), 'utf8'),
) as { name: string; object: KubeObject; reloaderSha1: string; reloaderSha512_256: string; kustomize: string }[];

function fromYaml(text: string): KubeObject {
  return objectsOf([parseManifestText(text, 'x.yaml')])[0]!.object;
}

describe('reloaderHash (vectors from Go, following Reloader util.go)', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(reloaderHash(v.object)).toBe(v.reloaderSha1);
    expect(reloaderHash(v.object, { digest: 'sha1' })).toBe(v.reloaderSha1);
    expect(reloaderHash(v.object, { digest: 'sha512-256' })).toBe(v.reloaderSha512_256);
  });

  it('matches Reloader crypto_test.go for the SHA-512/256 digest of the empty input', () => {
    expect(reloaderHash({ kind: 'ConfigMap', apiVersion: 'v1' }, { digest: 'sha512-256' })).toBe(
      'c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a',
    );
  });

  it('is the digest of sorted key=value pairs joined by ";" (construction by hand)', () => {
    const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
    expect(reloaderHash({ kind: 'ConfigMap', data: { b: 'x', a: 'hello' }, binaryData: { c: 'AAE' + '=' } })).toBe(sha1('a=hello;b=x;c=AAE='));
    expect(reloaderHash({ kind: 'Secret', data: { b: b64('x'), a: b64('hello') } })).toBe(sha1('a=hello;b=x'));
  });

  it('hashes a Secret over decoded values, the same as its stringData form', () => {
    const data = { kind: 'Secret', data: { k: b64('v;1') } };
    const stringData = { kind: 'Secret', stringData: { k: 'v;1' } };
    expect(reloaderHash(data)).toBe(reloaderHash(stringData));
  });

  it('refuses kinds Reloader does not hash', () => {
    expect(() => reloaderHash({ kind: 'SealedSecret', apiVersion: 'bitnami.com/v1alpha1', spec: {} })).toThrow(KsecError);
  });
});

describe('kustomizeHash (vectors from Go json.Marshal, following kustomize api/hasher)', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    expect(kustomizeHash(v.object)).toBe(v.kustomize);
  });

  it('maps hex to the suffix alphabet', () => {
    expect(kustomizeSuffix('0123456789abcdef')).toBe('gh2k456789');
    expect(kustomizeSuffix('abcdef0123')).toBe('mbcdtfgh2k');
  });

  it('escapes like Go encoding/json', () => {
    expect(goJson({ b: '<a&b>', a: '\u2028\u0001\b\f\n\t"\\' })).toBe(
      '{"a":"\\u2028\\u0001\\b\\f\\n\\t\\"\\\\","b":"\\u003ca\\u0026b\\u003e"}',
    );
    expect(goJson({ '\uffee': 1, '\ud83d\ude00': 2 })).toBe('{"\uffee":1,"\ud83d\ude00":2}');
  });
});

describe('configHash', () => {
  const base = `apiVersion: v1
kind: ConfigMap
metadata:
  name: app
  namespace: prod
data:
  a: hello
  b.conf: |
    x=1
    y=2
`;

  it('is stable under reformatting: quoting, key order, flow style, JSON, metadata', () => {
    const h = configHash(fromYaml(base));
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    const variants = [
      `kind: ConfigMap\napiVersion: v1\ndata:\n  "b.conf": "x=1\\ny=2\\n"\n  'a': 'hello'\nmetadata: {name: app, namespace: prod}\n`,
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app","labels":{"x":"y"}},"data":{"b.conf":"x=1\\ny=2\\n","a":"hello"}}`,
      `# comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n    name: other\ndata: {a: hello, b.conf: "x=1\\ny=2\\n"}\n`,
    ];
    for (const v of variants) expect(configHash(objectsOf([parseManifestText(v, v.startsWith('{') ? 'x.json' : 'x.yaml')])[0]!.object)).toBe(h);
  });

  it('changes when one byte changes, a key is renamed, or a key moves to binaryData', () => {
    const h = configHash(fromYaml(base));
    expect(configHash(fromYaml(base.replace('hello', 'hellp')))).not.toBe(h);
    expect(configHash(fromYaml(base.replace('  a: hello', '  c: hello')))).not.toBe(h);
    expect(configHash(fromYaml(base.replace('y=2', 'y=2 ')))).not.toBe(h);
    const asBinary = { kind: 'ConfigMap', binaryData: { a: b64('hello'), 'b.conf': b64('x=1\ny=2\n') } };
    expect(configHash(asBinary)).not.toBe(h);
  });

  it('does not confuse key/value boundaries', () => {
    expect(configHash({ kind: 'ConfigMap', data: { ab: 'c' } })).not.toBe(configHash({ kind: 'ConfigMap', data: { a: 'bc' } }));
    expect(configHash({ kind: 'ConfigMap', data: { a: 'b=c' } })).not.toBe(configHash({ kind: 'ConfigMap', data: { 'a=b': 'c' } }));
  });

  it('ignores base64 line wrapping and treats data and stringData alike', () => {
    const value = `${CANARY}-${'x'.repeat(100)}`;
    const encoded = b64(value);
    const wrapped = encoded.replace(/(.{76})/g, '$1\n');
    const a = configHash({ kind: 'Secret', data: { k: encoded } });
    expect(configHash({ kind: 'Secret', data: { k: wrapped } })).toBe(a);
    expect(configHash({ kind: 'Secret', stringData: { k: value } })).toBe(a);
    expect(configHash({ kind: 'Secret', data: { k: b64('old') }, stringData: { k: value } })).toBe(a);
    expect(a).not.toContain(CANARY);
  });

  it('keeps ConfigMaps and Secrets with the same content apart', () => {
    expect(configHash({ kind: 'ConfigMap', data: { k: 'v' } })).not.toBe(configHash({ kind: 'Secret', stringData: { k: 'v' } }));
    expect(configHash({ kind: 'ConfigMap' })).not.toBe(configHash({ kind: 'Secret' }));
  });

  it('hashes SealedSecrets over encryptedData and template, ignoring wrapping', () => {
    const sealed = (data: string, type = 'Opaque'): KubeObject => ({
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 's' },
      spec: { encryptedData: { k: data }, template: { metadata: { name: 's' }, type } },
    });
    const h = configHash(sealed('AgBy3i4OJSWK+PiTySYZZA=='));
    expect(configHash(sealed('AgBy3i4OJSWK\n+PiTySYZZA=='))).toBe(h);
    expect(configHash(sealed('AgBy3i4OJSWK+PiTySYZZB=='))).not.toBe(h);
    expect(configHash(sealed('AgBy3i4OJSWK+PiTySYZZA==', 'kubernetes.io/tls'))).not.toBe(h);
  });

  it('hashes ExternalSecrets over their spec, key order independent', () => {
    const es = (spec: unknown): KubeObject => ({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'e' }, spec });
    const h = configHash(es({ refreshInterval: '1h', target: { name: 't' } }));
    expect(configHash(es({ target: { name: 't' }, refreshInterval: '1h' }))).toBe(h);
    expect(configHash(es({ target: { name: 't' }, refreshInterval: '2h' }))).not.toBe(h);
  });

  it('rejects invalid base64 naming the key, never the value', () => {
    const bad = `${CANARY}!!`;
    let err: unknown;
    try {
      configHash({ kind: 'Secret', metadata: { name: 'db', namespace: 'prod' }, data: { password: bad } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KsecError);
    const e = err as KsecError;
    expect(e.message).toContain('data.password');
    expect(e.object).toBe('Secret/prod/db');
    expect(e.exitCode).toBe(2);
    expect(JSON.stringify({ m: e.message, h: e.hint })).not.toContain(CANARY);
    expect(() => configHash({ kind: 'Secret', data: { k: 'YWJj' + 'ZA' } })).toThrow(/not valid base64/); // missing padding
    expect(() => configHash({ kind: 'ConfigMap', binaryData: { k: 'a' } })).toThrow(/binaryData.k/);
  });

  it('rejects non-string values and unknown kinds', () => {
    expect(() => configHash(fromYaml('kind: ConfigMap\ndata:\n  port: 8080\n'))).toThrow(/data.port is not a string/);
    expect(() => configHash({ kind: 'Deployment', apiVersion: 'apps/v1' })).toThrow(/cannot hash a Deployment/);
    expect(() => configHash({ kind: 'ConfigMap', apiVersion: 'example.com/v1' })).toThrow(KsecError);
  });
});

describe('producedObject', () => {
  it('names the Secret a SealedSecret or ExternalSecret produces', () => {
    expect(producedObject({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'a', namespace: 'n' }, spec: {} })).toEqual({ kind: 'Secret', name: 'a', namespace: 'n' });
    expect(
      producedObject({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'a' }, spec: { template: { metadata: { name: 'b' } } } }),
    ).toEqual({ kind: 'Secret', name: 'b' });
    expect(producedObject({ apiVersion: 'external-secrets.io/v1', kind: 'ExternalSecret', metadata: { name: 'a' }, spec: { target: { name: 'c' } } })).toEqual({
      kind: 'Secret',
      name: 'c',
    });
    expect(producedObject({ apiVersion: 'external-secrets.io/v1beta1', kind: 'ExternalSecret', metadata: { name: 'a' }, spec: {} })).toEqual({ kind: 'Secret', name: 'a' });
    expect(producedObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm' } })).toEqual({ kind: 'ConfigMap', name: 'm' });
    expect(producedObject({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } })).toBeUndefined();
  });
});

describe('combinedHash', () => {
  it('is independent of order and duplicates, and changes with any entry', () => {
    const a = { kind: 'ConfigMap', name: 'a', hash: '1' };
    const b = { kind: 'Secret', name: 'a', hash: '2' };
    const h = combinedHash([a, b]);
    expect(combinedHash([b, a, a])).toBe(h);
    expect(combinedHash([a, { ...b, hash: '3' }])).not.toBe(h);
    expect(combinedHash([a, { ...b, kind: 'ConfigMap', name: 'b' }])).not.toBe(h);
    expect(combinedHash([])).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('compareCodePoints', () => {
  it('orders like UTF-8 bytes', () => {
    const words = ['\uffee', '\ud83d\ude00', 'b', 'a', 'é', 'A', ''];
    const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...words].sort(compareCodePoints)).toEqual(byBytes);
  });
});
