/**
 * Offline unsealing: SealedSecret -> Secret with the controller's private
 * keys, as the controller (and `kubeseal --recovery-unseal`) does it:
 *
 * - the label comes from the SealedSecret's own metadata (namespace, name and
 *   its scope annotations), so a SealedSecret renamed or moved to another
 *   namespace does not open under strict scope;
 * - every key is tried for every value;
 * - the Secret gets the template's metadata, type and immutable, the
 *   SealedSecret's name and namespace, the decrypted `encryptedData` and the
 *   template's `data` (plain values and `{{ .key }}` references; other
 *   template functions need the controller).
 *
 * Unlike the controller, no ownerReference is added: offline there is no UID.
 * When no key opens a value, the failure is diagnosed (scope, namespace/name,
 * key, tampering) without ever printing a value.
 */
import type { KeyObject } from 'node:crypto';
import { KsecError } from '../errors.js';
import { inputRecord, isRecord, isSealedSecret, objectRef, type SealedSecret, type Secret } from '../manifest/objects.js';
import { parseHybridCiphertext } from './hybrid.js';
import { decryptBatch, type DecryptResult } from './pool-jobs.js';
import { labelFor, scopeOf, SCOPES, type SealingScope } from './scope.js';
import { decodeStrictBase64 } from './wire.js';

/** Where a SealedSecret will be unsealed, which fixes its label. */
export interface UnsealTarget {
  namespace: string;
  name: string;
  scope: SealingScope;
  label: Buffer;
}

/**
 * The label a SealedSecret opens with. `fallbackNamespace` stands in for a
 * missing metadata.namespace (the namespace it will be applied in).
 */
export function unsealTarget(ss: SealedSecret, fallbackNamespace?: string): UnsealTarget {
  const scope = scopeOf(ss.metadata);
  const name = ss.metadata?.name ?? '';
  const namespace = ss.metadata?.namespace ?? fallbackNamespace ?? '';
  if (scope !== 'cluster-wide' && namespace === '') {
    throw new KsecError(`metadata.namespace is not set and the scope is ${scope}`, {
      object: objectRef(ss),
      hint: 'pass -n NAMESPACE: the namespace it is applied in is part of the sealing label',
    });
  }
  if (scope === 'strict' && name === '') {
    throw new KsecError('metadata.name is not set and the scope is strict', {
      object: objectRef(ss),
      hint: 'the name is part of the strict sealing label',
    });
  }
  return { namespace, name, scope, label: labelFor(scope, namespace, name) };
}

/** The private keys to try, the one that worked last first (most files use one key). */
export class KeyRing {
  private readonly keys: KeyObject[];

  constructor(keys: readonly KeyObject[]) {
    if (keys.length === 0) throw new KsecError('no private key given', { hint: 'pass --private-key FILE' });
    this.keys = [...keys];
  }

  /** The plaintext, or undefined when no key opens it with this label. Structural damage throws. */
  tryDecrypt(ciphertext: Buffer, label: Buffer): Buffer | undefined {
    return this.tryOpen(ciphertext, label)?.plain;
  }

  /** Like tryDecrypt, and says which key opened it. */
  tryOpen(ciphertext: Buffer, label: Buffer): { plain: Buffer; key: KeyObject } | undefined {
    return this.settle(decryptBatch(this.keys, [{ ciphertext, label }])[0]!);
  }

  /** Turns a decrypt job's result (from here or a pool worker that got `keys`) into the plaintext, undefined or an error. */
  settle(result: DecryptResult, keys: readonly KeyObject[] = this.keys): { plain: Buffer; key: KeyObject } | undefined {
    switch (result.status) {
      case 'opened': {
        const key = keys[result.keyIndex]!;
        const i = this.keys.indexOf(key);
        if (i > 0) this.keys.unshift(...this.keys.splice(i, 1));
        return { plain: result.plaintext, key };
      }
      case 'no-key':
        return undefined;
      case 'tampered':
        throw new KsecError('the key opens the session key but the AES-GCM tag does not verify: the value was truncated or tampered with', {
          hint: 're-seal the value',
        });
      case 'invalid':
        throw new KsecError(result.message, { hint: 'the value is truncated or not a sealed value' });
    }
  }

  /** The keys in the order they are tried now (hand these to a pool job, then settle() its results with them). */
  get order(): readonly KeyObject[] {
    return [...this.keys];
  }

  /**
   * The outcome of one decrypt job for `encryptedData[key]` of `ss` (run
   * inline or by the pool with `keys`): the plaintext and the key that opened
   * it, or one line saying why not (names the key, never a value).
   */
  settleValue(
    result: DecryptResult,
    keys: readonly KeyObject[],
    job: { ss: SealedSecret; target: UnsealTarget; key: string; ciphertext: Buffer; file?: string },
  ): { plain: Buffer; key: KeyObject } {
    const where = { file: job.file, object: objectRef(job.ss) };
    let opened: { plain: Buffer; key: KeyObject } | undefined;
    try {
      opened = this.settle(result, keys);
    } catch (err) {
      if (err instanceof KsecError) throw new KsecError(`encryptedData.${job.key}: ${err.message}`, { ...where, hint: err.hint });
      throw err;
    }
    if (opened) return opened;
    const why = this.explainFailure(job.ciphertext, job.target, job.ss);
    throw new KsecError(`encryptedData.${job.key}: ${why.message}`, { ...where, hint: why.hint });
  }

