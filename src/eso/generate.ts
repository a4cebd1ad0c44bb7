/**
 * From a list of remote secrets (their names and the structure of their
 * values, never the values) to ExternalSecret manifests: names, namespaces,
 * secret keys, collisions, the three modes. Pure: discovery (aws.ts) and the
 * offline spec (spec.ts) both feed it the same `SecretSource` list.
 */
import { KsecError } from '../errors.js';
import type { KubeObject } from '../manifest/objects.js';
import {
  buildExternalSecret,
  type CreationPolicy,
  type DataEntry,
  type DataFromEntry,
  type DeletionPolicy,
  type EsoApiVersion,
  type StoreRef,
} from './manifests.js';
import { disambiguate, findCollisions, gjsonPath, namespaceName, objectName, pathSegment, relativePath, secretKeyFor } from './naming.js';
import { externalSecretProblems } from './validate.js';

/** What a secret value looks like, without the value. */
export type SecretShape =
  | { type: 'json'; /** top-level keys */ keys: string[]; /** paths to every non-object leaf */ leaves: string[][] }
  | { type: 'string' }
  | { type: 'binary' };

export interface SourceProperty {
  /** remoteRef.property (a gjson path) */
  property: string;
  /** wanted Secret key, sanitised later */
  secretKey: string;
}

export interface SecretSource {
  /** the AWS secret name: remoteRef.key */
  key: string;
  /** JSON properties to map; none means the whole value goes to one Secret key */
  properties?: SourceProperty[];
  /** Secret key for a whole (non-JSON) value */
  wholeKey?: string;
  /** whether the value is a JSON object (extract mode needs one) */
  json: boolean;
  /** overrides for the ExternalSecret */
  name?: string;
  namespace?: string;
  targetName?: string;
}

export type GenerateMode = 'data' | 'extract' | 'find';

/** A `rewrite` regexp for every character a Secret key cannot hold (ESO does not convert keys by itself). */
const INVALID_KEY_CHARACTERS = '[^-._a-zA-Z0-9]';
export const GENERATE_MODES: readonly GenerateMode[] = ['data', 'extract', 'find'];

export interface GenerateOptions {
  apiVersion: EsoApiVersion;
  store: StoreRef;
  mode: GenerateMode;
  refreshInterval: string;
  creationPolicy: CreationPolicy;
  deletionPolicy: DeletionPolicy;
  templateType?: string;
  /** namespace for every ExternalSecret (overridden by namespaceFromPath) */
  namespace?: string;
  /** 1-based path segment that names the namespace */
  namespaceFromPath?: number;
  /** the prefixes asked for: names are made relative to them with stripPrefix, and find mode needs them */
  prefixes: string[];
  stripPrefix?: boolean;
  /** find mode: name regexp (default: every secret under the prefix) */
  findRegexp?: string;
}

export interface GeneratedManifest {
  /** the AWS secret (or, in find mode, the prefix) it reads */
  source: string;
  name: string;
  namespace?: string;
  object: KubeObject;
}

export interface GenerateResult {
  manifests: GeneratedManifest[];
  /** collisions and renames, one line each; names and keys only */
  warnings: string[];
}

/** The source with its properties for a shape: one per top-level key, or per leaf with `flatten`. */
export function sourceFromShape(key: string, shape: SecretShape, flatten = false): SecretSource {
  if (shape.type !== 'json') return { key, json: false, wholeKey: lastSegmentKey(key) };
  const paths = flatten ? shape.leaves : shape.keys.map((k) => [k]);
  return { key, json: true, properties: paths.map((p) => ({ property: gjsonPath(p), secretKey: p.join('.') })) };
}

function lastSegmentKey(key: string): string {
  const segments = key.split('/').filter((s) => s !== '');
  return segments[segments.length - 1] ?? key;
}

export function generateExternalSecrets(sources: readonly SecretSource[], options: GenerateOptions): GenerateResult {
  const warnings: string[] = [];
  if (options.mode === 'find') return generateFind(options, warnings);
  const planned = sources.map((source) => ({
    source,
    name: source.name ?? objectName((options.stripPrefix && relativePath(source.key, prefixOf(source.key, options.prefixes))) || source.key),
    namespace: namespaceFor(source.key, source.namespace, options),
  }));
  for (const p of planned) {
    if (p.name === '') {
      throw new KsecError(`no Kubernetes name can be made from "${p.source.key}"`, {
        object: p.source.key,
        hint: 'the path has no letters or digits left; give it a name in a spec file',
      });
    }
  }
  for (const collision of findCollisions(planned, (p) => `${p.namespace ?? ''}/${p.name}`)) {
    for (const p of collision.sources) p.name = disambiguate(p.name, p.source.key);
    warnings.push(
      `${collision.sources.length} secrets map to ExternalSecret "${collision.name.replace(/^\//, '')}": ` +
        collision.sources.map((p) => `${p.source.key} -> ${p.name}`).join(', '),
    );
  }
  const manifests = planned.map((p) => {
    const { data, dataFrom } = dataOf(p.source, options, warnings);
    const object = buildExternalSecret({
      apiVersion: options.apiVersion,
      name: p.name,
      namespace: p.namespace,
      store: options.store,
      refreshInterval: options.refreshInterval,
      target: {
        name: p.source.targetName ?? p.name,
        creationPolicy: options.creationPolicy,
        deletionPolicy: options.deletionPolicy,
        templateType: options.templateType,
      },
      data,
      dataFrom,
    });
    assertValid(object, p.source.key);
    return { source: p.source.key, name: p.name, namespace: p.namespace, object };
  });
  return { manifests, warnings };
}

