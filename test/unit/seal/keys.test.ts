import { createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { KsecError } from '../../../src/errors.js';
import { toYaml } from '../../../src/manifest/write.js';
import {
  DEFAULT_KEY_TTL_MS,
  generateKeyPair,
  keySecret,
  loadPrivateKeys,
  parseDuration,
  parsePrivateKeys,
  SEALED_SECRETS_KEY_LABEL,
  selfSignedCertificate,
} from '../../../src/seal/keys.js';
import { catchError } from './unseal-fixture.js';

function rsa(bits = 2048): KeyObject {
  return generateKeyPairSync('rsa', { modulusLength: bits }).privateKey;
}
const spki = (k: KeyObject) => (k.type === 'public' ? k : createPublicKey(k)).export({ type: 'spki', format: 'der' }).toString('hex');

let keyA: KeyObject;
let keyB: KeyObject;
let pkcs1: string;
let pkcs8: string;
let certA: string;

beforeAll(() => {
  keyA = rsa();
  keyB = rsa();
  pkcs1 = keyA.export({ type: 'pkcs1', format: 'pem' }).toString();
  pkcs8 = keyB.export({ type: 'pkcs8', format: 'pem' }).toString();
  certA = selfSignedCertificate(keyA, { commonName: 'demo' });
});

describe('parsePrivateKeys: PEM', () => {
  it('reads PKCS#1 and PKCS#8 keys', () => {
    expect(spki(parsePrivateKeys(pkcs1, 'a.key')[0]!.key)).toBe(spki(keyA));
    expect(spki(parsePrivateKeys(pkcs8, 'b.key')[0]!.key)).toBe(spki(keyB));
  });

  it('skips certificates and reads every key block in a file', () => {
    const keys = parsePrivateKeys(`${certA}${pkcs1}\n${pkcs8}`, 'bundle.pem');
    expect(keys.map((k) => spki(k.key))).toEqual([spki(keyA), spki(keyB)]);
    expect(keys[0]!.source).toBe('bundle.pem');
  });

  it('refuses a certificate alone, garbage and empty files, naming the file and never quoting it', () => {
    for (const text of [certA, 'not a key at all: s3cr3t-canary', '']) {
      const err = catchError(() => parsePrivateKeys(text, 'x.pem'));
      expect(err.message).toBe('no private key found');
      expect(err.file).toBe('x.pem');
      expect(err.exitCode).toBe(2);
      expect(`${err.message} ${err.hint}`).not.toContain('canary');
    }
  });

  it('refuses encrypted keys with a hint to decrypt them', () => {
    const encrypted = keyA.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    expect(catchError(() => parsePrivateKeys(encrypted, 'enc.pem')).message).toMatch(/encrypted with a passphrase/);
    const legacy = keyA.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    expect(catchError(() => parsePrivateKeys(legacy, 'enc1.pem')).message).toMatch(/encrypted with a passphrase/);
  });

  it('refuses non-RSA keys', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(catchError(() => parsePrivateKeys(ec.export({ type: 'sec1', format: 'pem' }).toString(), 'ec.pem')).message).toMatch(/not an RSA key/);
    expect(catchError(() => parsePrivateKeys(ec.export({ type: 'pkcs8', format: 'pem' }).toString(), 'ec8.pem')).message).toMatch(/not an RSA key/);
  });

  it('refuses a damaged key block', () => {
    const damaged = pkcs1.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA');
    expect(catchError(() => parsePrivateKeys(damaged.slice(0, 300) + pkcs1.slice(-30), 'bad.pem')).file).toBe('bad.pem');
  });
});

describe('parsePrivateKeys: controller key backups', () => {
  const backup = (name: string, pem: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'kube-system', labels: { [SEALED_SECRETS_KEY_LABEL]: 'active' } },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(certA).toString('base64'), 'tls.key': Buffer.from(pem).toString('base64') },
  });

  it('reads one Secret (YAML)', () => {
    const keys = parsePrivateKeys(toYaml(backup('k1', pkcs1)), 'backup.yaml');
    expect(keys).toHaveLength(1);
    expect(spki(keys[0]!.key)).toBe(spki(keyA));
    expect(keys[0]!.source).toBe('backup.yaml: Secret/kube-system/k1');
  });

  it('reads the kind: List that kubectl get -o yaml prints, and JSON', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [backup('k1', pkcs1), backup('k2', pkcs8)], metadata: { resourceVersion: '' } };
    expect(parsePrivateKeys(toYaml(list), 'all.yaml').map((k) => spki(k.key))).toEqual([spki(keyA), spki(keyB)]);
    expect(parsePrivateKeys(JSON.stringify(list), 'all.json')).toHaveLength(2);
  });

  it('reads several Secrets in one YAML stream', () => {
    const text = `${toYaml(backup('k1', pkcs1))}---\n${toYaml(backup('k2', pkcs8))}`;
    expect(parsePrivateKeys(text, 'two.yaml')).toHaveLength(2);
  });

  it('names the Secret that has no tls.key', () => {
    const bad = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'other', namespace: 'kube-system' }, data: { password: 'czNjcjN0' } };
    const err = catchError(() => parsePrivateKeys(toYaml(bad), 'b.yaml'));
    expect(err.message).toMatch(/no tls.key/);
    expect(err.object).toBe('Secret/kube-system/other');
  });

  it('names the Secret whose tls.key is not a key', () => {
    const bad = backup('broken', 'garbage');
    const err = catchError(() => parsePrivateKeys(toYaml(bad), 'b.yaml'));
    expect(err.object).toBe('Secret/kube-system/broken');
  });

  it('refuses manifests without Secrets and invalid YAML', () => {
    expect(catchError(() => parsePrivateKeys('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n', 'c.yaml')).message).toBe('no private key found');
    expect(catchError(() => parsePrivateKeys('a: [unclosed', 'c.yaml')).message).toBe('no private key found');
  });
});

