/**
 * Secret -> SealedSecret, as kubeseal v0.36 builds it (pkg/kubeseal Seal and
 * v1alpha1.NewSealedSecret), and --merge-into. Sealing is split in two so the
 * RSA work can run in a worker pool: prepareSeal() decides everything and
 * lists the plaintexts, finishSeal() puts the ciphertexts in place.
 */
import type { KeyObject } from 'node:crypto';
import { KsecError } from '../errors.js';
import { isPaddedBase64 } from '../go/base64.js';
import { GoRawJson } from '../go/json.js';
import type { ManifestFormat } from '../manifest/read.js';
import type { ObjectMeta, SealedSecret, Secret } from '../manifest/objects.js';
import { isRecord, objectRef } from '../manifest/objects.js';
import { MetaFieldError, templateMeta } from './object-meta.js';
import { yamlRefusalOf, yamlRefusals } from './layout.js';
import { hybridEncrypt, hybridEncryptManyBase64 } from './hybrid.js';
import { annotationsFor, labelFor, scopeOf, withScopeAnnotations, type SealingScope } from './scope.js';

export const SEALED_SECRET_API_VERSION = 'bitnami.com/v1alpha1';

export interface SealOptions {
  /** RSA public key of the controller certificate */
  publicKey: KeyObject;
  /** --scope: overrides the input's scope annotations (default: read them, strict when absent) */
  scope?: SealingScope;
  /** --name: the sealed secret's name instead of the input's */
  name?: string;
  /** -n/--namespace: fills a missing namespace; an error when the input names another one */
  namespace?: string;
  /** namespace for an input without one when -n is not given (kubeconfig context); default "default" */
  defaultNamespace?: string;
  /** --allow-empty-data */
  allowEmptyData?: boolean;
  /** file the secret came from, for error messages */
  file?: string;
  /** the format of that file: kubeseal reads YAML through JSON with sorted keys, which shows in managedFields' fieldsV1 (default json: as written) */
  inputFormat?: ManifestFormat;
}

/** One value to encrypt; `plaintext` never leaves the process except to a worker thread. */
export interface SealItem {
  key: string;
  plaintext: Buffer;
}

export interface SealPlan {
  /** the SealedSecret with an empty encryptedData */
  sealed: SealedSecret;
  scope: SealingScope;
  label: Buffer;
  items: SealItem[];
}

const LAST_APPLIED = ['kubectl.kubernetes.io/last-applied-configuration', 'kubecfg.ksonnet.io/last-applied-configuration'];