  /** Why no key opens `bytes` for `target` (costs a few more private-key operations; for errors only). */
  explainFailure(bytes: Buffer, target: UnsealTarget, ss: SealedSecret): { message: string; hint: string } {
    for (const candidate of alternativeTargets(target, ss)) {
      if (this.quietly(bytes, candidate.label)) {
        return {
          message: `sealed for ${describe(candidate)}, but this SealedSecret unseals as ${describe(target)}`,
          hint: 'its name, namespace or scope annotation changed after sealing: restore them or re-seal for the new place',
        };
      }
    }
    const bits = parseHybridCiphertext(bytes).rsaLength * 8;
    if (!this.keys.some((k) => modulusBytes(k) * 8 === bits)) {
      return {
        message: `sealed with a ${bits}-bit key; none of the ${this.keys.length} private key(s) has that size`,
        hint: 'use the private key of the controller that sealed it',
      };
    }
    return {
      message: `none of the ${this.keys.length} private key(s) opens it as ${describe(target)}`,
      hint: 'wrong key (use the sealing controller\'s keys: kubectl get secret -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml), sealed for another namespace/name, or the RSA part was tampered with',
    };
  }

  private quietly(bytes: Buffer, label: Buffer): boolean {
    try {
      return this.tryDecrypt(bytes, label) !== undefined;
    } catch {
      return false;
    }
  }
}

