import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { KsecError } from '../../../src/errors.js';
import type { SealedSecret, Secret } from '../../../src/manifest/objects.js';
import { hybridDecrypt } from '../../../src/seal/hybrid.js';
import { goYamlKeyLess, renderSealedSecretJson, renderSealedSecretYaml } from '../../../src/seal/layout.js';
import { sortKeysDeep } from '../../../src/go/yaml-key-order.js';
import { labelFor, CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION } from '../../../src/seal/scope.js';
import { mergeInto, prepareSeal, sealRaw, sealSecret } from '../../../src/seal/sealed-secret.js';

const CANARY = 'canary-sealed-9d1e-do-not-print';
const CANARY_B64 = Buffer.from(CANARY).toString('base64');

let publicKey: KeyObject;
let privateKey: KeyObject;
beforeAll(() => {
  ({ publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 }));
});

function secret(over: Partial<Secret> = {}): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'prod' },
    type: 'Opaque',
    data: { password: CANARY_B64 },
    ...over,
  };
}

function open(sealed: SealedSecret, key: string, scope = labelFor('strict', 'prod', 'db')): string {
  return hybridDecrypt(privateKey, Buffer.from(sealed.spec.encryptedData![key]!, 'base64'), scope).toString('utf8');
}

function thrown(fn: () => unknown): KsecError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KsecError);
    const e = err as KsecError;
    expect(`${e.message} ${e.hint}`).not.toContain(CANARY);
    return e;
  }
  throw new Error('expected a KsecError');
}

