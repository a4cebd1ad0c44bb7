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

/** `Kind/namespace/name`, or `Kind/name` when the object has no namespace. */
export function objectRef(obj: KubeObject | undefined, fallbackNamespace?: string): string {
  const kind = obj?.kind ?? 'object';
  const name = obj?.metadata?.name ?? '(unnamed)';
  const ns = obj?.metadata?.namespace ?? fallbackNamespace;
  return ns ? `${kind}/${ns}/${name}` : `${kind}/${name}`;
}