describe('loadPrivateKeys', () => {
  it('reads files, deduplicates the same key, and reports a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ksec-keys-'));
    await writeFile(join(dir, 'a.key'), pkcs1);
    await writeFile(join(dir, 'a8.key'), keyA.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(dir, 'b.key'), pkcs8);
    const keys = await loadPrivateKeys([join(dir, 'a.key'), join(dir, 'a8.key'), join(dir, 'b.key')]);
    expect(keys.map((k) => spki(k.key))).toEqual([spki(keyA), spki(keyB)]);
    await expect(loadPrivateKeys([join(dir, 'missing.key')])).rejects.toMatchObject({ exitCode: 2, file: join(dir, 'missing.key') });
    await expect(loadPrivateKeys([])).rejects.toThrow(/no private key given/);
  });
});

describe('parseDuration', () => {
  it('reads Go durations and days', () => {
    expect(parseDuration('87600h')).toBe(DEFAULT_KEY_TTL_MS);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('90s')).toBe(90_000);
  });
  it('refuses junk and zero', () => {
    for (const bad of ['', 'ten years', '10y', '0h', '5', 'h']) expect(() => parseDuration(bad)).toThrow(KsecError);
  });
});

describe('selfSignedCertificate', () => {
  it('matches what the controller generates: CN, validity, serial, CA, keyUsage, SHA256-RSA', () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    const pem = selfSignedCertificate(keyA, { commonName: 'sealed-secret', now, validForMs: 3600_000 });
    const x = new X509Certificate(pem);
    expect(x.subject).toBe('CN=sealed-secret');
    expect(x.issuer).toBe('CN=sealed-secret');
    expect(new Date(x.validFrom).toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(new Date(x.validTo).toISOString()).toBe('2026-01-02T04:04:05.000Z');
    expect(x.verify(x.publicKey)).toBe(true);
    expect(spki(x.publicKey)).toBe(spki(keyA));
    expect(x.serialNumber.length).toBeLessThanOrEqual(34);
    const der = x.raw.toString('hex');
    // basicConstraints (2.5.29.19) critical CA:TRUE; keyUsage (2.5.29.15) critical, only encipherOnly (bit 7)
    expect(der).toContain('0603551d130101ff040530030101ff');
    expect(der).toContain('0603551d0f0101ff0404030200' + '01');
    expect(der).toContain('06092a864886f70d01010b'); // sha256WithRSAEncryption
  });

  it('has an empty subject by default, like the controller without --my-cn, and a 10-year validity', () => {
    const x = new X509Certificate(selfSignedCertificate(keyB));
    expect(x.subject ?? '').toBe('');
    const years = (Date.parse(x.validTo) - Date.parse(x.validFrom)) / DEFAULT_KEY_TTL_MS;
    expect(years).toBeCloseTo(1, 5);
  });

  it('uses a fresh positive serial each time', () => {
    const serials = new Set(Array.from({ length: 20 }, () => new X509Certificate(selfSignedCertificate(keyA)).serialNumber));
    expect(serials.size).toBe(20);
  });
});

describe('generateKeyPair and keySecret', () => {
  it('makes an RSA-4096 key by default, PKCS#1 PEM, with a matching certificate', async () => {
    const pair = await generateKeyPair();
    expect(pair.privateKey.asymmetricKeyDetails?.modulusLength).toBe(4096);
    expect(pair.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(spki(new X509Certificate(pair.certificatePem).publicKey)).toBe(spki(pair.privateKey));
  }, 60_000);

  it('renders the tls Secret the controller picks up, and it reads back as a key backup', async () => {
    const pair = await generateKeyPair({ bits: 2048 });
    const secret = keySecret(pair, 'sealed-secrets-key-mine', 'kube-system');
    expect(secret).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: 'sealed-secrets-key-mine', namespace: 'kube-system', labels: { [SEALED_SECRETS_KEY_LABEL]: 'active' } },
    });
    expect(Buffer.from(secret.data!['tls.crt']!, 'base64').toString()).toBe(pair.certificatePem);
    const back = parsePrivateKeys(toYaml(secret), 'secret.yaml');
    expect(spki(back[0]!.key)).toBe(spki(pair.privateKey));
  });
});
