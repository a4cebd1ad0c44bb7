/**
 * The checks of a SealedSecret that need no key, and so no crypto (ksec scan
 * runs them on every SealedSecret it meets; validate.ts adds decryption):
 *
 * - shape: kind/apiVersion, spec, encryptedData a map of strings, no
 *   pre-v0.7 `spec.data`, a name;
 * - every value: strict standard base64, a length prefix that fits the value
 *   (uint16be(len(rsa)) || rsa || aes+16-byte tag), and an RSA part as long
 *   as the certificate's modulus (with a certificate) or as some plausible
 *   RSA modulus (1024..8192 bits, without);
 * - scope: the SealedSecret's annotations (which pick the unsealing label)
 *   and the template's (which the Secret gets) declare the same scope, and a
 *   scope annotation that is present counts (only "true" does).
 *
 * Problems name the key and never carry a value.
 */
import type { KeyObject } from 'node:crypto';
import { isRecord, isSealedSecret, type SealedSecret } from '../manifest/objects.js';
import { CLUSTER_WIDE_ANNOTATION, NAMESPACE_WIDE_ANNOTATION, scopeOf } from './scope.js';
import { decodeStrictBase64Binary, GCM_TAG_BYTES } from './wire.js';

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

/**
 * The problems found without a key, and the values that passed, decoded to
 * binary strings (one character a byte; for the decryption check).
 */
export function checkStructure(obj: unknown, options: ValidateOptions = {}): { problems: ValidationProblem[]; sealed?: SealedSecret; intact: [string, string][] } {
  if (!isSealedSecret(obj)) {
    const kind = isRecord(obj) && typeof obj.kind === 'string' ? obj.kind : 'not an object';
    return { problems: [{ code: 'not-sealed-secret', message: `expected a SealedSecret (bitnami.com/v1alpha1), found ${kind}` }], intact: [] };
  }
  if (!isRecord(obj.spec)) return { problems: [{ code: 'no-spec', message: 'spec is missing' }], intact: [] };
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
  const intact: [string, string][] = [];
  for (const [key, value] of values) {
    const checked = checkValue(value, expectedBytes);
    if ('binary' in checked) intact.push([key, checked.binary]);
    else problems.push({ key, ...checked });
  }
  return { problems, sealed: obj, intact };
}

/** The decoded value (a binary string), or what is wrong with it. */
function checkValue(value: unknown, expectedBytes: number | undefined): { binary: string } | Omit<ValidationProblem, 'key'> {
  if (typeof value !== 'string') return { code: 'not-a-string', message: 'the sealed value is not a string' };
  const binary = decodeStrictBase64Binary(value);
  if (binary === undefined) return { code: 'bad-base64', message: 'not valid standard base64 (damaged, line-wrapped or not sealed)' };
  if (binary.length < 2) return { code: 'truncated', message: 'too short to hold the 2-byte length prefix' };
  const rsaLength = (binary.charCodeAt(0) << 8) | binary.charCodeAt(1);
  const aesLength = binary.length - 2 - rsaLength;
  if (aesLength < GCM_TAG_BYTES) {
    return {
      code: 'truncated',
      message: `the length prefix says ${rsaLength} RSA bytes, but only ${binary.length - 2} bytes follow it (need RSA part + a ${GCM_TAG_BYTES}-byte tag)`,
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
  return { binary };
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

function modulusBytes(key: KeyObject | undefined): number | undefined {
  const bits = key?.asymmetricKeyDetails?.modulusLength;
  return bits ? Math.ceil(bits / 8) : undefined;
}
