/**
 * Every key survives (issue 19 point 3): `__proto__`, `constructor`,
 * `toString`, numeric-string and empty keys, through the library functions
 * that build maps from input keys. The CLI side is test/cli/keys-survive.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { configHash } from '../../../src/config-hash/ksec-hash.js';
import { secretBytes } from '../../../src/config-hash/content.js';
import { planMigration } from '../../../src/eso/migrate.js';
import { parseManifestText } from '../../../src/manifest/read.js';
import { readHelmTemplateLines } from '../../../src/scan/helm-template-lines.js';
import { parseSopsText, toPlain } from '../../../src/sops/decrypt.js';
import { unflatten } from '../../../src/sops/dotenv.js';

const HOSTILE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '1.5', '15000000000', '0', ''];

const secretYaml = (values: Record<string, string>) =>
  'apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\nstringData:\n' +
  HOSTILE_KEYS.map((k) => `  ${JSON.stringify(k)}: ${JSON.stringify(Object.hasOwn(values, k) ? values[k] : `v-${k}`)}\n`).join('');

function secret(values: Record<string, string> = {}) {
  return parseManifestText(secretYaml(values), 'x.yaml').documents[0]!.value as never;
}

describe('hostile keys', () => {
  it('the manifest reader keeps every key as an own property', () => {
    const value = secret() as { stringData: Record<string, string> };
    expect(Object.keys(value.stringData).sort()).toEqual([...HOSTILE_KEYS].sort());
    expect(Object.getPrototypeOf(value.stringData)).toBe(Object.prototype);
  });

  it('checksum: different values under each key give different hashes', () => {
    const base = configHash(secret());
    for (const key of HOSTILE_KEYS) {
      expect(configHash(secret({ [key]: 'changed' })), key).not.toBe(base);
    }
    expect([...secretBytes(secret()).keys()].sort()).toEqual([...HOSTILE_KEYS].sort());
  });

  it('eso migrate stores every key in the payload', () => {
    const item = planMigration(secret(), 'x.yaml', { prefix: 'p', store: { name: 's', kind: 'ClusterSecretStore' }, refreshInterval: '1h', apiVersion: 'v1' });
    const payload = JSON.parse(item.payload) as Record<string, string>;
    expect(Object.keys(payload).sort()).toEqual([...HOSTILE_KEYS].sort());
    expect(Object.getOwnPropertyDescriptor(payload, '__proto__')?.value).toBe('v-__proto__');
    expect(item.payload).toContain('"__proto__":"v-__proto__"');
  });

  it('sops: toPlain and the dotenv metadata keep every key', () => {
    const text = HOSTILE_KEYS.map((k) => `${JSON.stringify(k)}: ${JSON.stringify(`v-${k}`)}`).join('\n') + '\nsops:\n    mac: x\n';
    const doc = parseSopsText(text, 'x.enc.yaml');
    const plain = toPlain(doc.branches[0]!) as Record<string, unknown>;
    expect(Object.keys(plain).sort()).toEqual([...HOSTILE_KEYS].sort());
    for (const k of HOSTILE_KEYS) expect(Object.getOwnPropertyDescriptor(plain, k)?.value).toBe(`v-${k}`);
    const meta = unflatten({ __proto__x: 'a', ['__proto__']: 'b' } as Record<string, string>);
    expect(Object.keys(meta)).toContain('__proto__x');
    const flat = Object.create(null) as Record<string, string>;
    flat['__proto__'] = 'p';
    flat['age__list_0__map___proto__'] = 'q';
    const tree = unflatten(flat) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(tree, '__proto__')?.value).toBe('p');
    expect(Object.getOwnPropertyDescriptor((tree.age as Record<string, unknown>[])[0], '__proto__')?.value).toBe('q');
  });

  it("scan's Helm template reader keeps every key", () => {
    const text = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}\nstringData:\n' + HOSTILE_KEYS.filter(Boolean).map((k) => `  ${k}: v\n`).join('');
    const [doc] = readHelmTemplateLines(text);
    const values = (doc!.value as { stringData: Record<string, unknown> }).stringData;
    expect(Object.keys(values).sort()).toEqual(HOSTILE_KEYS.filter(Boolean).sort());
  });
});
