/** The key inventory (src/seal/key-inventory.ts) with demo keys made here, and the loader's certificates and directories. */
import { createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/manifest/read.js';
import { toYaml } from '../../../src/manifest/write.js';
import { publicKeyFingerprint } from '../../../src/seal/cert.js';
import { hybridEncrypt } from '../../../src/seal/hybrid.js';
import { isReencryptCandidate, keyInventory, newestKey } from '../../../src/seal/key-inventory.js';
import { keySecret, loadPrivateKeys, selfSignedCertificate, type LoadedPrivateKey } from '../../../src/seal/keys.js';
import { identifyBatch } from '../../../src/seal/pool-jobs.js';
import { closePool, identifyMany } from '../../../src/seal/pool.js';
import { labelFor } from '../../../src/seal/scope.js';
import { CANARY, seal } from './unseal-fixture.js';

interface DemoKey {
  key: KeyObject;
  pem: string;
  cert: string;
  fingerprint: string;
  loaded: LoadedPrivateKey;
}

/** A demo key pair whose certificate starts on `day` (2026-01-DD). */
function demoKey(day: number, bits = 2048): DemoKey {
  const key = generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;
  const cert = selfSignedCertificate(key, { now: new Date(`2026-01-${String(day).padStart(2, '0')}T00:00:00Z`), commonName: `demo-key-${day}` });
  const x509 = new X509Certificate(cert);
  return {
    key,
    pem: key.export({ type: 'pkcs1', format: 'pem' }).toString(),
    cert,
    fingerprint: publicKeyFingerprint(createPublicKey(key)),
    loaded: {
      key,
      source: `demo-${day}.key`,
      file: `demo-${day}.key`,
      certificate: { x509, notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo), source: `demo-${day}.crt`, file: `demo-${day}.crt` },
    },
  };
}

let old: DemoKey;
let mid: DemoKey;
let latest: DemoKey;
let stranger: DemoKey;
beforeAll(() => {
  old = demoKey(1);
  mid = demoKey(10);
  latest = demoKey(20);
  stranger = demoKey(5);
});
afterAll(() => closePool());

const file = (path: string, ...objects: unknown[]) => parseManifestText(objects.map((o) => toYaml(o)).join('---\n'), path);
const data = { password: CANARY, user: 'demo' };

