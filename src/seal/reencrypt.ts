/**
 * Offline re-encryption (key rotation): every value of every SealedSecret is
 * opened with the old private keys and sealed again for the new certificate
 * with the same label, so it unseals in the same place and scope. Nothing
 * else changes: YAML files keep their comments, order and formatting (only
 * the sealed scalars are replaced), JSON files are re-printed.
 *
 * A value that already opens with the new certificate's own private key (when
 * that key is among the keys given) is left byte for byte as it is, so
 * running the rotation twice changes nothing the second time.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { ManifestFile, ManifestObject } from '../manifest/read.js';
import { objectsOf } from '../manifest/read.js';
import { renderEditedYaml, setString } from '../manifest/edit.js';
import { renderJson } from '../manifest/write.js';
import { isSealedSecret, type SealedSecret } from '../manifest/objects.js';
import { encryptBatch } from './pool-jobs.js';
import { openValues, valueJobs, type DecryptRunner, type KeyRing, type ValueJob } from './unseal.js';

export interface ReencryptOptions {
  /** namespace for SealedSecrets without metadata.namespace */
  namespace?: string;
}

export interface ReencryptedFile {
  file: ManifestFile;
  /** the new file text (the old one when nothing changed) */
  text: string;
  /** SealedSecrets seen */
  objects: number;
  /** values sealed again for the new certificate */
  resealed: number;
  /** values already sealed for the new certificate, left unchanged */
  unchanged: number;
}

/** Runs encrypt jobs; the pool's encryptMany has the same shape. */
export type EncryptRunner = (publicKey: KeyObject, jobs: { plaintext: Uint8Array; label: Uint8Array }[]) => Promise<Buffer[]>;

export const encryptInline: EncryptRunner = async (publicKey, jobs) => encryptBatch(publicKey, jobs);

export interface Runners {
  decrypt?: DecryptRunner;
  encrypt?: EncryptRunner;
}

/**
 * Re-encrypts every SealedSecret in the files for `newPublicKey`; other
 * objects are left alone. All values are opened first (any failure throws,
 * naming file, object and key), then sealed again in one batch.
 */
export async function reencryptFiles(
  files: ManifestFile[],
  ring: KeyRing,
  newPublicKey: KeyObject,
  options: ReencryptOptions = {},
  runners: Runners = {},
): Promise<ReencryptedFile[]> {
  const entries: { entry: ManifestObject; jobs: ValueJob[] }[] = [];
  for (const file of files) {
    for (const entry of objectsOf([file])) {
      if (isSealedSecret(entry.object)) entries.push({ entry, jobs: valueJobs(entry.object, options, file.path).jobs });
    }
  }
  const jobs = entries.flatMap((e) => e.jobs);
  const opened = await openValues(jobs, ring, runners.decrypt);
  const newId = publicId(newPublicKey);
  const toSeal: number[] = [];
  opened.forEach((o, i) => {
    if (publicId(o.key) !== newId) toSeal.push(i);
  });
  let sealed: Buffer[];
  try {
    sealed = await (runners.encrypt ?? encryptInline)(
      newPublicKey,
      toSeal.map((i) => ({ plaintext: opened[i]!.plain, label: jobs[i]!.label })),
    );
  } finally {
    for (const o of opened) o.plain.fill(0);
  }
  const replacement = new Map<ValueJob, string>();
  toSeal.forEach((jobIndex, n) => replacement.set(jobs[jobIndex]!, sealed[n]!.toString('base64')));

  const results = new Map<ManifestFile, ReencryptedFile & { edited: Set<number> }>();
  for (const file of files) results.set(file, { file, text: file.text, objects: 0, resealed: 0, unchanged: 0, edited: new Set() });
  for (const { entry, jobs: own } of entries) {
    const result = results.get(entry.file)!;
    result.objects++;
    for (const job of own) {
      const value = replacement.get(job);
      if (value === undefined) {
        result.unchanged++;
        continue;
      }
      (entry.object as SealedSecret).spec.encryptedData![job.key] = value;
      if (entry.document.yaml) setString(entry.document.yaml, [...pathOf(entry), 'spec', 'encryptedData', job.key], value);
      result.edited.add(entry.document.index);
      result.resealed++;
    }
  }
  return [...results.values()].map(({ edited, ...result }) => ({ ...result, text: render(result.file, edited) }));
}

function render(file: ManifestFile, edited: Set<number>): string {
  if (edited.size === 0) return file.text;
  return file.format === 'json' ? renderJson(file.documents.map((d) => d.value)) : renderEditedYaml(file, edited);
}

const ids = new WeakMap<KeyObject, string>();

function publicId(key: KeyObject): string {
  let id = ids.get(key);
  if (id === undefined) {
    const pub = key.type === 'public' ? key : createPublicKey(key);
    id = pub.export({ type: 'spki', format: 'der' }).toString('base64');
    ids.set(key, id);
  }
  return id;
}

/** The YAML path from a document's root to the object (inside a List or a top-level array). */
function pathOf(entry: ManifestObject): (string | number)[] {
  if (entry.item === undefined) return [];
  return Array.isArray(entry.document.value) ? [entry.item] : ['items', entry.item];
}
