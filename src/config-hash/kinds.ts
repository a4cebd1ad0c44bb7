/**
 * Which objects ksec hashes (ConfigMap, Secret, SealedSecret, ExternalSecret)
 * and which ConfigMap or Secret each stands for inside the cluster.
 */
import { isRecord, type KubeObject } from '../manifest/objects.js';

/** Kinds ksec can hash, and the kind they count as when a workload references them. */
export const HASHABLE_KINDS = ['ConfigMap', 'Secret', 'SealedSecret', 'ExternalSecret'] as const;
export type HashableKind = (typeof HASHABLE_KINDS)[number];

export function isHashable(obj: KubeObject): boolean {
  return hashableKind(obj) !== undefined;
}

/** The kind to hash `obj` as, or undefined when ksec does not hash it. */
export function hashableKind(obj: KubeObject): HashableKind | undefined {
  const api = String(obj.apiVersion ?? '');
  switch (obj.kind) {
    case 'ConfigMap':
    case 'Secret':
      return api === '' || api === 'v1' ? obj.kind : undefined;
    case 'SealedSecret':
      return api.startsWith('bitnami.com/') ? 'SealedSecret' : undefined;
    case 'ExternalSecret':
      return api.startsWith('external-secrets.io/') ? 'ExternalSecret' : undefined;
    default:
      return undefined;
  }
}

/**
 * The Secret or ConfigMap a hashable object stands for inside the cluster:
 * a SealedSecret produces the Secret named by spec.template.metadata.name (or
 * its own name), an ExternalSecret the one named by spec.target.name (or its
 * own name).
 */
export function producedObject(obj: KubeObject): { kind: 'ConfigMap' | 'Secret'; name: string; namespace?: string } | undefined {
  const kind = hashableKind(obj);
  const name = obj.metadata?.name;
  const namespace = obj.metadata?.namespace;
  if (!kind) return undefined;
  const spec = isRecord(obj.spec) ? obj.spec : {};
  let produced: string | undefined = name;
  if (kind === 'SealedSecret') {
    const template = isRecord(spec.template) ? spec.template : {};
    const meta = isRecord(template.metadata) ? template.metadata : {};
    if (typeof meta.name === 'string' && meta.name) produced = meta.name;
  } else if (kind === 'ExternalSecret') {
    const target = isRecord(spec.target) ? spec.target : {};
    if (typeof target.name === 'string' && target.name) produced = target.name;
  }
  if (!produced) return undefined;
  const out: { kind: 'ConfigMap' | 'Secret'; name: string; namespace?: string } = {
    kind: kind === 'ConfigMap' ? 'ConfigMap' : 'Secret',
    name: produced,
  };
  if (namespace !== undefined) out.namespace = namespace;
  return out;
}
