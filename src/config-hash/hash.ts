/**
 * The hash functions of `ksec checksum` and `ksec watch`, in one place for
 * their callers. Every function is pure and takes a plain object (as parsed
 * from YAML/JSON or returned by the Kubernetes API). Hash inputs (config
 * values, decoded secrets) are never logged nor put in an error.
 *
 * - kinds.ts: which objects are hashed and what they produce in the cluster;
 * - content.ts: which bytes of a ConfigMap/Secret count;
 * - ksec-hash.ts: configHash, ksec's own canonical sha256;
 * - reloader.ts: reloaderHash, stakater Reloader's value, bit for bit;
 * - kustomize.ts: kustomizeHash, the 10-character suffix `kustomize build` appends;
 * - stamp.ts: combinedHash, a workload's list of per-object hashes as one stamp.
 */
export { HASHABLE_KINDS, hashableKind, isHashable, producedObject, type HashableKind } from './kinds.js';
export { decodeBase64IgnoringWhitespace, secretBytes } from './content.js';
export { canonicalJson, configHash } from './ksec-hash.js';
export { reloaderHash, type ReloaderDigest, type ReloaderHashOptions } from './reloader.js';
export { kustomizeHash, kustomizeSuffix } from './kustomize.js';
export { combinedHash, type HashEntry } from './stamp.js';
export { compareCodePoints } from '../go/strings.js';
