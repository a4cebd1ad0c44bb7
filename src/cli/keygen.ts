/**
 * `ksec keygen`: a controller key pair the sealed-secrets controller takes as
 * its own (bring your own key). Flags only at start-up; the implementation
 * loads inside the action.
 */
import type { Command } from 'commander';

export interface KeygenFlags {
  outDir: string;
  name?: string;
  namespace: string;
  keySize: string;
  keyTtl: string;
  myCn: string;
  force?: boolean;
}

export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('generate a sealed-secrets controller key: RSA key (0600), self-signed cert, and the tls Secret to apply')
    .requiredOption('--out-dir <dir>', 'directory for NAME.key, NAME.crt and NAME.yaml (created 0700 if missing)')
    .option('--name <name>', 'Secret name (default: sealed-secrets-key-<8 hex of the key>)')
    .option('-n, --namespace <ns>', 'the controller\'s namespace', 'kube-system')
    .option('--key-size <bits>', 'RSA modulus size (the controller\'s --key-size)', '4096')
    .option('--key-ttl <duration>', 'certificate validity, e.g. 87600h or 3650d (the controller\'s --key-ttl)', '87600h')
    .option('--my-cn <cn>', 'certificate subject/issuer CN (the controller\'s --my-cn; empty by default)', '')
    .option('--force', 'overwrite existing files')
    .addHelpText(
      'after',
      `
Examples:
  ksec keygen --out-dir keys/
  ksec keygen --out-dir keys/ --name sealed-secrets-key-2027 --key-ttl 17520h --my-cn sealed-secret

Then: kubectl apply -f keys/NAME.yaml, restart the controller (it picks up every Secret labelled
sealedsecrets.bitnami.com/sealed-secrets-key=active and seals with the newest), seal with
ksec seal --cert keys/NAME.crt, and keep keys/NAME.key offline (it opens every value sealed for it).
Exit codes: 0 written; 2 bad flags or files exist (use --force).`,
    )
    .action(async (opts: KeygenFlags) => {
      await runKeygen(opts);
    });
}

async function runKeygen(opts: KeygenFlags): Promise<void> {
  const [keys, { writeFilesAtomic, toYaml }, { publicKeyFingerprint }, errors, fs, path, crypto, ui] = await Promise.all([
    import('../seal/keys.js'),
    import('../manifest/write.js').then(async (w) => ({ ...w, ...(await import('../terminal/output.js')) })),
    import('../seal/cert.js'),
    import('../errors.js'),
    import('node:fs/promises'),
    import('node:path'),
    import('node:crypto'),
    import('../terminal/messages.js'),
  ]);
  const bits = Number(opts.keySize);
  if (!Number.isInteger(bits) || bits < 2048 || bits > 16384) {
    throw new errors.KsecError(`invalid --key-size "${opts.keySize}"`, { hint: 'use 2048, 3072 or 4096 (the controller default)' });
  }
  const validForMs = keys.parseDuration(opts.keyTtl);
  if (opts.name !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(opts.name)) {
    throw new errors.KsecError(`invalid --name "${opts.name}"`, { hint: 'a Kubernetes name: lower case letters, digits, "-" and "."' });
  }
  const pathsFor = (name: string) => ['key', 'crt', 'yaml'].map((ext) => path.join(opts.outDir, `${name}.${ext}`));
  const refuseExisting = async (paths: string[]) => {
    if (opts.force) return;
    for (const p of paths) {
      const exists = await fs.stat(p).then(
        () => true,
        () => false,
      );
      if (exists) throw new errors.KsecError('file exists', { file: p, hint: 'pass --force to overwrite, or another --name / --out-dir' });
    }
  };
  if (opts.name !== undefined) await refuseExisting(pathsFor(opts.name));
  const pair = await keys.generateKeyPair({ bits, validForMs, commonName: opts.myCn });
  const publicDer = crypto.createPublicKey(pair.privateKey).export({ type: 'spki', format: 'der' });
  const name = opts.name ?? `sealed-secrets-key-${crypto.createHash('sha256').update(publicDer).digest('hex').slice(0, 8)}`;
  const [keyPath, certPath, secretPath] = pathsFor(name) as [string, string, string];
  await refuseExisting([keyPath, certPath, secretPath]);
  const files = [
    { path: keyPath, content: pair.privateKeyPem, mode: 0o600 },
    { path: certPath, content: pair.certificatePem, mode: 0o644 },
    { path: secretPath, content: toYaml(keys.keySecret(pair, name, opts.namespace)), mode: 0o600 },
  ];
  try {
    await fs.mkdir(opts.outDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw errors.fileError(err, opts.outDir, 'create directory');
  }
  await writeFilesAtomic(files);
  const cert = new crypto.X509Certificate(pair.certificatePem);
  ui.note(
    [
      `private key  ${files[0]!.path} (0600: keep it offline)`,
      `certificate  ${files[1]!.path}`,
      `Secret       ${files[2]!.path} (${opts.namespace}/${name}, label sealedsecrets.bitnami.com/sealed-secrets-key=active)`,
      `fingerprint  ${publicKeyFingerprint(cert.publicKey)}`,
      `valid        ${new Date(cert.validFrom).toISOString()} .. ${new Date(cert.validTo).toISOString()}`,
      `next: kubectl apply -f ${files[2]!.path}, restart the controller, then ksec seal --cert ${files[1]!.path}`,
    ].join('\n'),
  );
}
