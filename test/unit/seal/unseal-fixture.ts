/** Test helpers for the offline seal modules: SealedSecrets built straight from hybrid.ts and scope.ts. */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { KsecError } from '../../../src/errors.js';
import type { SealedSecret } from '../../../src/manifest/objects.js';
import { toYaml } from '../../../src/manifest/write.js';
import { keySecret, selfSignedCertificate } from '../../../src/seal/keys.js';
import { hybridEncrypt } from '../../../src/seal/hybrid.js';
import { annotationsFor, labelFor, type SealingScope } from '../../../src/seal/scope.js';

export const CANARY = 'canary-s3cr3t-value-7f3a';

export interface SealArgs {
  key: KeyObject;
  data: Record<string, string | Buffer>;
  name?: string;
  namespace?: string;
  scope?: SealingScope;
  /** seal for this place instead of the object's own */
  sealAs?: { scope: SealingScope; namespace: string; name: string };
}

export function seal(args: SealArgs): SealedSecret {
  const name = args.name ?? 'db';
  const namespace = args.namespace ?? 'prod';
  const scope = args.scope ?? 'strict';
  const as = args.sealAs ?? { scope, namespace, name };
  const label = labelFor(as.scope, as.namespace, as.name);
  const pub = createPublicKey(args.key);
  const encryptedData = Object.fromEntries(
    Object.entries(args.data).map(([k, v]) => [k, hybridEncrypt(pub, Buffer.from(v), label).toString('base64')]),
  );
  const annotations = annotationsFor(scope);
  return {
    apiVersion: 'bitnami.com/v1alpha1',
    kind: 'SealedSecret',
    metadata: { name, namespace, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: {
      encryptedData,
      template: { metadata: { name, namespace, labels: { app: 'web' }, annotations }, type: 'Opaque' },
    },
  };
}

export function catchError(fn: () => unknown): KsecError {
  try {
    fn();
  } catch (err) {
    if (err instanceof KsecError) return err;
    throw err;
  }
  throw new Error('expected a KsecError');
}

export interface CliFixture {
  dir: string;
  keyA: KeyObject;
  keyB: KeyObject;
  /** PEM files of keyA (PKCS#1) and keyB (PKCS#8), a cert for each, and a key backup Secret of keyA */
  keyAFile: string;
  keyBFile: string;
  certAFile: string;
  certBFile: string;
  backupAFile: string;
  /** write a file in the fixture dir, return its path */
  write(name: string, text: string): Promise<string>;
}

/** A temp dir with two 2048-bit key pairs as the CLI reads them. */
export async function cliFixture(): Promise<CliFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'ksec-seal-cli-'));
  const keyA = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const keyB = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const write = async (name: string, text: string) => {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    return path;
  };
  const pemA = keyA.export({ type: 'pkcs1', format: 'pem' }).toString();
  const certA = selfSignedCertificate(keyA);
  return {
    dir,
    keyA,
    keyB,
    write,
    keyAFile: await write('a.key', pemA),
    keyBFile: await write('b.key', keyB.export({ type: 'pkcs8', format: 'pem' }).toString()),
    certAFile: await write('a.crt', certA),
    certBFile: await write('b.crt', selfSignedCertificate(keyB)),
    backupAFile: await write('backup.yaml', toYaml(keySecret({ privateKeyPem: pemA, certificatePem: certA }, 'sealed-secrets-keyabc', 'kube-system'))),
  };
}
