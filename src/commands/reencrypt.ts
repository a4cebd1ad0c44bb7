/**
 * `ksec reencrypt`: SealedSecrets re-sealed for a new certificate offline,
 * opened with the old private keys. Prints the files, or rewrites them in
 * place (all or none) with -w.
 */
import { stat } from 'node:fs/promises';
import { KsecError } from '../errors.js';
import { readManifestFiles, STDIN } from '../manifest/read.js';
import { writeFilesAtomic } from '../manifest/write.js';
import { loadCertificate } from '../seal/cert.js';
import { loadPrivateKeys } from '../seal/keys.js';
import { decryptMany, encryptMany } from '../seal/pool.js';
import { reencryptFiles } from '../seal/reencrypt.js';
import { KeyRing } from '../seal/unseal.js';
import { note, noteSkipped } from '../terminal/messages.js';
import { writeStdout } from '../terminal/output.js';
import { privateKeyPaths, type PrivateKeyFlags } from './shared-flags.js';

export interface ReencryptFlags extends PrivateKeyFlags {
  file?: string[];
  cert: string;
  inPlace?: boolean;
  namespace?: string;
}

export async function runReencrypt(flags: ReencryptFlags): Promise<void> {
  const keys = await loadPrivateKeys(privateKeyPaths(flags));
  const certificate = await loadCertificate(flags.cert);
  const inputs = flags.file?.length ? flags.file : [STDIN];
  if (flags.inPlace && inputs.includes(STDIN)) {
    throw new KsecError('--in-place needs files, not stdin', { hint: 'pass -f FILE, or drop -w to print the result' });
  }
  const skipped: string[] = [];
  const files = await readManifestFiles(inputs, { skipped });
  noteSkipped(skipped);
  const results = await reencryptFiles(files, new KeyRing(keys.map((k) => k.key)), certificate.publicKey, { namespace: flags.namespace }, {
    decrypt: (k, jobs) => decryptMany(k, jobs),
    encrypt: (k, jobs) => encryptMany(k, jobs),
  });
  const objects = results.reduce((n, r) => n + r.objects, 0);
  if (objects === 0) throw new KsecError('no SealedSecret found', { file: inputs.join(', '), hint: 'give files with kind: SealedSecret' });
  const resealed = results.reduce((n, r) => n + r.resealed, 0);
  const unchanged = results.reduce((n, r) => n + r.unchanged, 0);
  const changed = results.filter((r) => r.text !== r.file.text);
  if (flags.inPlace) {
    const modes = await Promise.all(changed.map((r) => stat(r.file.path).then((s) => s.mode & 0o777)));
    await writeFilesAtomic(changed.map((r, i) => ({ path: r.file.path, content: (r.file.bom ? '\uFEFF' : '') + r.text, mode: modes[i] })));
  } else {
    await writeStdout(
      results
        .filter((r) => r.objects > 0)
        .map((r, i) => (i > 0 && r.file.format === 'yaml' && !/^---/.test(r.text) ? `---\n${r.text}` : r.text))
        .map((t) => (t.endsWith('\n') ? t : `${t}\n`))
        .join(''),
    );
  }
  note(
    `re-sealed ${resealed} value(s) in ${objects} SealedSecret(s) for ${certificate.fingerprint}` +
      (unchanged ? `; ${unchanged} already sealed for it, left unchanged` : '') +
      (flags.inPlace ? `; ${changed.length} file(s) rewritten` : ''),
  );
}