function modulusBytes(key: KeyObject): number {
  return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

function describe(target: Pick<UnsealTarget, 'scope' | 'namespace' | 'name'>): string {
  if (target.scope === 'cluster-wide') return 'cluster-wide scope';
  if (target.scope === 'namespace-wide') return `namespace-wide scope in namespace "${target.namespace}"`;
  return `strict scope as "${target.namespace}/${target.name}"`;
}

/** Other places the value may have been sealed for: the other scopes, and the template's namespace/name. */
function alternativeTargets(target: UnsealTarget, ss: SealedSecret): UnsealTarget[] {
  const tmeta = ss.spec?.template?.metadata;
  const places = [{ namespace: target.namespace, name: target.name }];
  if (tmeta && (tmeta.namespace || tmeta.name)) {
    places.push({ namespace: tmeta.namespace ?? target.namespace, name: tmeta.name ?? target.name });
  }
  const out: UnsealTarget[] = [];
  const seen = new Set([target.label.toString('utf8') + '\0' + target.scope]);
  for (const place of places) {
    for (const scope of SCOPES) {
      const label = labelFor(scope, place.namespace, place.name);
      const id = label.toString('utf8') + '\0' + scope;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({ ...place, scope, label });
    }
  }
  return out;
}

export interface UnsealOptions {
  /** namespace for a SealedSecret without metadata.namespace */
  namespace?: string;
}

/** One sealed value to open: the pool job and where it came from. */
export interface ValueJob {
  /** the file the SealedSecret is in, for messages */
  file?: string;
  ss: SealedSecret;
  target: UnsealTarget;
  key: string;
  ciphertext: Buffer;
  label: Buffer;
}

/**
 * The decrypt jobs for every value of a SealedSecret. Checks the object and
 * the base64 of each value first, so the RSA work starts only on sound input.
 */
export function valueJobs(
  value: unknown,
  options: UnsealOptions = {},
  file?: string,
): { ss: SealedSecret; target: UnsealTarget; jobs: ValueJob[] } {
  let ss: SealedSecret;
  let target: UnsealTarget;
  try {
    ss = asSealedSecret(value);
    target = unsealTarget(ss, options.namespace);
  } catch (err) {
    throw err instanceof KsecError && file ? err.within({ file }) : err;
  }
  const jobs: ValueJob[] = [];
  for (const [key, v] of Object.entries(ss.spec.encryptedData ?? {})) {
    const ciphertext = decodeStrictBase64(v);
    if (!ciphertext) {
      throw new KsecError(`encryptedData.${key} is not valid base64`, {
        file,
        object: objectRef(ss),
        hint: 'the value was damaged (line-wrapped, cut or edited)',
      });
    }
    jobs.push({ file, ss, target, key, ciphertext, label: target.label });
  }
  return { ss, target, jobs };
}

/** Runs decrypt jobs on the calling thread (the pool's decryptMany has the same shape). */
export type DecryptRunner = (keys: KeyObject[], jobs: { ciphertext: Buffer; label: Buffer }[]) => Promise<DecryptResult[]>;

export const decryptInline: DecryptRunner = async (keys, jobs) => decryptBatch(keys, jobs);

/** Opens every job with `ring`, through `run` (inline by default, or the worker pool). Throws on the first failure. */
export async function openValues(
  jobs: ValueJob[],
  ring: KeyRing,
  run: DecryptRunner = decryptInline,
): Promise<{ plain: Buffer; key: KeyObject }[]> {
  const keys = [...ring.order];
  const results = await run(keys, jobs);
  return results.map((result, i) => ring.settleValue(result, keys, jobs[i]!));
}

/** The Secrets a list of SealedSecrets unseals to, decrypted with `ring` (bulk RSA through `run`). */
export async function unsealSealedSecrets(
  values: { object: unknown; file?: string }[],
  ring: KeyRing,
  options: UnsealOptions = {},
  run: DecryptRunner = decryptInline,
): Promise<Secret[]> {
  const plans = values.map((v) => valueJobs(v.object, options, v.file));
  const opened = await openValues(
    plans.flatMap((p) => p.jobs),
    ring,
    run,
  );
  let next = 0;
  return plans.map(({ ss, target, jobs }) => {
    const data = inputRecord<Buffer>();
    for (const job of jobs) data[job.key] = opened[next++]!.plain;
    return secretFrom(ss, target, data);
  });
}

/** The Secret one SealedSecret unseals to (all on this thread). */
export function unsealSealedSecret(value: unknown, ring: KeyRing, options: UnsealOptions = {}): Secret {
  const { ss, target, jobs } = valueJobs(value, options);
  const keys = [...ring.order];
  const results = decryptBatch(keys, jobs);
  const data = inputRecord<Buffer>();
  jobs.forEach((job, i) => (data[job.key] = ring.settleValue(results[i]!, keys, job).plain));
  return secretFrom(ss, target, data);
}

/** The SealedSecret in `value`, or a clear error. */
export function asSealedSecret(value: unknown): SealedSecret {
  if (!isSealedSecret(value)) {
    const kind = isRecord(value) && typeof value.kind === 'string' ? value.kind : 'object';
    throw new KsecError(`expected a SealedSecret (bitnami.com/v1alpha1), found ${kind}`, {
      object: isRecord(value) ? objectRef(value) : undefined,
      hint: 'give a SealedSecret manifest',
    });
  }
  if (!isRecord(value.spec)) {
    throw new KsecError('the SealedSecret has no spec', { object: objectRef(value), hint: 'it needs spec.encryptedData' });
  }
  if (value.spec.data !== undefined && value.spec.data !== null) {
    throw new KsecError('spec.data is the pre-v0.7 single-blob format, which ksec does not read', {
      object: objectRef(value),
      hint: 're-seal the Secret with ksec seal or kubeseal',
    });
  }
  if (value.spec.encryptedData !== undefined && !isRecord(value.spec.encryptedData)) {
    throw new KsecError('spec.encryptedData is not a map', { object: objectRef(value), hint: 'it maps keys to sealed values' });
  }
  return value;
}

const TEMPLATE_REF = /\{\{\s*(?:\.([A-Za-z_][A-Za-z0-9_]*)|index\s+\.\s+"([^"\\]*)")\s*\}\}/g;

/** `{{ .key }}` and `{{ index . "key" }}` from the decrypted values; anything else needs the controller. */
function expandTemplate(template: string, values: Record<string, string>, ss: SealedSecret, key: string): string {
  let missing: string | undefined;
  const out = template.replace(TEMPLATE_REF, (_m, dotted: string | undefined, indexed: string | undefined) => {
    const ref = (dotted ?? indexed)!;
    if (!Object.hasOwn(values, ref)) missing ??= ref;
    return Object.hasOwn(values, ref) ? values[ref]! : '';
  });
  if (missing !== undefined) {
    throw new KsecError(`template.data.${key} refers to "${missing}", which is not in encryptedData`, {
      object: objectRef(ss),
      hint: 'add the key to encryptedData or fix the template',
    });
  }
  if (out.includes('{{')) {
    throw new KsecError(`template.data.${key} uses template functions that ksec does not evaluate offline`, {
      object: objectRef(ss),
      hint: 'only {{ .key }} and {{ index . "key" }} are expanded offline; the controller evaluates the rest',
    });
  }
  return out;
}

/** The Secret: template metadata, the decrypted values, then template.data expanded from them. */
function secretFrom(ss: SealedSecret, target: UnsealTarget, data: Record<string, Buffer>): Secret {
  const template = ss.spec.template ?? {};
  const strings = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('utf8')]));
  for (const [key, text] of Object.entries(template.data ?? {})) {
    data[key] = Buffer.from(expandTemplate(text, strings, ss, key), 'utf8');
  }
  const metadata: Record<string, unknown> = { ...(template.metadata ?? {}) };
  delete metadata.creationTimestamp;
  metadata.name = ss.metadata?.name ?? target.name;
  if (target.namespace !== '') metadata.namespace = target.namespace;
  else delete metadata.namespace;
  const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata };
  if (template.immutable !== undefined) secret.immutable = template.immutable;
  secret.type = template.type ?? 'Opaque';
  secret.data = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('base64')]));
  return secret;
}
