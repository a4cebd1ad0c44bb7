/**
 * Offline checks of a SealedSecret, without the controller:
 *
 * - shape: kind/apiVersion, spec, encryptedData a map of strings, no
 *   pre-v0.7 `spec.data`, a name;
 * - every value: strict standard base64, a length prefix that fits the value
 *   (uint16be(len(rsa)) || rsa || aes+16-byte tag), and an RSA part as long
 *   as the certificate's modulus (with a certificate) or as some plausible
 *   RSA modulus (1024..8192 bits, without);
 * - scope: the SealedSecret's annotations (which pick the unsealing label)
 *   and the template's (which the Secret gets) declare the same scope, and a
 *   scope annotation that is present counts (only "true" does);
 * - with private keys: every value opens with one of them for the label the
 *   controller will use (see unseal.ts), or why not.
 *
 * Problems name the key and never carry a value.
 */
import type { KeyObject } from 'node:crypto';
import { KsecError } from '../errors.js';
import { isRecord, isSealedSecret, type SealedSecret } from '../manifest/objects.js';
import { GCM_TAG_BYTES } from './hybrid.js';
import { CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION, scopeOf } from './scope.js';
import { decodeBase64, KeyRing, unsealTarget, type UnsealTarget } from './unseal.js';

export interface ValidationProblem {
  /** the encryptedData key the problem is in, when it is in one */
  key?: string;
  /** stable identifier, e.g. `bad-base64` */
  code: string;
  message: string;
}

export interface ValidateOptions {
  /** the sealing certificate: value lengths must match its modulus */
  certificate?: { publicKey: KeyObject };
  /** controller private keys: every value must open with one */
  privateKeys?: readonly KeyObject[];
  /** namespace for a SealedSecret without metadata.namespace (where it will be applied) */
  namespace?: string;
}

/** RSA moduli sealed-secrets users run with (the controller's `--key-size`), in bytes. */
const PLAUSIBLE_RSA_BYTES = new Set([128, 256, 384, 512, 768, 1024]);

export function validateSealedSecret(obj: unknown, options: ValidateOptions = {}): ValidationProblem[] {
  if (!isSealedSecret(obj)) {
    const kind = isRecord(obj) && typeof obj.kind === 'string' ? obj.kind : 'not an object';
    return [{ code: 'not-sealed-secret', message: `expected a SealedSecret (bitnami.com/v1alpha1), found ${kind}` }];
  }
  if (!isRecord(obj.spec)) return [{ code: 'no-spec', message: 'spec is missing' }];
  const problems: ValidationProblem[] = [];
  if (!obj.metadata?.name) problems.push({ code: 'no-name', message: 'metadata.name is missing' });
  if (obj.spec.data !== undefined && obj.spec.data !== null) {
    problems.push({ code: 'deprecated-data', message: 'spec.data is the pre-v0.7 single-blob format, which current controllers refuse' });
  }
  const encrypted: unknown = obj.spec.encryptedData;
  if (encrypted === undefined || encrypted === null) {
    problems.push({ code: 'no-encrypted-data', message: 'spec.encryptedData is missing (the CRD requires it)' });
  } else if (!isRecord(encrypted)) {
    problems.push({ code: 'encrypted-data-not-map', message: 'spec.encryptedData is not a map' });
  }
  problems.push(...scopeProblems(obj));
  const values = isRecord(encrypted) ? Object.entries(encrypted) : [];
  const expectedBytes = modulusBytes(options.certificate?.publicKey);
  const intact: [string, Buffer][] = [];
  for (const [key, value] of values) {
    const problem = valueProblem(value, expectedBytes);
    if (problem) problems.push({ key, ...problem });
    else intact.push([key, decodeBase64(value)!]);
  }
  if (options.privateKeys && options.privateKeys.length > 0 && intact.length > 0) {
    problems.push(...decryptProblems(obj, intact, new KeyRing(options.privateKeys), options.namespace));
  }
  return problems;
}

function valueProblem(value: unknown, expectedBytes: number | undefined): Omit<ValidationProblem, 'key'> | undefined {
  if (typeof value !== 'string') return { code: 'not-a-string', message: 'the sealed value is not a string' };
  const bytes = decodeBase64(value);
  if (!bytes) return { code: 'bad-base64', message: 'not valid standard base64 (damaged, line-wrapped or not sealed)' };
  if (bytes.length < 2) return { code: 'truncated', message: 'too short to hold the 2-byte length prefix' };
  const rsaLength = bytes.readUInt16BE(0);
  const aesLength = bytes.length - 2 - rsaLength;
  if (aesLength < GCM_TAG_BYTES) {
    return {
      code: 'truncated',
      message: `the length prefix says ${rsaLength} RSA bytes, but only ${bytes.length - 2} bytes follow it (need RSA part + a ${GCM_TAG_BYTES}-byte tag)`,
    };
  }
  if (expectedBytes !== undefined && rsaLength !== expectedBytes) {
    return {
      code: 'rsa-length-mismatch',
      message: `sealed with a ${rsaLength * 8}-bit key, but the certificate has a ${expectedBytes * 8}-bit key`,
    };
  }
  if (expectedBytes === undefined && !PLAUSIBLE_RSA_BYTES.has(rsaLength)) {
    return { code: 'implausible-rsa-length', message: `the length prefix says ${rsaLength} RSA bytes, which is no RSA key size` };
  }
  return undefined;
}

function scopeProblems(ss: SealedSecret): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const own = scopeOf(ss.metadata);
  const template = ss.spec.template?.metadata;
  const inTemplate = scopeOf(template ?? undefined);
  if (own !== inTemplate) {
    problems.push({
      code: 'scope-mismatch',
      message: `metadata declares ${own} scope but spec.template.metadata declares ${inTemplate}; the controller unseals with the metadata's`,
    });
  }
  for (const [where, annotations] of [
    ['metadata', ss.metadata?.annotations],
    ['spec.template.metadata', template?.annotations],
  ] as const) {
    for (const name of [CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION]) {
      const value = annotations?.[name];
      if (value !== undefined && value !== 'true' && value !== 'false') {
        problems.push({
          code: 'scope-annotation-ignored',
          message: `${where} annotation ${name} is "${value}", which the controller ignores (only "true" counts)`,
        });
      }
    }
  }
  return problems;
}

function decryptProblems(ss: SealedSecret, values: [string, Buffer][], ring: KeyRing, namespace?: string): ValidationProblem[] {
  let target: UnsealTarget;
  try {
    target = unsealTarget(ss, namespace);
  } catch (err) {
    if (err instanceof KsecError) return [{ code: 'no-unseal-target', message: `cannot check decryption: ${err.message}` }];
    throw err;
  }
  const problems: ValidationProblem[] = [];
  for (const [key, bytes] of values) {
    try {
      const plain = ring.tryDecrypt(bytes, target.label);
      if (plain) {
        plain.fill(0);
        continue;
      }
      problems.push({ key, code: 'decrypt-failed', message: ring.explainFailure(bytes, target, ss).message });
    } catch (err) {
      if (!(err instanceof KsecError)) throw err;
      problems.push({ key, code: 'tampered', message: err.message });
    }
  }
  return problems;
}

function modulusBytes(key: KeyObject | undefined): number | undefined {
  const bits = key?.asymmetricKeyDetails?.modulusLength;
  return bits ? Math.ceil(bits / 8) : undefined;
}
