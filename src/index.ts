/**
 * ksec's public library API: what a program needs to seal and unseal, decrypt SOPS files, generate
 * External Secrets, hash configuration and scan for plaintext secrets. Everything else in src/ is
 * private and may change between releases; test/unit/public-api.test.ts pins this list.
 */
export { KsecError, ExitCode, formatError, isKsecError } from './errors.js';
export type { KubeObject, Secret, SealedSecret } from './manifest/objects.js';
export {
  readManifestFiles,
  parseManifestText,
  objectsOf,
  type ManifestFile,
  type ManifestDocument,
  type ManifestObject,
  type ManifestFormat,
} from './manifest/read.js';
export { renderYaml, renderJson } from './manifest/write.js';

// Sealing (kubeseal's scheme) and the offline companions
export { loadCertificate, parseCertificate, publicKeyFingerprint, fetchControllerCertificate, type SealingCertificate, type ControllerRef } from './seal/cert.js';
export { scopeOf, parseScope, type SealingScope } from './seal/scope.js';
export { sealSecret, sealRaw, mergeInto, type SealOptions, type RawSealOptions, type MergeResult } from './seal/sealed-secret.js';
export { renderSealedSecrets } from './seal/layout.js';
export { hybridEncrypt, hybridDecrypt } from './seal/hybrid.js';
export { loadPrivateKeys, parsePrivateKeys, generateKeyPair, selfSignedCertificate, keySecret, type LoadedPrivateKey, type GeneratedKeyPair } from './seal/keys.js';
export { KeyRing, unsealSealedSecret, unsealSealedSecrets, type UnsealOptions } from './seal/unseal.js';
export { reencryptFiles, type ReencryptOptions, type ReencryptedFile } from './seal/reencrypt.js';
export { validateSealedSecret, type ValidationProblem, type ValidateOptions } from './seal/validate.js';

// SOPS + age
export { decryptSopsFile, parseSopsText, toPlain, type SopsFormat, type DecryptedSops, type DecryptOptions } from './sops/decrypt.js';
export { renderSops } from './sops/render.js';
export { sopsStatus, type SopsStatus, type SopsProblem } from './sops/status.js';
export { parseIdentities, type AgeIdentity } from './sops/age.js';

// External Secrets Operator manifests
export * from './eso/index.js';

// Config hashes and checksum stamps
export { configHash } from './config-hash/ksec-hash.js';
export { reloaderHash, type ReloaderDigest } from './config-hash/reloader.js';
export { kustomizeHash } from './config-hash/kustomize.js';
export { combinedHash, type HashEntry } from './config-hash/stamp.js';
export { podTemplateOf, findReferences, type ConfigReference, type PodTemplate } from './config-hash/references.js';
export { planStamps, applyStamps, annotateFiles, STAMP_ANNOTATION, SOURCES_ANNOTATION, type WorkloadStamp } from './config-hash/annotate.js';

// The CI guard
export { scan, scanText, failsAt, type ScanOptions } from './scan/scan.js';
export { pathSource } from './scan/sources/paths.js';
export { stagedSource } from './scan/sources/staged.js';
export { rangeSource } from './scan/sources/range.js';
export { historySource } from './scan/sources/history.js';
export type { Source, SourceFile } from './scan/sources/source.js';
export { ALL_RULES, selectRules } from './scan/rules/index.js';
export { renderSarif } from './scan/report/sarif.js';
export type { Finding, RuleInfo, ScanResult, ScanError, Severity } from './scan/types.js';
