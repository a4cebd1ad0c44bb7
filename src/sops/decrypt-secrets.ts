/**
 * SOPS-encrypted Secret manifests decrypted, MAC-checked, into Secrets in
 * memory (for `ksec seal --from-sops`): the plaintext is never written
 * anywhere.
 */
import { KsecError } from '../errors.js';
import { isSecret, type Secret } from '../manifest/objects.js';
import type { SecretSource } from '../seal/read-secrets.js';
import { decryptDocument, parseSopsText, toPlain } from './decrypt.js';
import type { FoundIdentities } from './keys.js';
import { readUserText } from '../user-file.js';

/** Every file's Secrets, by file in the order given; an error when a document is not a Secret. */
export async function decryptSecretFiles(files: string[], found: Pick<FoundIdentities, 'identities' | 'searched'>): Promise<SecretSource[]> {
  const sources: SecretSource[] = [];
  for (const file of files) {
    const text = await readUserText(file);
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
