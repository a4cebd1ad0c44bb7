/**
 * The `yaml` package, loaded on first use. Importing it costs 30-90 ms of
 * start-up, so modules that need it only sometimes call `yamlLib()` inside the
 * function that needs it instead of importing it at module load. The loader is
 * synchronous (a lazy getter must be able to use it): `require` of the
 * package's CommonJS build, which is the same module instance a static
 * `import ... from 'yaml'` gets under Node, so Documents and nodes mix freely
 * (and yaml's node checks use `Symbol.for` markers, not `instanceof`).
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

export type YamlLib = typeof Yaml;

let lib: YamlLib | undefined;

export function yamlLib(): YamlLib {
  return (lib ??= createRequire(import.meta.url)('yaml') as YamlLib);
}