describe('sealSecret', () => {
  it('encrypts data from its decoded bytes with the strict label by default', () => {
    const s = sealSecret(secret(), { publicKey });
    expect(open(s, 'password')).toBe(CANARY);
    expect(s.metadata).toEqual({ name: 'db', namespace: 'prod' });
    expect(s.spec.template).toEqual({ metadata: { name: 'db', namespace: 'prod' }, type: 'Opaque' });
    expect(JSON.stringify(s)).not.toContain(CANARY);
    expect(JSON.stringify(s)).not.toContain(CANARY_B64);
  });

  it('encrypts binary data exactly, stringData as UTF-8, stringData overriding data', () => {
    const bin = Buffer.from([0, 255, 1, 128, 10, 13]);
    const s = sealSecret(
      secret({ data: { bin: bin.toString('base64'), both: Buffer.from('old').toString('base64'), empty: '', nil: null }, stringData: { both: 'ünï ✓', text: 'plain' } }),
      { publicKey },
    );
    const label = labelFor('strict', 'prod', 'db');
    const raw = (k: string) => hybridDecrypt(privateKey, Buffer.from(s.spec.encryptedData![k]!, 'base64'), label);
    expect(raw('bin').equals(bin)).toBe(true);
    expect(raw('both').toString('utf8')).toBe('ünï ✓');
    expect(raw('text').toString()).toBe('plain');
    expect(raw('empty').length).toBe(0);
    expect(raw('nil').length).toBe(0);
    expect(Object.keys(s.spec.encryptedData!)).toEqual(['bin', 'both', 'empty', 'nil', 'text']);
  });

  it('accepts base64 wrapped over lines and rejects invalid base64 naming the key, not the value', () => {
    const wrapped = CANARY_B64.slice(0, 8) + '\n' + CANARY_B64.slice(8);
    expect(open(sealSecret(secret({ data: { password: wrapped } }), { publicKey }), 'password')).toBe(CANARY);
    const e = thrown(() => sealSecret(secret({ data: { password: CANARY } }), { publicKey, file: 's.yaml' }));
    expect(e.message).toBe('data.password is not valid base64');
    expect(e.file).toBe('s.yaml');
    expect(e.object).toBe('Secret/prod/db');
    expect(e.exitCode).toBe(2);
    expect(thrown(() => sealSecret(secret({ stringData: { port: 5432 as unknown as string } }), { publicKey })).message).toBe('stringData.port is not a string');
  });

  it('refuses empty data unless allowEmptyData', () => {
    expect(thrown(() => sealSecret(secret({ data: {} }), { publicKey })).hint).toContain('--allow-empty-data');
    expect(thrown(() => sealSecret(secret({ data: undefined }), { publicKey })).message).toMatch(/empty/);
    const s = sealSecret(secret({ data: {} }), { publicKey, allowEmptyData: true });
    expect(s.spec.encryptedData).toEqual({});
  });

  it('keeps labels, annotations, finalizers, managedFields (as kubeseal does), type and immutable; strips server fields, ownerReferences and last-applied', () => {
    const s = sealSecret(
      secret({
        type: 'kubernetes.io/tls',
        immutable: false,
        metadata: {
          name: 'db',
          namespace: 'prod',
          labels: { app: 'web' },
          annotations: {
            keep: 'me',
            'kubectl.kubernetes.io/last-applied-configuration': `{"data":{"password":"${CANARY_B64}"}}`,
            'kubecfg.ksonnet.io/last-applied-configuration': CANARY,
          },
          uid: 'u',
          resourceVersion: '1',
          generation: 3,
          creationTimestamp: '2024-01-01T00:00:00Z',
          selfLink: '/x',
          ownerReferences: [{ kind: 'X' }],
          managedFields: [{ manager: 'kubectl' }],
          finalizers: ['f'],
        },
      }),
      { publicKey },
    );
    expect(s.spec.template).toEqual({
      metadata: { name: 'db', namespace: 'prod', labels: { app: 'web' }, annotations: { keep: 'me' }, finalizers: ['f'], managedFields: [{ manager: 'kubectl' }] },
      type: 'kubernetes.io/tls',
      immutable: false,
    });
    expect(JSON.stringify(s)).not.toContain(CANARY_B64);
    expect(JSON.stringify(s)).not.toContain(CANARY);
  });

  it('takes the scope from annotations (cluster-wide wins) or from the option', () => {
    const both = { [NAMESPACE_WIDE_ANNOTATION]: 'true', [CLUSTER_WIDE_ANNOTATION]: 'true' };
    const cw = sealSecret(secret({ metadata: { name: 'db', namespace: 'prod', annotations: both } }), { publicKey });
    expect(open(cw, 'password', Buffer.alloc(0))).toBe(CANARY);
    expect(cw.metadata?.annotations).toEqual({ [CLUSTER_WIDE_ANNOTATION]: 'true' });
    expect(cw.spec.template?.metadata?.annotations).toEqual({ [CLUSTER_WIDE_ANNOTATION]: 'true' });

    const nw = sealSecret(secret(), { publicKey, scope: 'namespace-wide' });
    expect(open(nw, 'password', Buffer.from('prod'))).toBe(CANARY);
    expect(nw.metadata?.annotations).toEqual({ [NAMESPACE_WIDE_ANNOTATION]: 'true' });

    const strict = sealSecret(secret({ metadata: { name: 'db', namespace: 'prod', annotations: both } }), { publicKey, scope: 'strict' });
    expect(open(strict, 'password')).toBe(CANARY);
    expect(strict.metadata?.annotations).toBeUndefined();
    expect(strict.spec.template?.metadata?.annotations).toBeUndefined();
  });

  it('applies --name, fills the namespace and refuses a contradicting -n', () => {
    const renamed = sealSecret(secret(), { publicKey, name: 'other' });
    expect(renamed.metadata?.name).toBe('other');
    expect(open(renamed, 'password', Buffer.from('prod/other'))).toBe(CANARY);

    const noNs = secret({ metadata: { name: 'db' } });
    expect(sealSecret(noNs, { publicKey, namespace: 'prod' }).metadata?.namespace).toBe('prod');
    expect(sealSecret(noNs, { publicKey, defaultNamespace: 'team' }).metadata?.namespace).toBe('team');
    // no namespace from anywhere: refused, as kubeseal refuses it
    expect(() => sealSecret(noNs, { publicKey })).toThrow(/secret must declare a namespace/);
    const cw = sealSecret(noNs, { publicKey, scope: 'cluster-wide' });
    expect(cw.metadata?.namespace).toBeUndefined();
    expect(cw.spec.template?.metadata?.namespace).toBeUndefined();

    const e = thrown(() => sealSecret(secret(), { publicKey, namespace: 'stage' }));
    expect(e.message).toBe('namespace mismatch: the input Secret is in namespace "prod" but "stage" was given');
    expect(sealSecret(secret(), { publicKey, namespace: 'prod' }).metadata?.namespace).toBe('prod');
    expect(thrown(() => sealSecret(secret({ metadata: { namespace: 'x' } }), { publicKey })).message).toMatch(/missing metadata.name/);
  });

  it('prepareSeal lists items and the label without encrypting', () => {
    const plan = prepareSeal(secret(), {});
    expect(plan.label.toString()).toBe('prod/db');
    expect(plan.items.map((i) => i.key)).toEqual(['password']);
    expect(plan.scope).toBe('strict');
  });
});

