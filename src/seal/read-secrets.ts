/**
 * The Secrets to seal, read from files, directories and stdin. A file named
 * explicitly must hold only Secrets; in a directory, files without a Secret
 * and earlier `*.sealed.*` outputs are skipped. SOPS-encrypted Secrets are
 * refused (they are sealed with --from-sops).
 */
import { KsecError } from '../errors.js';
import { isSecret, objectRef, type Secret } from '../manifest/objects.js';
import { expandPaths, isKubernetesManifest, isUnrenderedTemplate, objectsOf, readManifestFile, STDIN, type ManifestFile, type ManifestFormat } from '../manifest/read.js';

/** Secrets read from one input file ('-' for stdin). */
export interface SecretSource {
  file: string;
  /** the directory argument it was found under, when it came from one (output paths keep the layout below it) */
  root?: string;
  /** the file's format: Go reads YAML through JSON with sorted keys, which shows in managedFields' fieldsV1 */
  format?: ManifestFormat;
  secrets: Secret[];
}

export interface ReadSecretsOptions {
  /** called with each source as soon as it is read, in input order (the sealing starts while the next ones are read) */
  onSource?: (source: SecretSource) => void;
  /** called just before stdin is read */
  onStdin?: () => void;
  /** receives the files of a directory left out because they hold no Kubernetes object (see isKubernetesManifest) */
  skipped?: string[];
  /** receives the files of a directory left out because their Secrets are SOPS-encrypted (sealed with --from-sops) */
  skippedSops?: string[];
}

/** Files read ahead of the one being parsed, so file I/O waits overlap. */
const READ_AHEAD = 8;

/** Every Secret in `inputs` (paths, or '-' for stdin), by file in input order; an error when there is none. */
export async function readSecrets(inputs: string[], options: ReadSecretsOptions = {}): Promise<SecretSource[]> {
  const sources: SecretSource[] = [];
  for (const input of inputs) {
    if (input === STDIN) options.onStdin?.();
    const files = input === STDIN ? [STDIN] : await expandPaths([input]);
    const fromDir = files.length !== 1 || files[0] !== input;
    const paths = fromDir ? files.filter((path) => !/\.sealed\.(ya?ml|json)$/i.test(path)) : files;
    // results are still taken, and fail, in order
    const reads: Promise<ManifestFile>[] = [];
    const readAhead = (i: number) => {
      if (i >= paths.length || reads[i]) return;
      reads[i] = readManifestFile(paths[i]!);
      reads[i]!.catch(() => {}); // awaited below in order; this only stops an unhandled rejection
    };
    for (let i = 0; i < paths.length; i++) {
      for (let j = i; j < i + READ_AHEAD; j++) readAhead(j);
      let file: ManifestFile;
      try {
        file = await reads[i]!;
      } catch (err) {
        if (fromDir && (await isUnrenderedTemplate(paths[i]!, err))) {
          options.skipped?.push(paths[i]!);
          delete reads[i];
          continue;
        }
        throw err;
      }
      if (fromDir && !isKubernetesManifest(file)) {
        options.skipped?.push(file.path);
        delete reads[i];
        continue;
      }
      if (fromDir && isSopsFile(file)) {
        options.skippedSops?.push(file.path);
        delete reads[i];
        continue;
      }
      const source = secretsIn(file, fromDir);
      delete reads[i];
      if (!source) continue;
      sources.push(fromDir ? { ...source, root: input } : source);
      options.onSource?.(sources[sources.length - 1]!);
    }
  }
  if (sources.length === 0) {
    throw new KsecError('no Secret found in the input', { file: inputs.join(', '), hint: 'pass Secret manifests (kind: Secret, apiVersion: v1)' });
  }
  return sources;
}

/** Every object of the file is a Secret with sops metadata: a SOPS file, sealed with --from-sops. */
function isSopsFile(file: ManifestFile): boolean {
  const objects = file.documents.map((d) => d.value).filter((v) => v !== null && v !== undefined);
  return objects.length > 0 && objects.every((o) => isSecret(o) && 'sops' in o);
}

function secretsIn(file: ManifestFile, lenient: boolean): SecretSource | undefined {
  const objects = objectsOf([file]).map((o) => o.object);
  const secrets = objects.filter(isSecret);
  if (lenient && secrets.length === 0) return undefined;
  for (const o of objects) {
    if (!isSecret(o)) {
      throw new KsecError(`${objectRef(o)} is not a Secret (kind ${o.kind})`, {
        file: file.path,
        hint: 'ksec seal takes Secret manifests (apiVersion: v1, kind: Secret)',
      });
    }
    if ('sops' in o) {
      throw new KsecError(`${objectRef(o)} is SOPS-encrypted`, { file: file.path, hint: 'decrypt it first (ksec sops decrypt), or seal with --from-sops' });
    }
  }
  if (secrets.length === 0) throw new KsecError('no Secret in the file', { file: file.path, hint: 'ksec seal takes Secret manifests' });
  return { file: file.path, format: file.format, secrets };
}
