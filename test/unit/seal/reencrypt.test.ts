import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/manifest/read.js';
import { toYaml } from '../../../src/manifest/write.js';
import { closePool, decryptMany, encryptMany } from '../../../src/seal/pool.js';
import { reencryptFiles } from '../../../src/seal/reencrypt.js';
import { KeyRing, unsealSealedSecret } from '../../../src/seal/unseal.js';
import { CANARY, seal } from './unseal-fixture.js';

let oldKey: KeyObject;
let newKey: KeyObject;
let other: KeyObject;

beforeAll(() => {
  oldKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  newKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
});
afterAll(closePool);

const values = (text: string, path = 'x.yaml') =>
  parseManifestText(text, path).documents.map((d) => (d.value as { spec?: { encryptedData?: Record<string, string> } }).spec?.encryptedData);

describe('reencryptFiles', () => {
  it('re-seals every value for the new key, same scope and place, keeping comments and formatting', async () => {
    const ss = seal({ key: oldKey, data: { password: CANARY, user: 'admin' }, scope: 'namespace-wide' });
    const text = `# sealed for prod\n${toYaml(ss).replace('spec:\n', 'spec:\n  # the sealed part\n')}`;
    const file = parseManifestText(text, 'db.yaml');
    const [out] = await reencryptFiles([file], new KeyRing([oldKey]), createPublicKey(newKey));
    expect(out).toMatchObject({ objects: 1, resealed: 2, unchanged: 0 });
    expect(out!.text).toContain('# sealed for prod\n');
    expect(out!.text).toContain('spec:\n  # the sealed part\n');
    expect(out!.text).not.toContain(CANARY);
    const after = parseManifestText(out!.text, 'db.yaml').documents[0]!.value;
    const secret = unsealSealedSecret(after, new KeyRing([newKey]));
    expect(Buffer.from(secret.data!.password!, 'base64').toString()).toBe(CANARY);
    expect(() => unsealSealedSecret(after, new KeyRing([oldKey]))).toThrow(/none of the 1 private key/);
    // only encryptedData changed
    const strip = (t: string) => t.replace(/^( {4}(password|user)): .*$/gm, '$1');
    expect(strip(out!.text)).toBe(strip(text));
  });

  it('leaves values already sealed for the new key byte for byte (a second run changes nothing)', async () => {
    const first = seal({ key: oldKey, data: { a: '1' } });
    const already = seal({ key: newKey, data: { b: '2' } });
    first.spec.encryptedData = { ...first.spec.encryptedData, ...already.spec.encryptedData };
    const text = toYaml(first);
    const ring = new KeyRing([oldKey, newKey]);
    const [once] = await reencryptFiles([parseManifestText(text, 'a.yaml')], ring, createPublicKey(newKey));
    expect(once).toMatchObject({ resealed: 1, unchanged: 1 });
    expect(values(once!.text)[0]!.b).toBe(already.spec.encryptedData!.b);
    const [twice] = await reencryptFiles([parseManifestText(once!.text, 'a.yaml')], ring, createPublicKey(newKey));
    expect(twice).toMatchObject({ resealed: 0, unchanged: 2 });
    expect(twice!.text).toBe(once!.text);
  });

  it('handles several documents, a kind: List, JSON, and objects that are not SealedSecrets', async () => {
    const a = seal({ key: oldKey, data: { a: '1' }, name: 'a' });
    const b = seal({ key: oldKey, data: { b: '2' }, name: 'b', scope: 'cluster-wide' });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k: 'v' } };
    const yamlText = `${toYaml(a)}---\n${toYaml(cm)}---\n${toYaml({ apiVersion: 'v1', kind: 'List', items: [b] })}`;
    const jsonText = JSON.stringify(a, null, 2) + '\n';
    const files = [parseManifestText(yamlText, 'many.yaml'), parseManifestText(jsonText, 'one.json')];
    const out = await reencryptFiles(files, new KeyRing([oldKey]), createPublicKey(newKey));
    expect(out.map((o) => [o.objects, o.resealed])).toEqual([
      [2, 2],
      [1, 1],
    ]);
    const docs = parseManifestText(out[0]!.text, 'many.yaml').documents.map((d) => d.value);
    expect(docs[1]).toEqual(cm);
    const list = docs[2] as { items: unknown[] };
    expect(unsealSealedSecret(list.items[0], new KeyRing([newKey])).data).toEqual({ b: Buffer.from('2').toString('base64') });
    const json = JSON.parse(out[1]!.text);
    expect(unsealSealedSecret(json, new KeyRing([newKey])).data).toEqual({ a: Buffer.from('1').toString('base64') });
  });

  it('returns a file without SealedSecrets unchanged', async () => {
    const text = 'apiVersion: v1\nkind: ConfigMap # keep\nmetadata: {name: c}\n';
    const [out] = await reencryptFiles([parseManifestText(text, 'cm.yaml')], new KeyRing([oldKey]), createPublicKey(newKey));
    expect(out).toMatchObject({ objects: 0, resealed: 0, text });
  });

  it('fails as a whole, naming file, object and key, when one value does not open', async () => {
    const good = seal({ key: oldKey, data: { a: '1' }, name: 'good' });
    const bad = seal({ key: other, data: { secret: CANARY }, name: 'bad' });
    const files = [parseManifestText(toYaml(good), 'good.yaml'), parseManifestText(toYaml(bad), 'bad.yaml')];
    const err = await reencryptFiles(files, new KeyRing([oldKey]), createPublicKey(newKey)).catch((e: unknown) => e);
    expect(err).toMatchObject({ file: 'bad.yaml', object: 'SealedSecret/prod/bad', exitCode: 2 });
    expect((err as Error).message).toMatch(/^encryptedData.secret: none of the 1 private key/);
    expect((err as Error).message).not.toContain(CANARY);
  });

  it('names the file for a SealedSecret without a namespace, and uses the fallback namespace', async () => {
    const ss = seal({ key: oldKey, data: { a: '1' }, namespace: 'team' });
    delete ss.metadata!.namespace;
    const file = parseManifestText(toYaml(ss), 'nons.yaml');
    await expect(reencryptFiles([file], new KeyRing([oldKey]), createPublicKey(newKey))).rejects.toMatchObject({ file: 'nons.yaml' });
    const [out] = await reencryptFiles([file], new KeyRing([oldKey]), createPublicKey(newKey), { namespace: 'team' });
    expect(out!.resealed).toBe(1);
    expect(out!.text).not.toContain('namespace: team\nspec');
  });

  it('gives the same result through the worker pool for many values', async () => {
    const data = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`k${i}`, `${CANARY}-${i}`]));
    const ss = seal({ key: oldKey, data });
    const [out] = await reencryptFiles([parseManifestText(toYaml(ss), 'big.yaml')], new KeyRing([oldKey]), createPublicKey(newKey), {}, {
      decrypt: (keys, jobs) => decryptMany(keys, jobs, { threshold: 10 }),
      encrypt: (key, jobs) => encryptMany(key, jobs, { threshold: 10 }),
    });
    expect(out!.resealed).toBe(250);
    const secret = unsealSealedSecret(parseManifestText(out!.text, 'big.yaml').documents[0]!.value, new KeyRing([newKey]));
    expect(Buffer.from(secret.data!.k249!, 'base64').toString()).toBe(`${CANARY}-249`);
  }, 60_000);
});