export function prepareSeal(secret: Secret, options: Omit<SealOptions, 'publicKey'>): SealPlan {
  const where = { file: options.file, object: objectRef(secret) };
  const fail = (message: string, hint: string) => new KsecError(message, { ...where, hint });
  const meta: ObjectMeta = isRecord(secret.metadata) ? secret.metadata : {};

  const data = secret.data ?? {};
  const stringData = secret.stringData ?? {};
  if (!isRecord(data)) throw fail('data is not a map', 'data maps keys to base64 values');
  if (!isRecord(stringData)) throw fail('stringData is not a map', 'stringData maps keys to text values');
  if (Object.keys(data).length === 0 && Object.keys(stringData).length === 0 && !options.allowEmptyData) {
    throw fail('secret.data is empty in the input Secret', 'if that is intended, pass --allow-empty-data');
  }

  const name = options.name || meta.name;
  if (!name) throw fail('missing metadata.name in the input Secret', 'set metadata.name or pass --name');

  const annotations = stringMap(meta.annotations, 'metadata.annotations', fail);
  const scope = options.scope ?? scopeOf({ annotations });
  let namespace = meta.namespace ?? '';
  if (options.namespace && namespace && namespace !== options.namespace) {
    throw fail(
      `namespace mismatch: the input Secret is in namespace "${namespace}" but "${options.namespace}" was given`,
      'drop -n/--namespace or fix metadata.namespace',
    );
  }
  if (!namespace && scope !== 'cluster-wide') namespace = options.namespace || options.defaultNamespace || '';
  if (!namespace && scope !== 'cluster-wide') {
    throw fail(
      'secret must declare a namespace: it has no metadata.namespace, and neither -n nor the kubeconfig context gives one',
      'set metadata.namespace, pass -n/--namespace, or seal with --scope cluster-wide',
    );
  }
  if (!namespace && options.namespace) namespace = options.namespace;

  const items = new Map<string, Buffer>();
  for (const [key, value] of Object.entries(data)) items.set(key, decodeDataValue(key, value, fail));
  for (const [key, value] of Object.entries(stringData)) {
    if (value !== null && typeof value !== 'string') {
      throw fail(`stringData.${key} is not a string`, 'quote the value in YAML');
    }
    items.set(key, Buffer.from(value ?? '', 'utf8'));
  }

  let templateMetadata: ObjectMeta;
  try {
    templateMetadata = templateMeta(meta, name, namespace);
  } catch (e) {
    if (e instanceof MetaFieldError) throw fail(e.message, 'fix the field (kubeseal refuses it too); quote strings in YAML');
    throw e;
  }
  for (const entry of (templateMetadata.managedFields ?? []) as Record<string, unknown>[]) {
    if (entry.fieldsV1 !== undefined) entry.fieldsV1 = new GoRawJson(entry.fieldsV1, options.inputFormat === 'yaml');
  }
  const templateAnnotations = withScopeAnnotations(templateMetadata.annotations ?? {}, scope);
  for (const a of LAST_APPLIED) delete templateAnnotations[a];
  if (Object.keys(templateAnnotations).length > 0) templateMetadata.annotations = templateAnnotations;
  else delete templateMetadata.annotations;

  const template: SealedSecret['spec']['template'] = { metadata: templateMetadata };
  if (secret.type !== undefined && secret.type !== null && typeof secret.type !== 'string') throw fail('type is not a string', 'quote it in YAML');
  if (secret.type) template.type = secret.type;
  if (typeof secret.immutable === 'boolean') template.immutable = secret.immutable;

  const sealedMeta: ObjectMeta = { name };
  if (namespace) sealedMeta.namespace = namespace;
  const scopeAnnotations = annotationsFor(scope);
  if (Object.keys(scopeAnnotations).length > 0) sealedMeta.annotations = scopeAnnotations;

  const sealed: SealedSecret = {
    kind: 'SealedSecret',
    apiVersion: SEALED_SECRET_API_VERSION,
    metadata: sealedMeta,
    spec: { template, encryptedData: {} },
  };
  // -o yaml of a name, label, annotation or key that kubeseal cannot print as YAML fails at render time, with this error
  const probe = { ...sealed, spec: { ...sealed.spec, encryptedData: Object.fromEntries([...items.keys()].map((k) => [k, ''])) } };
  const refusal = yamlRefusalOf(probe);
  if (refusal) yamlRefusals.set(sealed, fail(`${refusal.field} ${refusal.problem}`, 'kubeseal -o yaml refuses it too; remove the character, or seal with -o json'));
  return {
    sealed,
    scope,
    label: labelFor(scope, namespace, name),
    items: [...items].map(([key, plaintext]) => ({ key, plaintext })),
  };
}

/** Puts the ciphertexts (in `plan.items` order; bytes, or already base64) into the plan's SealedSecret, keys sorted. */
export function finishSeal(plan: SealPlan, ciphertexts: (Uint8Array | string)[]): SealedSecret {
  const base64 = (c: Uint8Array | string) => (typeof c === 'string' ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength).toString('base64'));
  const pairs = plan.items.map((item, i) => [item.key, base64(ciphertexts[i]!)] as const);
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  plan.sealed.spec.encryptedData = Object.fromEntries(pairs);
  for (const item of plan.items) item.plaintext.fill(0);
  return plan.sealed;
}

/** Seals one Secret on this thread. */
export function sealSecret(secret: Secret, options: SealOptions): SealedSecret {
  const plan = prepareSeal(secret, options);
  return finishSeal(
    plan,
    hybridEncryptManyBase64(
      options.publicKey,
      plan.items.map((item) => item.plaintext),
      plan.items.map(() => plan.label),
    ),
  );
}

export interface RawSealOptions {
  publicKey: KeyObject;
  scope: SealingScope;
  name?: string;
  namespace?: string;
}

