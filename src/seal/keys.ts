/**
 * Private keys of a sealed-secrets controller, and new key pairs for it.
 *
 * Reading: a file holds either PEM private keys (PKCS#1 `RSA PRIVATE KEY` or
 * unencrypted PKCS#8 `PRIVATE KEY`; other PEM blocks such as certificates are
 * skipped) or a controller key backup — the Secret, several Secrets, or the
 * `kind: List` that `kubectl get secret -n kube-system -l
 * sealedsecrets.bitnami.com/sealed-secrets-key -o yaml` prints, each with a
 * base64 PEM key under `data.tls.key`. Messages name the file and object,
 * never key material.
 *
 * Generating: what the controller itself creates (pkg/crypto/keys.go in
 * sealed-secrets): RSA-4096, a self-signed X.509 v3 certificate whose
 * subject and issuer are the CN `--my-cn` (empty by default), a random
 * 128-bit serial, valid from now for `--key-ttl` (10 years by default),
 * basicConstraints CA:TRUE and keyUsage encipherOnly, both critical, signed
 * with SHA256-RSA. The backup Secret is `kubernetes.io/tls`, labelled
 * `sealedsecrets.bitnami.com/sealed-secrets-key=active`, with the key as
 * PKCS#1 PEM — the layout the controller writes and reads back.
 */
import { createPrivateKey, createPublicKey, generateKeyPair as nodeGenerateKeyPair, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type forgeModule from 'node-forge';
import { KsecError, fileError } from '../errors.js';
import { parseManifestText, objectsOf, readDirSorted } from '../manifest/read.js';
import { isSecret, objectRef, type Secret } from '../manifest/objects.js';
import { readUserText } from '../user-file.js';

export const SEALED_SECRETS_KEY_LABEL = 'sealedsecrets.bitnami.com/sealed-secrets-key';
/** The controller's `--key-ttl` default: 10*365*24h. */
export const DEFAULT_KEY_TTL_MS = 10 * 365 * 24 * 3600 * 1000;
export const DEFAULT_KEY_BITS = 4096;

export interface LoadedPrivateKey {
  key: KeyObject;
  /** where it came from: the file, and the Secret for a backup (`file: Secret/kube-system/name`) */
  source: string;
  /** the file it was read from (inside a directory given, the file in it) */
  file?: string;
  /** its certificate, when one was found (loadPrivateKeys with `certificates`) */
  certificate?: KeyCertificate;
}

/** A key's certificate, found beside it: in the same PEM file or directory, or in the backup Secret's tls.crt. */
export interface KeyCertificate {
  x509: X509Certificate;
  notBefore: Date;
  notAfter: Date;
  /** a PEM file whose first certificate it is (what `--cert FILE` reads); unset when it is only inside a Secret */
  file?: string;
  /** where it was found: a file, or `file: Secret/ns/name` */
  source: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
const KEY_BLOCKS = new Set(['RSA PRIVATE KEY', 'PRIVATE KEY']);

/**
 * Every RSA private key in `text` (PEM or a key backup). Throws a KsecError
 * naming `file` when there is none, or when one found is encrypted or not RSA.
 */
export function parsePrivateKeys(text: string, file: string): LoadedPrivateKey[] {
  if (text.includes('-----BEGIN ')) return parsePemKeys(text, file, file);
  let objects;
  try {
    objects = objectsOf([parseManifestText(text, file)]);
  } catch {
    throw notAKeyFile(file);
  }
  const secrets = objects.map((o) => o.object).filter((o): o is Secret => isSecret(o));
  if (secrets.length === 0) throw notAKeyFile(file);
  const keys: LoadedPrivateKey[] = [];
  for (const secret of secrets) {
    const object = objectRef(secret);
    const encoded = secret.data?.['tls.key'];
    const plain = secret.stringData?.['tls.key'];
    let pem: string;
    if (typeof encoded === 'string') {
      pem = Buffer.from(encoded, 'base64').toString('utf8');
    } else if (typeof plain === 'string') {
      pem = plain;
    } else {
      throw new KsecError('the Secret has no tls.key', {
        file,
        object,
        hint: 'a controller key backup holds the key under data."tls.key"',
      });
    }
    keys.push(...parsePemKeys(pem, file, `${file}: ${object}`, object));
  }
  return keys;
}

function parsePemKeys(text: string, file: string, source: string, object?: string): LoadedPrivateKey[] {
  const keys: LoadedPrivateKey[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const type = match[1]!;
    if (type === 'ENCRYPTED PRIVATE KEY' || (KEY_BLOCKS.has(type) && /Proc-Type:\s*4,ENCRYPTED/.test(match[2]!))) {
      throw new KsecError('the private key is encrypted with a passphrase', {
        file,
        object,
        hint: 'decrypt it first, e.g. openssl pkey -in KEY -out plain.key (and keep plain.key 0600)',
      });
    }
    if (type === 'EC PRIVATE KEY' || type === 'OPENSSH PRIVATE KEY') throw notRsa(file, object);
    if (!KEY_BLOCKS.has(type)) continue;
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: match[0], format: 'pem' });
    } catch {
      throw new KsecError(`the ${type} block is not a valid private key`, {
        file,
        object,
        hint: 'the file is damaged or truncated',
      });
    }
    if (key.asymmetricKeyType !== 'rsa') throw notRsa(file, object);
    keys.push({ key, source });
  }
  if (keys.length === 0) {
    throw object
      ? new KsecError('tls.key holds no PEM private key', { file, object, hint: 'the backup is damaged' })
      : notAKeyFile(file);
  }
  return keys;
}

