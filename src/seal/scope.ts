/**
 * Sealing scopes, as the sealed-secrets controller defines them. The scope
 * picks the RSA-OAEP label, which binds a sealed value to where it may be
 * unsealed:
 *
 *   strict          label = "namespace/name"   (the default)
 *   namespace-wide  label = "namespace"        (any name in that namespace)
 *   cluster-wide    label = ""                 (any namespace, any name)
 *
 * The scope is read from annotations; cluster-wide wins over namespace-wide.
 */
import { KsecError } from '../errors.js';

export type SealingScope = 'strict' | 'namespace-wide' | 'cluster-wide';

export const SCOPES: readonly SealingScope[] = ['strict', 'namespace-wide', 'cluster-wide'];
export const CLUSTER_WIDE_ANNOTATION = 'sealedsecrets.bitnami.com/cluster-wide';
export const NAMESPACE_WIDE_ANNOTATION = 'sealedsecrets.bitnami.com/namespace-wide';

/** The scope an object's annotations declare (only the exact string "true" counts, as in the controller). */
export function scopeOf(metadata: { annotations?: Record<string, string> | null } | undefined): SealingScope {
  const annotations = metadata?.annotations ?? {};
  if (annotations[CLUSTER_WIDE_ANNOTATION] === 'true') return 'cluster-wide';
  if (annotations[NAMESPACE_WIDE_ANNOTATION] === 'true') return 'namespace-wide';
  return 'strict';
}

export function labelFor(scope: SealingScope, namespace: string, name: string): Buffer {
  switch (scope) {
    case 'cluster-wide':
      return Buffer.alloc(0);
    case 'namespace-wide':
      return Buffer.from(namespace, 'utf8');
    case 'strict':
      return Buffer.from(`${namespace}/${name}`, 'utf8');
  }
}

/** The scope annotations an object of this scope carries (none for strict). */
export function annotationsFor(scope: SealingScope): Record<string, string> {
  if (scope === 'cluster-wide') return { [CLUSTER_WIDE_ANNOTATION]: 'true' };
  if (scope === 'namespace-wide') return { [NAMESPACE_WIDE_ANNOTATION]: 'true' };
  return {};
}

/** `annotations` with both scope annotations replaced by those of `scope` (a new object). */
export function withScopeAnnotations(
  annotations: Record<string, string> | undefined,
  scope: SealingScope,
): Record<string, string> {
  const out = { ...(annotations ?? {}) };
  delete out[CLUSTER_WIDE_ANNOTATION];
  delete out[NAMESPACE_WIDE_ANNOTATION];
  return { ...out, ...annotationsFor(scope) };
}

export function parseScope(value: string): SealingScope {
  if ((SCOPES as readonly string[]).includes(value)) return value as SealingScope;
  throw new KsecError(`unknown scope "${value}"`, { hint: `use one of: ${SCOPES.join(', ')}` });
}