function dataOf(source: SecretSource, options: GenerateOptions, warnings: string[]): { data?: DataEntry[]; dataFrom?: DataFromEntry[] } {
  if (options.mode === 'extract' && source.json) {
    // ESO keys the Secret by the JSON keys as they are, and the apiserver refuses a Secret key such as
    // "api key": make every key valid, the way data mode's secretKey is (keys added in AWS later too)
    const renamed = new Map<string, string[]>();
    for (const p of source.properties ?? []) {
      const key = secretKeyFor(p.secretKey);
      renamed.set(key, [...(renamed.get(key) ?? []), p.secretKey]);
    }
    for (const [key, from] of renamed) {
      if (from.length > 1) warnings.push(`${source.key}: keys ${from.map((k) => JSON.stringify(k)).join(', ')} all become Secret key "${key}" in extract mode; one value wins (use --mode data)`);
    }
    return { dataFrom: [{ extract: { key: source.key }, rewrite: [{ regexp: { source: INVALID_KEY_CHARACTERS, target: '_' } }] }] };
  }
  if (!source.properties || source.properties.length === 0) {
    return { data: [{ secretKey: secretKeyFor(source.wholeKey ?? lastSegmentKey(source.key)), remoteRef: { key: source.key } }] };
  }
  const entries = source.properties.map((p) => ({ property: p.property, secretKey: secretKeyFor(p.secretKey) }));
  for (const collision of findCollisions(entries, (e) => e.secretKey)) {
    for (const e of collision.sources) e.secretKey = disambiguate(e.secretKey, e.property);
    warnings.push(
      `${source.key}: properties ${collision.sources.map((e) => JSON.stringify(e.property)).join(', ')} all sanitise to secretKey ` +
        `"${collision.name}"; renamed to ${collision.sources.map((e) => e.secretKey).join(', ')}`,
    );
  }
  return { data: entries.map((e) => ({ secretKey: e.secretKey, remoteRef: { key: source.key, property: e.property } })) };
}

function generateFind(options: GenerateOptions, warnings: string[]): GenerateResult {
  if (options.prefixes.length === 0) throw new KsecError('--mode find needs at least one --path', { hint: 'name the prefix to find secrets under' });
  const manifests = options.prefixes.map((prefix) => {
    const name = objectName(prefix);
    if (name === '') throw new KsecError(`no Kubernetes name can be made from "${prefix}"`, { hint: 'use a prefix with letters or digits' });
    const namespace = namespaceFor(prefix, undefined, options);
    const object = buildExternalSecret({
      apiVersion: options.apiVersion,
      name,
      namespace,
      store: options.store,
      refreshInterval: options.refreshInterval,
      target: { name, creationPolicy: options.creationPolicy, deletionPolicy: options.deletionPolicy, templateType: options.templateType },
      dataFrom: [
        {
          find: { path: prefix, name: { regexp: options.findRegexp ?? '.*' } },
          // ESO keys the Secret by the AWS names: drop the prefix, then make the rest a valid Secret key
          // (with a rewrite ESO does not convert keys itself)
          rewrite: [
            { regexp: { source: `^${escapeRegExp(prefix)}/*`, target: '' } },
            { regexp: { source: INVALID_KEY_CHARACTERS, target: '_' } },
          ],
        },
      ],
    });
    assertValid(object, prefix);
    return { source: prefix, name, namespace, object };
  });
  for (const collision of findCollisions(manifests, (m) => `${m.namespace ?? ''}/${m.name}`)) {
    warnings.push(`prefixes ${collision.sources.map((m) => m.source).join(', ')} map to the same ExternalSecret "${collision.sources[0]!.name}"`);
  }
  return { manifests, warnings };
}

function namespaceFor(key: string, override: string | undefined, options: GenerateOptions): string | undefined {
  if (override) return override;
  if (options.namespaceFromPath !== undefined) {
    const segment = pathSegment(key, options.namespaceFromPath);
    const ns = segment === undefined ? undefined : namespaceName(segment);
    if (!ns) {
      throw new KsecError(`"${key}" has no path segment ${options.namespaceFromPath} to name a namespace`, {
        object: key,
        hint: 'check --namespace-from-path (segments count from 1) or narrow --path',
      });
    }
    return ns;
  }
  return options.namespace;
}

function prefixOf(key: string, prefixes: readonly string[]): string {
  let best = '';
  for (const p of prefixes) if (key.startsWith(p) && p.length > best.length) best = p;
  return best;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, (c) => `\\${c}`);
}

function assertValid(object: KubeObject, source: string): void {
  const problems = externalSecretProblems(object);
  if (problems.length > 0) {
    throw new KsecError(`ESO would reject the ExternalSecret: ${problems.join('; ')}`, {
      object: `ExternalSecret/${object.metadata?.name ?? ''} (${source})`,
      hint: 'check --creation-policy / --deletion-policy and the spec',
    });
  }
}