describe('sealRaw', () => {
  it('needs namespace and name for strict, namespace for namespace-wide, nothing for cluster-wide', () => {
    const v = sealRaw(Buffer.from(CANARY), { publicKey, scope: 'strict', name: 'db', namespace: 'prod' });
    expect(hybridDecrypt(privateKey, Buffer.from(v, 'base64'), Buffer.from('prod/db')).toString()).toBe(CANARY);
    expect(thrown(() => sealRaw(Buffer.from('x'), { publicKey, scope: 'strict', namespace: 'prod' })).message).toMatch(/--name/);
    expect(thrown(() => sealRaw(Buffer.from('x'), { publicKey, scope: 'namespace-wide' })).message).toMatch(/--namespace/);
    const nw = sealRaw(Buffer.from('x'), { publicKey, scope: 'namespace-wide', namespace: 'prod' });
    expect(hybridDecrypt(privateKey, Buffer.from(nw, 'base64'), Buffer.from('prod')).toString()).toBe('x');
    const cw = sealRaw(Buffer.from('x'), { publicKey, scope: 'cluster-wide' });
    expect(hybridDecrypt(privateKey, Buffer.from(cw, 'base64'), Buffer.alloc(0)).toString()).toBe('x');
  });
});

describe('mergeInto', () => {
  it('re-seals only the given keys and keeps every other ciphertext byte for byte', () => {
    const existing = sealSecret(secret({ data: undefined, stringData: { a: 'A', b: 'B' }, metadata: { name: 'db', namespace: 'prod', labels: { x: '1' } } }), { publicKey });
    const before = structuredClone(existing);
    const { sealed, updatedKeys } = mergeInto(existing, secret({ metadata: { name: 'tmp', labels: { y: '2' } }, data: undefined, stringData: { b: 'B2', c: 'C' } }), { publicKey });
    expect(updatedKeys.sort()).toEqual(['b', 'c']);
    expect(sealed.spec.encryptedData!.a).toBe(before.spec.encryptedData!.a);
    expect(sealed.spec.encryptedData!.b).not.toBe(before.spec.encryptedData!.b);
    expect(open(sealed, 'b')).toBe('B2');
    expect(open(sealed, 'c')).toBe('C');
    expect(sealed.spec.template?.metadata?.labels).toEqual({ x: '1', y: '2' });
    expect(existing).toEqual(before);
  });

  it('seals with the existing scope and refuses another scope or namespace', () => {
    const existing = sealSecret(secret(), { publicKey, scope: 'cluster-wide' });
    const { sealed } = mergeInto(existing, secret({ metadata: { name: 'db' }, data: undefined, stringData: { k: 'v' } }), { publicKey });
    expect(open(sealed, 'k', Buffer.alloc(0))).toBe('v');
    expect(thrown(() => mergeInto(existing, secret(), { publicKey, scope: 'strict' })).message).toMatch(/differs from the existing/);
    expect(thrown(() => mergeInto(existing, secret({ metadata: { name: 'db', namespace: 'stage' } }), { publicKey })).message).toMatch(/namespace mismatch/);
  });
});

