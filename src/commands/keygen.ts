/**
 * `ksec keygen`: a controller key pair written as NAME.key (0600), NAME.crt
 * and NAME.yaml (the tls Secret the controller takes as its own key).
 */
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KsecError, fileError } from '../errors.js';
import { toYaml, writeFilesAtomic } from '../manifest/write.js';
import { publicKeyFingerprint } from '../seal/cert.js';
import { generateKeyPair, keySecret, parseDuration } from '../seal/keys.js';
import { note } from '../terminal/messages.js';

export interface KeygenFlags {
  outDir: string;
  name?: string;
  namespace: string;
  keySize: string;
  keyTtl: string;
  myCn: string;
  force?: boolean;
}

export async function runKeygen(flags: KeygenFlags): Promise<void> {
  const bits = Number(flags.keySize);
  if (!Number.isInteger(bits) || bits < 2048 || bits > 16384) {
    throw new KsecError(`invalid --key-size "${flags.keySize}"`, { hint: 'use 2048, 3072 or 4096 (the controller default)' });
  }
  const validForMs = parseDuration(flags.keyTtl);
  if (flags.name !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(flags.name)) {
    throw new KsecError(`invalid --name "${flags.name}"`, { hint: 'a Kubernetes name: lower case letters, digits, "-" and "."' });
  }
  const pathsFor = (name: string) => ['key', 'crt', 'yaml'].map((ext) => join(flags.outDir, `${name}.${ext}`));
  const refuseExisting = async (paths: string[]) => {
    if (flags.force) return;
    for (const p of paths) {
      const exists = await stat(p).then(
        () => true,
        () => false,
      );
      if (exists) throw new KsecError('file exists', { file: p, hint: 'pass --force to overwrite, or another --name / --out-dir' });
    }
  };
  if (flags.name !== undefined) await refuseExisting(pathsFor(flags.name));
  const pair = await generateKeyPair({ bits, validForMs, commonName: flags.myCn });
  const publicDer = createPublicKey(pair.privateKey).export({ type: 'spki', format: 'der' });
  const name = flags.name ?? `sealed-secrets-key-${createHash('sha256').update(publicDer).digest('hex').slice(0, 8)}`;
  const [keyPath, certPath, secretPath] = pathsFor(name) as [string, string, string];
  await refuseExisting([keyPath, certPath, secretPath]);
  const files = [
    { path: keyPath, content: pair.privateKeyPem, mode: 0o600 },
    { path: certPath, content: pair.certificatePem, mode: 0o644 },
    { path: secretPath, content: toYaml(keySecret(pair, name, flags.namespace)), mode: 0o600 },
  ];
  try {
    await mkdir(flags.outDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw fileError(err, flags.outDir, 'create directory');
  }
  await writeFilesAtomic(files);
  const cert = new X509Certificate(pair.certificatePem);
  note(
    [
      `private key  ${keyPath} (0600: keep it offline)`,
      `certificate  ${certPath}`,
      `Secret       ${secretPath} (${flags.namespace}/${name}, label sealedsecrets.bitnami.com/sealed-secrets-key=active)`,
      `fingerprint  ${publicKeyFingerprint(cert.publicKey)}`,
      `valid        ${new Date(cert.validFrom).toISOString()} .. ${new Date(cert.validTo).toISOString()}`,
      `next: kubectl apply -f ${secretPath}, restart the controller, then ksec seal --cert ${certPath}`,
    ].join('\n'),
  );
}