/** kubeseal --raw: one value, base64 output; strict needs name and namespace, namespace-wide a namespace. */
export function sealRaw(plaintext: Uint8Array, options: RawSealOptions): string {
  const { scope } = options;
  const namespace = options.namespace ?? '';
  const name = options.name ?? '';
  if (scope !== 'cluster-wide' && !namespace) {
    throw new KsecError(`must provide the --namespace flag with --raw and --scope ${scope}`, {
      hint: 'or use --scope cluster-wide',
    });
  }
  if (scope === 'strict' && !name) {
    throw new KsecError('must provide the --name flag with --raw and --scope strict', {
      hint: 'or use --scope namespace-wide / cluster-wide',
    });
  }
  return hybridEncrypt(options.publicKey, plaintext, labelFor(scope, namespace, name)).toString('base64');
}

export interface MergeResult {
  sealed: SealedSecret;
  /** keys whose ciphertext was replaced or added */
  updatedKeys: string[];
}

/**
 * --merge-into: seals `secret` with the existing SealedSecret's name, namespace
 * and scope, then replaces only those keys (and template labels/annotations
 * the secret sets). Every other ciphertext stays byte for byte.
 */
export function mergeInto(
  existing: SealedSecret,
  secret: Secret,
  options: SealOptions & { existingFile?: string },
): MergeResult {
  const where = { file: options.existingFile, object: objectRef(existing) };
  const existingScope = scopeOf(existing.metadata);
  if (options.scope && options.scope !== existingScope) {
    throw new KsecError(`--scope ${options.scope} differs from the existing SealedSecret's scope (${existingScope})`, {
      ...where,
      hint: 'a SealedSecret holds values of one scope; re-seal all keys into a new file to change it',
    });
  }
  const ns = existing.metadata?.namespace;
  const inputNs = secret.metadata?.namespace;
  if (ns && inputNs && inputNs !== ns) {
    throw new KsecError(`namespace mismatch: the input Secret is in namespace "${inputNs}" but the SealedSecret in "${ns}"`, {
      ...where,
      hint: 'seal into a SealedSecret of the same namespace',
    });
  }
  const name = existing.metadata?.name;
  if (!name) throw new KsecError('the existing SealedSecret has no metadata.name', { ...where, hint: 'fix the file' });
  const inputAnnotations = secret.metadata?.annotations ?? {};
  const update = sealSecret(
    { ...secret, metadata: { ...secret.metadata, namespace: ns ?? inputNs, annotations: withScopeAnnotations(inputAnnotations, existingScope) } },
    { ...options, name, namespace: undefined, scope: existingScope },
  );

  const merged = structuredClone(existing);
  merged.spec.encryptedData = { ...(merged.spec.encryptedData ?? {}), ...update.spec.encryptedData };
  const template = (merged.spec.template ??= {});
  const templateMeta = (template.metadata ??= {});
  const newMeta = update.spec.template?.metadata ?? {};
  if (newMeta.labels) templateMeta.labels = { ...(templateMeta.labels ?? {}), ...newMeta.labels };
  if (newMeta.annotations) templateMeta.annotations = { ...(templateMeta.annotations ?? {}), ...newMeta.annotations };
  return { sealed: merged, updatedKeys: Object.keys(update.spec.encryptedData ?? {}) };
}

function decodeDataValue(key: string, value: unknown, fail: (m: string, h: string) => KsecError): Buffer {
  if (value === null || value === undefined) return Buffer.alloc(0);
  if (typeof value !== 'string') throw fail(`data.${key} is not a base64 string`, 'put text in stringData, or base64-encode it');
  const compact = value.includes('\n') || value.includes('\r') ? value.replace(/[\r\n]/g, '') : value;
  if (!isPaddedBase64(compact)) {
    throw fail(`data.${key} is not valid base64`, 'values under data are base64; put plain text under stringData');
  }
  return Buffer.from(compact, 'base64');
}

function stringMap(
  value: unknown,
  field: string,
  fail: (m: string, h: string) => KsecError,
): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw fail(`${field} is not a map`, `${field} maps names to strings`);
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(value)) {
    // a null value reads as "" (Go's map[string]string), as kubeseal reads it
    if (v !== null && typeof v !== 'string') throw fail(`${field}.${k} is not a string`, 'quote the value in YAML');
    out[k] = v ?? '';
  }
  return out;
}
