/**
 * `ksec reencrypt`: rotate SealedSecrets to a new certificate offline, with
 * the old private keys (kubeseal --re-encrypt needs the cluster). Flags only at
 * start-up; the implementation loads inside the action.
 */
import type { Command } from 'commander';
import { addPrivateKeyOptions, privateKeyPaths } from './unseal.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export interface ReencryptFlags {
  file?: string[];
  cert?: string;
  privateKey?: string[];
  recoveryPrivateKey?: string[];
  inPlace?: boolean;
  namespace?: string;
}

export function registerReencrypt(program: Command): void {
  const cmd = program
    .command('reencrypt')
    .description('re-seal SealedSecrets for a new certificate offline, using the old private keys')
    .option('-f, --file <file>', 'SealedSecret file or directory (repeatable; default: stdin)', collect)
    .requiredOption('--cert <file|url>', 'the new sealing certificate (PEM file or http(s) URL)');
  addPrivateKeyOptions(cmd, true)
    .option('-w, --in-place', 'rewrite the files in place (atomically, all or none) instead of printing them')
    .option('-n, --namespace <ns>', 'namespace for SealedSecrets that have none (the one they are applied in)')
    .addHelpText(
      'after',
      `
Examples:
  ksec reencrypt -f sealed/ --private-key old-keys.yaml --cert new-cert.pem -w
  ksec reencrypt -f db-sealed.yaml --private-key old.key --cert https://certs.example.com/prod.pem > db-new.yaml

Scope, name, namespace and everything outside encryptedData stay as they are; YAML keeps its comments.
A value already sealed for the new certificate (its key among --private-key) is left byte for byte.
Exit codes: 0 done; 2 bad input: a value no key opens (nothing is written), expired cert, bad file.`,
    )
    .action(async (opts: ReencryptFlags) => {
      await runReencrypt(opts);
    });
}

async function runReencrypt(opts: ReencryptFlags): Promise<void> {
  const [{ readManifestFiles, STDIN }, { writeFilesAtomic, writeStdout }, { loadPrivateKeys }, { KeyRing }, { reencryptFiles }, { loadCertificate }, pool, ui, errors, fs] =
    await Promise.all([
      import('../manifest/read.js'),
      import('../manifest/write.js').then(async (w) => ({ ...w, ...(await import('../terminal/output.js')) })),
      import('../seal/keys.js'),
      import('../seal/unseal.js'),
      import('../seal/reencrypt.js'),
      import('../seal/cert.js'),
      import('../seal/pool.js'),
      import('../terminal/messages.js'),
      import('../errors.js'),
      import('node:fs/promises'),
    ]);
  const keys = await loadPrivateKeys(privateKeyPaths(opts));
  const certificate = await loadCertificate(opts.cert!);
  const inputs = opts.file?.length ? opts.file : [STDIN];
  if (opts.inPlace && inputs.includes(STDIN)) {
    throw new errors.KsecError('--in-place needs files, not stdin', { hint: 'pass -f FILE, or drop -w to print the result' });
  }
  const files = await readManifestFiles(inputs);
  const results = await reencryptFiles(files, new KeyRing(keys.map((k) => k.key)), certificate.publicKey, { namespace: opts.namespace }, {
    decrypt: (k, jobs) => pool.decryptMany(k, jobs),
    encrypt: (k, jobs) => pool.encryptMany(k, jobs),
  });
  const objects = results.reduce((n, r) => n + r.objects, 0);
  if (objects === 0) throw new errors.KsecError('no SealedSecret found', { file: inputs.join(', '), hint: 'give files with kind: SealedSecret' });
  const resealed = results.reduce((n, r) => n + r.resealed, 0);
  const unchanged = results.reduce((n, r) => n + r.unchanged, 0);
  if (opts.inPlace) {
    const changed = results.filter((r) => r.text !== r.file.text);
    const modes = await Promise.all(changed.map((r) => fs.stat(r.file.path).then((s) => s.mode & 0o777)));
    await writeFilesAtomic(changed.map((r, i) => ({ path: r.file.path, content: r.text, mode: modes[i] })));
  } else {
    await writeStdout(
      results
        .filter((r) => r.objects > 0)
        .map((r, i) => (i > 0 && r.file.format === 'yaml' && !/^---/.test(r.text) ? `---\n${r.text}` : r.text))
        .map((t) => (t.endsWith('\n') ? t : `${t}\n`))
        .join(''),
    );
  }
  ui.note(
    `re-sealed ${resealed} value(s) in ${objects} SealedSecret(s) for ${certificate.fingerprint}` +
      (unchanged ? `; ${unchanged} already sealed for it, left unchanged` : '') +
      (opts.inPlace ? `; ${results.filter((r) => r.text !== r.file.text).length} file(s) rewritten` : ''),
  );
}
