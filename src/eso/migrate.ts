/**
 * `ksec eso migrate`: the way off committed Secrets. Each plain Secret (or
 * SOPS-encrypted Secret, decrypted with age keys found as sops finds them, or
 * SealedSecret, opened with the controller's private key) becomes one AWS
 * secret `PREFIX/NAME` holding a JSON object of its keys, and the
 * ExternalSecret that recreates the same Secret from it. Values go from the
 * manifest to PutSecretValue and nowhere else; `--dry-run` prints key names
 * only and makes no AWS call. A value that is not UTF-8 is stored base64 and
 * read back with `decodingStrategy: Base64`, so binary keys survive.
 */
import { KsecError } from '../errors.js';
import { note } from '../terminal/messages.js';
import { isRecord, isSealedSecret, isSecret, objectRef, type Secret } from '../manifest/objects.js';
import { readObjects, type ManifestObject } from '../manifest/read.js';
import { renderYaml, writeFileAtomic } from '../manifest/write.js';
import { writeStdout } from '../terminal/output.js';
import { buildExternalSecret, STORE_KINDS, type DataEntry, type EsoApiVersion, type StoreRef } from './manifests.js';
import { findCollisions, gjsonPath } from './naming.js';
import { apiVersionFlag, dnsName, goDuration, keyValues, oneOf } from './options.js';
import type { KubeObject } from '../manifest/objects.js';

export interface MigrateFlags {
  filename: string[];
  path: string;
  store: string;
  storeKind: string;
  privateKey?: string[];
  ageKeyFile?: string[];
  tag?: string[];
  refreshInterval: string;
  apiVersion: string;
  dryRun?: boolean;
  output?: string;
  region?: string;
  profile?: string;
  endpointUrl?: string;
}

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
    values.set(k, Buffer.from(v, 'base64'));
  }
  for (const [k, v] of Object.entries(secret.stringData ?? {})) if (typeof v === 'string') values.set(k, Buffer.from(v, 'utf8'));
  if (values.size === 0) throw new KsecError('the Secret has no data to migrate', { file, object: ref, hint: 'nothing would be stored in AWS' });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const json: Record<string, string> = {};
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

export async function runMigrate(flags: MigrateFlags): Promise<void> {
  const apiVersion = apiVersionFlag(flags.apiVersion);
  const store: StoreRef = { name: dnsName(flags.store, '--store'), kind: oneOf(flags.storeKind, STORE_KINDS, '--store-kind') };
  const refreshInterval = goDuration(flags.refreshInterval, '--refresh-interval');
  const prefix = flags.path.trim();
  if (prefix === '' || prefix === '/') throw new KsecError('--path must name a prefix', { hint: 'e.g. --path myapp/production' });
  const tags = Object.entries({ 'managed-by': 'ksec', ...keyValues(flags.tag, '--tag') }).map(([Key, Value]) => ({ Key, Value }));

  const objects = await readObjects(flags.filename);
  const secrets = await secretsOf(objects, flags.privateKey ?? [], flags.ageKeyFile ?? []);
  const items = secrets.map(({ secret, file }) => planMigration(secret, file, { prefix, store, refreshInterval, apiVersion }));
  for (const c of findCollisions(items, (i) => i.awsName)) {
    throw new KsecError(`${c.sources.map((i) => i.ref).join(' and ')} would both be stored as "${c.name}"`, {
      hint: 'migrate them with different --path prefixes (e.g. one per namespace)',
    });
  }

  if (flags.dryRun) {
    for (const i of items) {
      const b64 = i.base64Keys.length ? ` (stored base64: ${i.base64Keys.join(', ')})` : '';
      note(`would create or update AWS secret ${i.awsName} from ${i.ref} with keys: ${i.keys.join(', ')}${b64}; tags: ${tags.map((t) => `${t.Key}=${t.Value}`).join(', ')}`);
    }
  } else {
    const { openSession, upsertSecret } = await import('./aws.js');
    const session = openSession({ region: flags.region, profile: flags.profile, endpoint: flags.endpointUrl });
    for (const i of items) {
      const result = await upsertSecret(session, i.awsName, i.payload, [...tags, { Key: 'ksec.io/migrated-from', Value: i.ref }]);
      note(`${result} AWS secret ${i.awsName} from ${i.ref} (${i.keys.length} keys)`);
    }
  }
  const text = renderYaml(items.map((i) => i.externalSecret));
  if (flags.output) await writeFileAtomic(flags.output, text);
  else await writeStdout(text);
  if (!flags.dryRun) note('next: commit the ExternalSecrets, then delete the Secret manifests from the repository');
}

async function secretsOf(objects: ManifestObject[], privateKeys: string[], ageKeyFiles: string[]): Promise<{ secret: Secret; file: string }[]> {
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
        docs = (await decryptSopsFile({ text: file.text }, { path: file.path, format: file.format, keyFiles: ageKeyFiles.length ? ageKeyFiles : undefined })).data;
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
        ring = new unseal.KeyRing((await loadPrivateKeys(privateKeys)).map((k) => k.key));
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