describe('keyInventory', () => {
  it('finds the key of every SealedSecret, the newest key, the reencrypt candidates and the keys that open nothing', async () => {
    const files = [
      file('apps/a.yaml', seal({ key: old.key, data, name: 'a1' }), seal({ key: old.key, data, name: 'a2' })),
      file('apps/b.yaml', seal({ key: latest.key, data, name: 'b1', scope: 'namespace-wide' })),
      file('apps/c.yaml', seal({ key: latest.key, data, name: 'c1', scope: 'cluster-wide' })),
    ];
    const inv = await keyInventory(files, [old.loaded, mid.loaded, latest.loaded]);
    expect(inv.keys.map((k) => [k.fingerprint, k.items, k.values, k.newest])).toEqual([
      [old.fingerprint, 2, 4, false],
      [mid.fingerprint, 0, 0, false],
      [latest.fingerprint, 2, 4, true],
    ]);
    expect(inv.items.map((i) => [i.file, i.line, i.namespace, i.name, i.scope, i.key])).toEqual([
      ['apps/a.yaml', 1, 'prod', 'a1', 'strict', old.fingerprint],
      ['apps/a.yaml', expect.any(Number), 'prod', 'a2', 'strict', old.fingerprint],
      ['apps/b.yaml', 1, 'prod', 'b1', 'namespace-wide', latest.fingerprint],
      ['apps/c.yaml', 1, 'prod', 'c1', 'cluster-wide', latest.fingerprint],
    ]);
    expect(inv.items[1]!.line).toBeGreaterThan(1);
    expect(inv.summary).toMatchObject({ files: 3, items: 4, values: 8, newestKey: latest.fingerprint, onNewest: 2, reencrypt: 2, unopened: 0, unused: [mid.fingerprint] });
    expect(inv.items.filter((i) => isReencryptCandidate(i, latest.fingerprint)).map((i) => i.name)).toEqual(['a1', 'a2']);
    expect(JSON.stringify(inv.items) + JSON.stringify(inv.summary)).not.toContain(CANARY);
  });

  it('tries every value: an item with values on two keys is on the older one, and both keys open something', async () => {
    const mixed = seal({ key: old.key, data: { a: CANARY }, name: 'mixed' });
    mixed.spec.encryptedData!.b = hybridEncrypt(createPublicKey(latest.key), Buffer.from(CANARY), labelFor('strict', 'prod', 'mixed')).toString('base64');
    const inv = await keyInventory([file('m.yaml', mixed)], [latest.loaded, old.loaded]);
    expect(inv.items[0]).toMatchObject({ key: old.fingerprint, keys: [old.fingerprint, latest.fingerprint], values: 2 });
    expect(inv.keys.map((k) => k.items)).toEqual([1, 1]);
    expect(inv.summary).toMatchObject({ reencrypt: 1, onNewest: 0, unused: [] });
  });

  it('reports what no given key opens, a damaged value and an unknown label, without a value', async () => {
    const damaged = seal({ key: old.key, data, name: 'damaged' });
    damaged.spec.encryptedData!.user = 'not base64!';
    const noNamespace = seal({ key: old.key, data, name: 'nons' });
    delete noNamespace.metadata!.namespace;
    const files = [file('x.yaml', seal({ key: stranger.key, data, name: 'foreign' }), damaged, noNamespace, { apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'empty' }, spec: {} })];
    const inv = await keyInventory(files, [old.loaded, latest.loaded]);
    expect(inv.items.map((i) => [i.name, i.key])).toEqual([
      ['foreign', null],
      ['damaged', null],
      ['nons', null],
    ]);
    expect(inv.items[0]!.problem).toMatch(/encryptedData.password: none of the 2 key\(s\) opens it/);
    expect(inv.items[1]!.problem).toMatch(/encryptedData.user: not valid base64/);
    expect(inv.items[1]!.keys).toEqual([old.fingerprint]);
    expect(inv.items[2]).toMatchObject({ untested: true, problem: expect.stringMatching(/namespace is not set.*-n NAMESPACE/) });
    expect(inv.summary).toMatchObject({ unopened: 3, untested: 1, empty: 1, unused: [] });
    expect(JSON.stringify(inv)).not.toContain(CANARY);

    const withNamespace = await keyInventory(files, [old.loaded, latest.loaded], { namespace: 'prod' });
    expect(withNamespace.items[2]).toMatchObject({ name: 'nons', namespace: 'prod', key: old.fingerprint });
  });

  it('spends at most one RSA operation per (value, key), and about one per value when files keep to one key', async () => {
    const keys = [old, mid, latest, demoKey(15), demoKey(25)];
    const files = keys.flatMap((k, n) =>
      [0, 1].map((f) => file(`f${n}-${f}.yaml`, ...Array.from({ length: 5 }, (_, i) => seal({ key: k.key, data, name: `s${n}-${f}-${i}` })))),
    );
    const values = 5 * 2 * 5 * 2;
    const inline = await keyInventory(files, keys.map((k) => k.loaded));
    expect(inline.items.every((i) => i.key === keys[Number(i.name.split('-')[0]!.slice(1))]!.fingerprint)).toBe(true);
    // the first SealedSecret of each file may try every key; the rest of the file takes one try a value
    expect(inline.summary.rsaOperations).toBeLessThanOrEqual(values + files.length * (keys.length - 1));
    expect(inline.summary.rsaOperations).toBeLessThan(values * 1.5);

    const pooled = await keyInventory(files, keys.map((k) => k.loaded), {
      run: (k, count, job, onResult) => identifyMany(k, count, job, onResult, { threads: 2, threshold: 1 }),
    });
    expect(pooled.items).toEqual(inline.items);
    expect(pooled.summary.rsaOperations).toBeLessThanOrEqual(values * keys.length);
    expect(pooled.summary.rsaOperations).toBeLessThan(values * 2);
  });

  it('guesses from the neighbours when each file holds one SealedSecret', async () => {
    const keys = [old, mid, latest];
    // one SealedSecret a file, neighbours sealed with the same key (directories sealed at one time)
    const files = keys.flatMap((k, n) => Array.from({ length: 6 }, (_, i) => file(`d${n}/f${i}.yaml`, seal({ key: k.key, data, name: `s${n}-${i}` }))));
    const inv = await keyInventory(files, keys.map((k) => k.loaded));
    expect(inv.items.every((i) => i.key === keys[Number(i.name[1])]!.fingerprint)).toBe(true);
    // each change of key costs at most the other keys once; everything else one try a value
    expect(inv.summary.rsaOperations).toBeLessThanOrEqual(inv.summary.values + keys.length * (keys.length - 1));
  });

  it('reports progress, one call per value', async () => {
    const seen: [number, number][] = [];
    await keyInventory([file('p.yaml', seal({ key: old.key, data }))], [old.loaded], { onProgress: (d, t) => seen.push([d, t]) });
    expect(seen).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });
});

