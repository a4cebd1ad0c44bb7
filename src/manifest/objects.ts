/** Narrow types and guards for the Kubernetes objects ksec reads. */

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

export interface Secret extends KubeObject {
  kind: 'Secret';
  type?: string;
  immutable?: boolean;
  data?: Record<string, string | null>;
  stringData?: Record<string, string | null>;
}

export interface ConfigMap extends KubeObject {
  kind: 'ConfigMap';
  immutable?: boolean;
  data?: Record<string, string | null>;
  binaryData?: Record<string, string | null>;
}

export interface SealedSecret extends KubeObject {
  kind: 'SealedSecret';
  spec: {
    encryptedData?: Record<string, string>;
    template?: {
      metadata?: ObjectMeta;
      type?: string;
      immutable?: boolean;
      data?: Record<string, string>;
      [key: string]: unknown;
    };
    [key: string]: unknown;
  };
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Rollout'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/**
 * An empty object for keys that come from input: no prototype, so `__proto__`,
 * `constructor` or `toString` are keys like any other (on a `{}`, assigning
 * `__proto__` replaces the prototype and the key is lost).
 */
export function inputRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isKubeObject(value: unknown): value is KubeObject {
  return isRecord(value) && typeof value.kind === 'string';
}

export function isKind<K extends string>(value: unknown, kind: K): value is KubeObject & { kind: K } {
  return isKubeObject(value) && value.kind === kind;
}

export function isSecret(value: unknown): value is Secret {
  return isKind(value, 'Secret') && (value.apiVersion === undefined || value.apiVersion === 'v1');
}

export function isConfigMap(value: unknown): value is ConfigMap {
  return isKind(value, 'ConfigMap') && (value.apiVersion === undefined || value.apiVersion === 'v1');
}

export function isSealedSecret(value: unknown): value is SealedSecret {
  return isKind(value, 'SealedSecret') && String(value.apiVersion ?? '').startsWith('bitnami.com/');
}

export function isList(value: unknown): value is KubeObject & { items: unknown[] } {
  return isKubeObject(value) && /List$/.test(value.kind ?? '') && Array.isArray((value as { items?: unknown }).items);
}

/**
 * The text of a Helm/Go template expression that YAML read as a mapping:
 * an unquoted `{{ .Values.x | quote }}` is a flow map whose one key is the
 * map `{ .Values.x | quote }` (stringified as that text) with no value.
 * Undefined for anything else.
 */
export function templateExpression(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1 || (value[keys[0]!] !== null && value[keys[0]!] !== undefined)) return undefined;
  const key = keys[0]!.trim();
  return key.startsWith('{') && key.endsWith('}') ? `{${key}}` : undefined;
}

/** A name or namespace for messages: strings as they are, a template read as a map as its text, never `[object Object]`. */
export function displayName(value: unknown, fallback = '(unnamed)'): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return templateExpression(value) ?? fallback;
}

/** `Kind/namespace/name`, or `Kind/name` when the object has no namespace. */
export function objectRef(obj: KubeObject | undefined, fallbackNamespace?: string): string {
  const kind = displayName(obj?.kind, 'object');
  const name = displayName(obj?.metadata?.name);
  const namespace: unknown = obj?.metadata?.namespace;
  const ns = namespace === undefined || namespace === null ? fallbackNamespace : displayName(namespace, '');
  return ns ? `${kind}/${ns}/${name}` : `${kind}/${name}`;
}
