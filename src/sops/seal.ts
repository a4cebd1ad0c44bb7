/**
 * `ksec seal --from-sops FILE`: a SOPS-encrypted Secret straight to a
 * SealedSecret. The file is decrypted and its MAC verified in memory; the
 * plaintext Secret goes to the sealing code and is never written anywhere.
 */
import { readFile } from 'node:fs/promises';
import { KsecError, fileError } from '../errors.js';
import { isSecret, type Secret } from '../manifest/objects.js';
import type { ManifestFormat } from '../manifest/read.js';
import { formatFromPath, parseFormat, writeFileAtomic } from '../manifest/write.js';
import { writeStdout } from '../terminal/output.js';
import { renderSealedSecrets } from '../seal/layout.js';
import { loadCertificates, sealAll, type SealFlags, type SecretSource } from '../seal/run-seal.js';
import { parseScope } from '../seal/scope.js';
import { warn } from '../terminal/messages.js';
import { decryptDocument, parseSopsText, toPlain } from './decrypt.js';
import { findIdentities } from './keys.js';

export interface SealFromSopsFlags extends SealFlags {
  fromSops: string[];
  ageKeyFile?: string[];
}

/** Decrypts SOPS files into Secrets, in memory. */
export async function secretsFromSops(files: string[], keyFiles?: string[]): Promise<SecretSource[]> {
  const found = await findIdentities({ keyFiles });
  for (const w of found.warnings) warn(w);
  const sources: SecretSource[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw fileError(err, file);
    }
    const decrypted = decryptDocument(parseSopsText(text, file), found.identities, found.searched);
    const secrets: Secret[] = [];
    decrypted.branches.forEach((branch, i) => {
      const object = toPlain(branch);
      if (!isSecret(object)) {
        throw new KsecError(`document ${i + 1} is not a Secret`, { file, hint: '--from-sops takes SOPS-encrypted Secret manifests (apiVersion: v1, kind: Secret)' });
      }
      secrets.push(object);
    });
    sources.push({ file, secrets });
  }
  return sources;
}

export async function runSealFromSops(inputs: string[], flags: SealFromSopsFlags): Promise<void> {
  if (inputs.length > 0 || flags.file?.length || flags.raw || flags.mergeInto || flags.fetchCert || flags.outputDir) {
    throw new KsecError('--from-sops does not combine with other inputs, --raw, --merge-into, --fetch-cert or --output-dir', {
      hint: 'seal SOPS files in their own run: ksec seal --from-sops FILE --cert CERT [-w OUT]',
    });
  }
  const scope = flags.scope === undefined ? undefined : parseScope(flags.scope);
  const sources = await secretsFromSops(flags.fromSops, flags.ageKeyFile);
  const targets = await loadCertificates(flags);
  const sealed = await sealAll(sources, targets, { ...flags, scope, defaultNamespace: flags.namespace ?? 'default' });
  const w = flags.sealedSecretFile;
  if (!w) {
    if (targets.length > 1) throw new KsecError('several --cert need -w with a {cluster} placeholder', { hint: 'e.g. -w sealed/{cluster}/db.yaml' });
    await writeStdout(renderSealedSecrets(sealed[0]!.flat(), (flags.format ? parseFormat(flags.format) : 'json') as ManifestFormat));
    return;
  }
  if (targets.length > 1 && !w.includes('{cluster}')) {
    throw new KsecError('several --cert need a {cluster} placeholder in -w', { hint: 'e.g. -w sealed/{cluster}/db.yaml' });
  }
  const format = (flags.format ? parseFormat(flags.format) : formatFromPath(w, 'json')) as ManifestFormat;
  for (const [i, target] of targets.entries()) {
    await writeFileAtomic(w.replaceAll('{cluster}', target.cluster), renderSealedSecrets(sealed[i]!.flat(), format));
  }
}