describe('newestKey', () => {
  it('is the latest notBefore; keys without a certificate are not placed', () => {
    expect(newestKey([{ notBefore: new Date(1) }, { notBefore: new Date(3) }, {}, { notBefore: new Date(2) }])).toEqual({ notBefore: new Date(3) });
    expect(newestKey([{}, {}])).toBeUndefined();
  });
});

describe('identifyBatch', () => {
  it('counts its tries, skips keys of another size without one, and returns no plaintext', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const label = Buffer.from('prod/db');
    const ct = hybridEncrypt(createPublicKey(latest.key), Buffer.from(CANARY), label);
    const [byHint, byOrder, none, broken] = identifyBatch(
      [small, old.key, latest.key],
      [
        { ciphertext: ct, label, order: [2] },
        { ciphertext: ct, label, order: [] },
        { ciphertext: ct, label: Buffer.from('other/place'), order: [] },
        { ciphertext: ct.subarray(0, 10), label, order: [] },
      ],
    );
    expect(byHint).toEqual({ status: 'opened', keyIndex: 2, tries: 1 });
    expect(byOrder).toEqual({ status: 'opened', keyIndex: 2, tries: 2 });
    expect(none).toEqual({ status: 'no-key', tries: 2 });
    expect(broken).toMatchObject({ status: 'invalid', tries: 0 });
  });

  it('with sticky, tries the key that opened the previous job first', () => {
    const label = Buffer.from('');
    const ct = () => hybridEncrypt(createPublicKey(latest.key), Buffer.from('x'), label);
    const out = identifyBatch([old.key, mid.key, latest.key], [ct(), ct()].map((c) => ({ ciphertext: c, label, order: [0, 1, 2], sticky: true })));
    expect(out.map((r) => r.tries)).toEqual([3, 1]);
  });
});

describe('loadPrivateKeys with certificates', () => {
  it('reads a directory (keys, certificates beside them, backups; other files passed over) and matches each key to its certificate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ksec-keys-dir-'));
    await writeFile(join(dir, 'demo-old.key'), old.pem);
    await writeFile(join(dir, 'demo-old.crt'), old.cert);
    await writeFile(join(dir, 'demo-latest.yaml'), toYaml(keySecret({ privateKeyPem: latest.pem, certificatePem: latest.cert }, 'demo-latest', 'kube-system')));
    await writeFile(join(dir, 'README.md'), 'demo keys for tests\n');
    await writeFile(join(dir, 'other.yaml'), toYaml({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
    await mkdir(join(dir, 'nested'));
    const keys = await loadPrivateKeys([dir], { certificates: true });
    expect(keys.map((k) => [publicKeyFingerprint(createPublicKey(k.key)), k.file, k.certificate?.file, k.certificate?.source])).toEqual([
      [latest.fingerprint, join(dir, 'demo-latest.yaml'), undefined, `${join(dir, 'demo-latest.yaml')}: Secret/kube-system/demo-latest`],
      [old.fingerprint, join(dir, 'demo-old.key'), join(dir, 'demo-old.crt'), join(dir, 'demo-old.crt')],
    ]);
    expect(keys[0]!.certificate!.notBefore.toISOString()).toBe('2026-01-20T00:00:00.000Z');
    // without the option no certificate is read (unseal's path)
    expect((await loadPrivateKeys([dir])).every((k) => k.certificate === undefined)).toBe(true);
  });

  it('refuses a directory without a key, and a file given by name that holds none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ksec-keys-none-'));
    await writeFile(join(dir, 'demo.crt'), old.cert);
    await expect(loadPrivateKeys([dir], { certificates: true })).rejects.toMatchObject({ message: 'no private key found in the directory', file: dir });
    await expect(loadPrivateKeys([join(dir, 'demo.crt')])).rejects.toMatchObject({ message: 'no private key found', file: join(dir, 'demo.crt') });
  });
});
