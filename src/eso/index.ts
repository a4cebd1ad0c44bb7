/** The library surface of `ksec eso`. Nothing here loads the AWS SDK until `discoverAwsSecrets` runs. */
export {
  buildExternalSecret,
  buildSecretStore,
  buildKustomization,
  type ExternalSecretInput,
  type SecretStoreInput,
  type AwsAuth,
  type StoreRef,
  type EsoApiVersion,
} from './manifests.js';
export {
  generateExternalSecrets,
  sourceFromShape,
  type GenerateOptions,
  type GenerateResult,
  type SecretSource,
  type SecretShape,
} from './generate.js';
export { externalSecretProblems } from './validate.js';
export { parseYamlSpec, parseCsvSpec, readSpecFile, type Spec } from './spec.js';
export { planMigration, type MigrationItem } from './migrate.js';
export { discoverAwsSecrets, type DiscoverOptions, type DiscoverProgress, type Discovered } from './discover.js';
export type { AwsOptions, AwsStats } from './aws.js';
