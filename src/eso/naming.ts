/**
 * Names for generated objects: Kubernetes object names from AWS secret paths
 * (DNS-1123 subdomains), Secret keys that match ESO's `secretKey` pattern,
 * and the detection of collisions that sanitising creates. Names and keys are
 * not secret values; they may appear in messages.
 */
import { createHash } from 'node:crypto';
import { KsecError } from '../errors.js';

/** ESO's `spec.data[].secretKey` pattern (and the Kubernetes Secret key rule). */
export const SECRET_KEY_PATTERN = /^[-._a-zA-Z0-9]+$/;
/** DNS-1123 subdomain: metadata.name of ExternalSecrets and Secrets, `target.name`. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** DNS-1123 label: namespaces. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const MAX_NAME = 253;
const MAX_LABEL = 63;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/**
 * A DNS-1123 object name for an AWS path: lower case, every run of other
 * characters (`/`, `_`, `.`, spaces) becomes one `-`. A name that had to be
 * cut to fit keeps a hash of the whole path, so two long paths stay apart.
 */
export function objectName(path: string, max = MAX_NAME): string {
  let name = path
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (name.length > max) name = `${name.slice(0, max - 7).replace(/-+$/, '')}-${shortHash(path)}`;
  return name;
}

/** A namespace (DNS-1123 label) from a path segment; undefined when nothing usable is left. */
export function namespaceName(segment: string): string | undefined {
  const name = objectName(segment, MAX_LABEL);
  return name === '' ? undefined : name;
}

/** The path without a leading prefix and the slashes that joined them. */
export function relativePath(path: string, prefix: string): string {
  if (prefix === '' || !path.startsWith(prefix)) return path;
  return path.slice(prefix.length).replace(/^\/+/, '');
}

/** Path segment `n` (1-based), split on `/`, empty segments ignored. */
export function pathSegment(path: string, n: number): string | undefined {
  return path.split('/').filter((s) => s !== '')[n - 1];
}

/** A Secret key for a JSON property or path: characters ESO rejects become `_`. */
export function secretKeyFor(property: string): string {
  const key = property.replace(/[^-._a-zA-Z0-9]/g, '_').slice(0, MAX_NAME);
  return key === '' ? '_' : key;
}

/**
 * A gjson path selecting one property, as ESO's AWS provider reads it: every
 * segment has gjson's special characters escaped, segments joined with `.`.
 * A top-level key keeps its dots: ESO tries the key literally first.
 */
export function gjsonPath(segments: readonly string[]): string {
  const escape = (s: string, dots: boolean) => s.replace(dots ? /[\\.*?|#@!]/g : /[\\*?|#@!]/g, (c) => `\\${c}`);
  if (segments.length === 1) return escape(segments[0]!, false);
  return segments.map((s) => escape(s, true)).join('.');
}

export interface Collision<T> {
  /** the name several sources wanted */
  name: string;
  sources: T[];
}

/**
 * Groups items by the name they map to and returns the groups with more than
 * one member. Deterministic: groups in first-seen order.
 */
export function findCollisions<T>(items: readonly T[], nameOf: (item: T) => string): Collision<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = nameOf(item);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return [...groups].filter(([, sources]) => sources.length > 1).map(([name, sources]) => ({ name, sources }));
}

/** `name` with a short hash of `source` appended, still within `max` characters. */
export function disambiguate(name: string, source: string, max = MAX_NAME): string {
  const suffix = `-${shortHash(source)}`;
  return `${name.slice(0, max - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/** AWS's rule for a Parameter Store hierarchy path: starts with `/`; letters, digits and `/_.-`. */
const PARAMETER_PATH = /^\/[a-zA-Z0-9_.\-/]*$/;

/**
 * A `--path` as GetParametersByPath takes it: `/` or `/a/b` (trailing `/`
 * dropped: Parameter Store paths are folders, `/a/b` finds `/a/b/c` but not
 * `/a/bc`). Anything else is bad input.
 */
export function parameterPath(path: string): string {
  if (!PARAMETER_PATH.test(path) || path.length > 2048 || path.includes('//')) {
    throw new KsecError(`invalid Parameter Store path "${path}"`, {
      hint: 'a hierarchy path starts with / and uses letters, digits and / _ . - (e.g. --path /myapp/prod/)',
    });
  }
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}