function notAKeyFile(file: string): KsecError {
  return new KsecError('no private key found', {
    file,
    hint: 'give a PEM RSA private key (PKCS#1 or PKCS#8) or a controller key backup (Secret or List with tls.key)',
  });
}

function notRsa(file: string, object: string | undefined): KsecError {
  return new KsecError('the private key is not an RSA key', {
    file,
    object,
    hint: 'sealed-secrets keys are RSA',
  });
}

export interface LoadKeysOptions {
  /** also find each key's certificate (same PEM file, same directory, or the backup Secret's tls.crt) */
  certificates?: boolean;
}

/**
 * Reads every key from every file; a key found twice (same public key) is
 * kept once. A directory stands for the files in it (not recursive, dot
 * files skipped); there, files that hold no private key (certificates,
 * other manifests, notes) are passed over, and the directory must hold at
 * least one key.
 */
export async function loadPrivateKeys(paths: string[], options: LoadKeysOptions = {}): Promise<LoadedPrivateKey[]> {
  if (paths.length === 0) {
    throw new KsecError('no private key given', { hint: 'pass --private-key FILE (repeatable)' });
  }
  const seen = new Set<string>();
  const out: LoadedPrivateKey[] = [];
  const certificates: KeyCertificate[] = [];
  for (const path of paths) {
    const files = await keyFiles(path);
    const found = out.length;
    for (const file of files) {
      const text = await readUserText(file);
      if (options.certificates) certificates.push(...parseCertificates(text, file));
      let keys: LoadedPrivateKey[];
      try {
        keys = parsePrivateKeys(text, file);
      } catch (err) {
        if (files.length === 1 && file === path) throw err;
        if (err instanceof KsecError && /^(no private key found|the Secret has no tls\.key)$/.test(err.message)) continue;
        throw err;
      }
      for (const loaded of keys) {
        const id = publicKeyId(loaded.key);
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ ...loaded, file });
      }
    }
    if (out.length === found && !(files.length === 1 && files[0] === path)) {
      throw new KsecError('no private key found in the directory', {
        file: path,
        hint: 'give PEM RSA private keys or controller key backups (Secret or List with tls.key)',
      });
    }
  }
  if (options.certificates) {
    const byKey = new Map<string, KeyCertificate>();
    for (const cert of certificates) {
      const id = publicKeyId(cert.x509.publicKey);
      const had = byKey.get(id);
      // a certificate in a PEM file of its own beats one inside a Secret (it can be passed as --cert), then the newer one
      if (!had || (!had.file && cert.file) || (Boolean(had.file) === Boolean(cert.file) && cert.notBefore > had.notBefore)) byKey.set(id, cert);
    }
    for (const loaded of out) {
      const cert = byKey.get(publicKeyId(loaded.key));
      if (cert) loaded.certificate = cert;
    }
  }
  return out;
}

/** A path given as a key: the file itself, or the files of a directory (sorted, no dot files, not recursive). */
async function keyFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw fileError(err, path);
  }
  if (!info.isDirectory()) return [path];
  const entries = await readDirSorted(path);
  return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => join(path, e.name));
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The certificates in a key file: PEM CERTIFICATE blocks, or the tls.crt of
 * controller key backup Secrets. One that does not parse is passed over
 * (certificates only add dates to a key; the key itself is what opens values).
 */
