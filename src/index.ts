/** ksec's public library API: everything the CLI does is a function here. */
export { KsecError, ExitCode, formatError, isKsecError } from './errors.js';
export * from './manifest/objects.js';
export {
  readManifestFiles,
  readManifestFile,
  readObjects,
  parseManifestText,
  objectsOf,
  expandPaths,
  type ManifestFile,
  type ManifestDocument,
  type ManifestObject,
  type ManifestFormat,
} from './manifest/read.js';
export { render, renderJson, renderYaml, toYaml, writeFileAtomic, writeFilesAtomic } from './manifest/write.js';
export { decryptSopsFile, parseSopsText, decryptDocument, toPlain, type SopsFormat, type DecryptedSops, type DecryptOptions } from './sops/decrypt.js';
export { renderSops } from './sops/render.js';
export { sopsStatus, type SopsStatus, type SopsProblem } from './sops/status.js';
export { findIdentities } from './sops/keys.js';
export { parseIdentities, type AgeIdentity } from './sops/age.js';
export { configHash, reloaderHash, kustomizeHash, combinedHash, producedObject, type HashEntry, type ReloaderDigest } from './config-hash/hash.js';
export { podTemplateOf, findReferences, type ConfigReference, type PodTemplate } from './config-hash/references.js';
export { planStamps, applyStamps, annotateFiles, STAMP_ANNOTATION, SOURCES_ANNOTATION, type WorkloadStamp } from './config-hash/annotate.js';
export { hybridEncrypt, hybridDecrypt, parseHybridCiphertext, type HybridParts } from './seal/hybrid.js';
export { scopeOf, labelFor, annotationsFor, parseScope, withScopeAnnotations, type SealingScope } from './seal/scope.js';
export {
  loadCertificate,
  parseCertificate,
  publicKeyFingerprint,
  fetchControllerCertificate,
  type SealingCertificate,
  type ControllerRef,
} from './seal/cert.js';
export { sealSecret, sealRaw, mergeInto, prepareSeal, finishSeal, type SealOptions, type SealPlan, type MergeResult } from './seal/sealed-secret.js';
export { renderSealedSecrets, renderSealedSecretJson, renderSealedSecretYaml } from './seal/layout.js';
export { loadPrivateKeys, parsePrivateKeys, generateKeyPair, selfSignedCertificate, keySecret, parseDuration, SEALED_SECRETS_KEY_LABEL, type LoadedPrivateKey, type GeneratedKeyPair } from './seal/keys.js';
export { KeyRing, unsealSealedSecret, unsealSealedSecrets, unsealTarget, type UnsealOptions, type UnsealTarget } from './seal/unseal.js';
export { reencryptFiles, type ReencryptOptions, type ReencryptedFile } from './seal/reencrypt.js';
export { validateSealedSecret, type ValidationProblem, type ValidateOptions } from './seal/validate.js';
export { encryptMany, decryptMany, closePool, type EncryptJob, type DecryptJob, type DecryptResult, type PoolOptions } from './seal/pool.js';
export { scan, scanText, failsAt, type ScanOptions } from './scan/scan.js';
export { pathSource, stagedSource, rangeSource, historySource, type Source, type SourceFile } from './scan/sources.js';
export { ALL_RULES, selectRules } from './scan/rules/index.js';
export { renderSarif } from './scan/report/sarif.js';
export type { Finding, RuleInfo, ScanResult, ScanError, Severity } from './scan/types.js';
export * from './eso/index.js';
export { ANN as RELOADER_ANNOTATIONS, KSEC_ANN as WATCH_ANNOTATIONS, triggersOf, decide, reloaderEnvName, type ConfigRecord, type WorkloadRecord, type Decision } from './watch/policy.js';
