/**
 * Migration off committed Secrets. Each plain Secret (or SOPS-encrypted
 * Secret, decrypted with age keys found as sops finds them, or SealedSecret,
 * opened with the controller's private key: openSecrets) becomes one AWS
 * secret `PREFIX/NAME` holding a JSON object of its keys, and the
 * ExternalSecret that recreates the same Secret from it (planMigration).
 * Values stay in MigrationItem.payload, which only PutSecretValue reads. A
 * value that is not UTF-8 is stored base64 and read back with
 * `decodingStrategy: Base64`, so binary keys survive.
 */
import { KsecError } from '../errors.js';
import { isPaddedBase64 } from '../go/base64.js';
import { isRecord, isSealedSecret, isSecret, objectRef, type Secret } from '../manifest/objects.js';
import type { ManifestObject } from '../manifest/read.js';
import { buildExternalSecret, type DataEntry, type EsoApiVersion, type StoreRef } from './manifests.js';
import { gjsonPath } from './naming.js';
import type { KubeObject } from '../manifest/objects.js';

/** One Secret on its way to AWS: its values are only in `payload`. */
export interface MigrationItem {
  ref: string;
  file: string;
  awsName: string;
  keys: string[];
  /** keys stored base64 because their value is not UTF-8 */
  base64Keys: string[];
  /** the JSON object to store; holds secret values */
  payload: string;
  externalSecret: KubeObject;
}

const SKIPPED_ANNOTATIONS = /^(kubectl\.kubernetes\.io\/last-applied-configuration|sealedsecrets\.bitnami\.com\/)/;

export function planMigration(secret: Secret, file: string, options: { prefix: string; store: StoreRef; refreshInterval: string; apiVersion: EsoApiVersion }): MigrationItem {
  const ref = objectRef(secret);
  const name = secret.metadata?.name;
  if (!name) throw new KsecError('the Secret has no metadata.name', { file, object: ref, hint: 'the AWS secret is named PREFIX/NAME' });
  const values = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    if (typeof v !== 'string') continue;
    // the API server's decoding: padded standard base64 (line breaks ignored); Buffer.from would mangle anything else
    const compact = v.replace(/[\r\n]/g, '');
    if (!isPaddedBase64(compact)) {
      throw new KsecError(`data.${k} is not valid base64`, { file, object: ref, hint: 'encode the value with `base64 -w0`, or move it to stringData' });
    }
    values.set(k, Buffer.from(compact, 'base64'));
  }
  for (const [k, v] of Object.entries(secret.stringData ?? {})) if (typeof v === 'string') values.set(k, Buffer.from(v, 'utf8'));
  if (values.size === 0) throw new KsecError('the Secret has no data to migrate', { file, object: ref, hint: 'nothing would be stored in AWS' });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const json = Object.create(null) as Record<string, string>; // keys from the Secret: `__proto__` is one like any other
  const base64Keys: string[] = [];
  for (const [k, v] of values) {
    try {
      json[k] = decoder.decode(v);
    } catch {
      json[k] = v.toString('base64');
      base64Keys.push(k);
    }
  }
  const awsName = `${options.prefix.replace(/\/+$/, '')}/${name}`;
  const keys = [...values.keys()];
  const data: DataEntry[] = keys.map((k) => ({
    secretKey: k,
    remoteRef: { key: awsName, property: gjsonPath([k]), ...(base64Keys.includes(k) ? { decodingStrategy: 'Base64' as const } : {}) },
  }));
  const labels = secret.metadata?.labels;
  const annotations = Object.fromEntries(Object.entries(secret.metadata?.annotations ?? {}).filter(([k]) => !SKIPPED_ANNOTATIONS.test(k)));
  const externalSecret = buildExternalSecret({
    apiVersion: options.apiVersion,
    name,
    namespace: secret.metadata?.namespace,
    store: options.store,
    refreshInterval: options.refreshInterval,
    target: {
      name,
      creationPolicy: 'Owner',
      deletionPolicy: 'Retain',
      templateType: secret.type && secret.type !== 'Opaque' ? secret.type : undefined,
      templateLabels: labels,
      templateAnnotations: annotations,
    },
    data,
  });
  return { ref, file, awsName, keys, base64Keys, payload: JSON.stringify(json), externalSecret };
}

/**
 * The Secrets among `objects`, in order, each with the path of its file:
 * plain Secrets as they are, SOPS files decrypted (once per file) with the
 * identities in `ageKeyFiles` (none: as sops finds them), SealedSecrets
 * unsealed with the keys in the `privateKeys` files. Any other kind, or no
 * Secret at all, is an error.
 */
export async function openSecrets(objects: readonly ManifestObject[], privateKeys: readonly string[], ageKeyFiles: readonly string[]): Promise<{ secret: Secret; file: string }[]> {
  const out: { secret: Secret; file: string }[] = [];
  let ring: import('../seal/unseal.js').KeyRing | undefined;
  let unseal: typeof import('../seal/unseal.js') | undefined;
  const decrypted = new Map<string, unknown[]>();
  for (const entry of objects) {
    const { object, file } = entry;
    if (isSopsFile(object)) {
      // a SOPS-encrypted Secret is still kind: Secret, its values ENC[...]: decrypt the whole file once
      let docs = decrypted.get(file.path);
      if (!docs) {
        const { decryptSopsFile } = await import('../sops/decrypt.js');
        docs = (await decryptSopsFile({ text: file.text }, { path: file.path, format: file.format, keyFiles: ageKeyFiles.length ? [...ageKeyFiles] : undefined })).data;
        decrypted.set(file.path, docs);
      }
      let plain = docs[entry.document.index];
      if (entry.item !== undefined) plain = isRecord(plain) && Array.isArray(plain.items) ? plain.items[entry.item] : Array.isArray(plain) ? plain[entry.item] : undefined;
      if (isRecord(plain)) delete plain.sops;
      if (!isSecret(plain)) {
        throw new KsecError(`expected a Secret in the SOPS file, found ${isRecord(plain) ? String(plain.kind) : 'nothing'}`, { file: file.path, object: objectRef(object) });
      }
      out.push({ secret: plain, file: file.path });
    } else if (isSecret(object)) {
      out.push({ secret: object, file: file.path });
    } else if (isSealedSecret(object)) {
      if (privateKeys.length === 0) {
        throw new KsecError("a SealedSecret needs the controller's private key to migrate", { file: file.path, object: objectRef(object), hint: 'pass --private-key FILE' });
      }
      if (!ring || !unseal) {
        unseal = await import('../seal/unseal.js');
        const { loadPrivateKeys } = await import('../seal/keys.js');
        ring = new unseal.KeyRing((await loadPrivateKeys([...privateKeys])).map((k) => k.key));
      }
      try {
        out.push({ secret: unseal.unsealSealedSecret(object, ring), file: file.path });
      } catch (err) {
        throw err instanceof KsecError ? err.within({ file: file.path }) : err;
      }
    } else {
      throw new KsecError(`expected a Secret or SealedSecret, found ${object.kind}`, { file: file.path, object: objectRef(object), hint: 'give only Secret manifests' });
    }
  }
  if (out.length === 0) throw new KsecError('no Secrets found in the input', { hint: 'give Secret manifests with -f' });
  return out;
}

function isSopsFile(object: KubeObject): boolean {
  return typeof object === 'object' && object !== null && 'sops' in object;
}
