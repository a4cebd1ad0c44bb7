/**
 * --merge-into FILE: re-seal only the input's keys into the SealedSecret in
 * FILE (sealed-secret.ts mergeInto). YAML files are edited in place (comments,
 * order and every other ciphertext kept); JSON files are re-printed in
 * kubeseal's layout.
 */
import type { KeyObject } from 'node:crypto';
import { KsecError } from '../errors.js';
import { renderEditedYaml, setString } from '../manifest/edit.js';
import { isSealedSecret, type SealedSecret } from '../manifest/objects.js';
import { readManifestFile, type ManifestFormat } from '../manifest/read.js';
import { parseFormat } from '../manifest/write.js';
import { renderSealedSecrets } from './layout.js';
import type { SecretSource } from './read-secrets.js';
import type { SealingScope } from './scope.js';
import { mergeInto } from './sealed-secret.js';

export interface MergeIntoFileOptions {
  publicKey: KeyObject;
  /** must match the existing SealedSecret's scope when given */
  scope?: SealingScope;
  /** picks the SealedSecret when the file holds several (default: the input Secret's name) */
  name?: string;
  allowEmptyData?: boolean;
  /**
   * format of a re-printed (JSON) file, a name as `-o` takes it (default: the file's). Checked only
   * when the file is re-printed: a YAML file edited in place ignores it.
   */
  format?: string;
}

/** The new text of `path`, with the one Secret of `sources` merged in. */
export async function mergeIntoFile(path: string, sources: SecretSource[], options: MergeIntoFileOptions): Promise<string> {
  const secrets = sources.flatMap((s) => s.secrets.map((secret) => ({ secret, file: s.file })));
  if (secrets.length !== 1) throw new KsecError(`--merge-into takes one Secret, the input has ${secrets.length}`, { hint: 'merge one Secret at a time' });
  const { secret, file } = secrets[0]!;
  const existingFile = await readManifestFile(path);
  const candidates = existingFile.documents.filter((d) => isSealedSecret(d.value));
  const doc =
    candidates.length === 1 ? candidates[0] : candidates.find((d) => (d.value as SealedSecret).metadata?.name === (options.name || secret.metadata?.name));
  if (!doc) {
    throw new KsecError(candidates.length === 0 ? 'no SealedSecret in the file' : 'several SealedSecrets in the file and none has the input\'s name', {
      file: path,
      hint: 'merge into a file holding the SealedSecret to update',
    });
  }
  const existing = doc.value as SealedSecret;
  const { sealed: merged, updatedKeys } = mergeInto(existing, secret, {
    publicKey: options.publicKey,
    scope: options.scope,
    allowEmptyData: options.allowEmptyData,
    file,
    existingFile: path,
  });
  if (existingFile.format === 'yaml' && doc.yaml) {
    for (const key of updatedKeys) setString(doc.yaml, ['spec', 'encryptedData', key], merged.spec.encryptedData![key]!);
    const meta = merged.spec.template?.metadata ?? {};
    for (const field of ['labels', 'annotations'] as const) {
      for (const [k, v] of Object.entries(meta[field] ?? {})) setString(doc.yaml, ['spec', 'template', 'metadata', field, k], v);
    }
    return renderEditedYaml(existingFile, new Set([doc.index]));
  }
  return renderSealedSecrets([merged], options.format ? (parseFormat(options.format) as ManifestFormat) : existingFile.format);
}