export function parseCertificates(text: string, file: string): KeyCertificate[] {
  const out: KeyCertificate[] = [];
  const add = (pem: string, source: string, first: boolean, standalone: boolean) => {
    try {
      const x509 = new X509Certificate(pem);
      if (x509.publicKey.asymmetricKeyType !== 'rsa') return;
      out.push({ x509, notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo), file: first && standalone ? file : undefined, source });
    } catch {
      // not a usable certificate
    }
  };
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    let first = true;
    for (const m of text.matchAll(PEM_CERTIFICATE)) {
      add(m[0], file, first, true);
      first = false;
    }
    return out;
  }
  if (!text.includes('tls.crt')) return out;
  let objects;
  try {
    objects = objectsOf([parseManifestText(text, file)]);
  } catch {
    return out;
  }
  for (const { object } of objects) {
    if (!isSecret(object)) continue;
    const encoded = object.data?.['tls.crt'];
    const pem = typeof encoded === 'string' ? Buffer.from(encoded, 'base64').toString('utf8') : object.stringData?.['tls.crt'];
    if (typeof pem !== 'string') continue;
    const block = pem.match(PEM_CERTIFICATE)?.[0];
    if (block) add(block, `${file}: ${objectRef(object)}`, false, false);
  }
  return out;
}

function publicKeyId(key: KeyObject): string {
  return (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' }).toString('base64');
}

/** `--key-ttl` values: Go durations the controller takes (`87600h`, `90m`, `1h30m`) plus days (`3650d`). */
export function parseDuration(text: string): number {
  const unit: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
  const re = /(\d+(?:\.\d+)?)(d|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (const m of text.trim().matchAll(re)) {
    total += Number(m[1]) * unit[m[2]!]!;
    matched += m[0].length;
  }
  if (matched === 0 || matched !== text.trim().length || total <= 0) {
    throw new KsecError(`invalid duration "${text}"`, { hint: 'use e.g. 87600h (the controller default), 720h or 3650d' });
  }
  return total;
}

export interface CertificateOptions {
  /** subject and issuer CN, the controller's `--my-cn` (default empty, as the controller) */
  commonName?: string;
  /** validity from `now`, the controller's `--key-ttl` */
  validForMs?: number;
  now?: Date;
}

/** node-forge (CommonJS) builds certificates only: loaded on first use, so reading keys never loads it. */
let forgeLoaded: typeof forgeModule | undefined;
const loadForge = () => (forgeLoaded ??= createRequire(import.meta.url)('node-forge') as typeof forgeModule);

/** The controller's self-signed certificate for `privateKey`, as PEM. */
export function selfSignedCertificate(privateKey: KeyObject, options: CertificateOptions = {}): string {
  const forge = loadForge();
  const now = new Date(Math.floor((options.now ?? new Date()).getTime() / 1000) * 1000);
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = serialHex(randomBytes(16));
  cert.validity.notBefore = now;
  cert.validity.notAfter = new Date(now.getTime() + (options.validForMs ?? DEFAULT_KEY_TTL_MS));
  const name = options.commonName ? [{ name: 'commonName', value: options.commonName }] : [];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'keyUsage', critical: true, encipherOnly: true },
    { name: 'basicConstraints', critical: true, cA: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  // forge builds the DER; node:crypto signs (forge's RSA in JS is far slower).
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  const tbs = Buffer.from(forge.asn1.toDer((forge.pki as unknown as { getTBSCertificate(c: forgeModule.pki.Certificate): forgeModule.asn1.Asn1 }).getTBSCertificate(cert)).getBytes(), 'binary');
  cert.signature = sign('sha256', tbs, privateKey).toString('binary');
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

/** A positive DER INTEGER in minimal form, as forge wants the serial (hex). */
function serialHex(bytes: Buffer): string {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const hex = bytes.subarray(i).toString('hex');
  return bytes[i]! >= 0x80 ? `00${hex}` : hex;
}

export interface GeneratedKeyPair {
  privateKey: KeyObject;
  /** PKCS#1 PEM, as the controller stores it */
  privateKeyPem: string;
  certificatePem: string;
}

export interface KeyPairOptions extends CertificateOptions {
  /** modulus size; the controller's `--key-size` default is 4096 */
  bits?: number;
}

/** A new RSA key (node:crypto, off the main thread) and its self-signed certificate. */
export async function generateKeyPair(options: KeyPairOptions = {}): Promise<GeneratedKeyPair> {
  const { privateKey } = await promisify(nodeGenerateKeyPair)('rsa', { modulusLength: options.bits ?? DEFAULT_KEY_BITS });
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    certificatePem: selfSignedCertificate(privateKey, options),
  };
}

/** The key as the `kubernetes.io/tls` Secret the controller picks up as its active key. */
export function keySecret(pair: Pick<GeneratedKeyPair, 'privateKeyPem' | 'certificatePem'>, name: string, namespace: string): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { [SEALED_SECRETS_KEY_LABEL]: 'active' } },
    type: 'kubernetes.io/tls',
    data: {
      'tls.crt': Buffer.from(pair.certificatePem).toString('base64'),
      'tls.key': Buffer.from(pair.privateKeyPem).toString('base64'),
    },
  };
}