describe('layout', () => {
  const crd = parse(readFileSync(new URL('../../fixtures/crds/bitnami.com_sealedsecrets.yaml', import.meta.url), 'utf8'));
  const schema = crd.spec.versions.find((v: { name: string }) => v.name === 'v1alpha1').schema.openAPIV3Schema;
  const validate = new Ajv({ strict: false, logger: false }).compile(schema);

  it('prints YAML like kubeseal: --- then sorted keys, no creationTimestamp', () => {
    const s = sealSecret(secret({ metadata: { name: 'db', namespace: 'prod', labels: { b: '1', a: 'yes' } } }), { publicKey, scope: 'namespace-wide' });
    const text = renderSealedSecretYaml(s);
    const enc = s.spec.encryptedData!.password;
    expect(text).toBe(
      [
        '---',
        'apiVersion: bitnami.com/v1alpha1',
        'kind: SealedSecret',
        'metadata:',
        '  annotations:',
        '    sealedsecrets.bitnami.com/namespace-wide: "true"',
        '  name: db',
        '  namespace: prod',
        'spec:',
        '  encryptedData:',
        `    password: ${enc}`,
        '  template:',
        '    metadata:',
        '      annotations:',
        '        sealedsecrets.bitnami.com/namespace-wide: "true"',
        '      labels:',
        '        a: "yes"',
        '        b: "1"',
        '      name: db',
        '      namespace: prod',
        '    type: Opaque',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('creationTimestamp');
    expect(validate(parse(text))).toBe(true);
  });

  it('prints JSON like kubeseal: Go struct order, two spaces, newline', () => {
    const s = sealSecret(secret({ immutable: true, metadata: { name: 'db', namespace: 'prod', annotations: { z: 'a&b<c>' } } }), { publicKey });
    const text = renderSealedSecretJson(s);
    const enc = s.spec.encryptedData!.password;
    expect(text).toBe(
      `{
  "kind": "SealedSecret",
  "apiVersion": "bitnami.com/v1alpha1",
  "metadata": {
    "name": "db",
    "namespace": "prod"
  },
  "spec": {
    "template": {
      "metadata": {
        "name": "db",
        "namespace": "prod",
        "annotations": {
          "z": "a\\u0026b\\u003cc\\u003e"
        }
      },
      "type": "Opaque",
      "immutable": true
    },
    "encryptedData": {
      "password": "${enc}"
    }
  }
}
`,
    );
    expect(validate(JSON.parse(text))).toBe(true);
    expect(JSON.parse(text).spec.template.metadata.annotations.z).toBe('a&b<c>');
  });

  it('keeps Go order for integer-like keys, which a JS object would list first', () => {
    const data = { a: 'YQ==', '10': 'YQ==', '.env': 'YQ==', '9': 'YQ==' };
    const s = sealSecret(secret({ data, metadata: { name: 'db', namespace: 'prod', labels: { '2': 'x', b: 'v' } } }), { publicKey });
    const yaml = renderSealedSecretYaml(s);
    const encrypted = yaml.slice(yaml.indexOf('  encryptedData:'), yaml.indexOf('  template:'));
    const yamlKeys = [...encrypted.matchAll(/^ {4}("?[.\w]+"?): /gm)].map((m) => m[1]);
    expect(yamlKeys).toEqual(['.env', '"9"', '"10"', 'a']); // go-yaml: digit runs as numbers, letters last
    expect(yaml).toMatch(/^ {6}labels:\n {8}"2": x\n {8}b: v\n/m);
    const json = renderSealedSecretJson(s);
    const jsonKeys = [...json.slice(json.indexOf('"encryptedData"')).matchAll(/^ {6}"([^"]+)": "/gm)].map((m) => m[1]);
    expect(jsonKeys).toEqual(['.env', '10', '9', 'a']); // encoding/json: bytes
    expect(Object.keys(JSON.parse(json).spec.encryptedData).sort()).toEqual(['.env', '10', '9', 'a']);
    expect(parse(yaml).spec.encryptedData).toEqual(JSON.parse(json).spec.encryptedData);
  });

  it('validates against the CRD schema for every scope and empty data', () => {
    for (const scope of ['strict', 'namespace-wide', 'cluster-wide'] as const) {
      const s = sealSecret(secret({ data: {} }), { publicKey, scope, allowEmptyData: true });
      expect(validate(parse(renderSealedSecretYaml(s))), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('quotes and folds scalars as go-yaml v2 does (outputs taken from kubeseal v0.36.6)', () => {
    const long = 'this is a long annotation value with many spaces in it that goes beyond eighty columns for sure';
    const s = sealSecret(secret({ metadata: { name: 'db', namespace: 'prod', annotations: { long, t: 'noa:bb*b!ttrail ', ay: 'yes', an: '0x1F', q: "it's: x" } } }), { publicKey });
    const text = renderSealedSecretYaml(s);
    expect(text).toContain('        long: this is a long annotation value with many spaces in it that goes beyond\n          eighty columns for sure\n');
    expect(text).toContain("        t: 'noa:bb*b!ttrail '\n");
    expect(text).toContain('        ay: "yes"\n');
    expect(text).toContain('        an: "0x1F"\n');
    expect(text).toContain("        q: 'it''s: x'\n");
    expect(parse(text).spec.template.metadata.annotations.long).toBe(long);
  });

  it('sorts keys in go-yaml v2 order (digit runs numerically, letters after other characters)', () => {
    const keys = ['b', 'a10', 'a2', 'A', '_x', 'a-b', 'ab', 'k8s', 'k10s'];
    const sorted = [...keys].sort((x, y) => (goYamlKeyLess(x, y) ? -1 : goYamlKeyLess(y, x) ? 1 : 0));
    expect(sorted).toEqual(['_x', 'A', 'a-b', 'a2', 'a10', 'ab', 'b', 'k8s', 'k10s']);
  });

  it('sorts map keys deeply in the same order, with zero runs, non-ASCII and astral characters', () => {
    const keys = ['😀b', '😀a', 'é1', 'e1', 'a01', 'a1', 'a001', 'a0', 'a10b', 'a9b', '日本', 'Z', 'x00y', 'x0y', '_', '-', '9', '10'];
    const order = ['-', '_', '😀a', '😀b', '9', '10', 'Z', 'a0', 'a1', 'a01', 'a001', 'a9b', 'a10b', 'e1', 'x00y', 'x0y', 'é1', '日本'];
    const sorted = sortKeysDeep({ m: Object.fromEntries(keys.map((k) => [k, 1])) }) as Map<string, Map<string, number>>;
    expect([...sorted.get('m')!.keys()]).toEqual(order);
    expect([...keys].sort((x, y) => (goYamlKeyLess(x, y) ? -1 : goYamlKeyLess(y, x) ? 1 : 0))).toEqual(order);
  });
});
