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
