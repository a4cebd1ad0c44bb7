/**
 * What the watcher remembers, and where. In memory: compact records reduced
 * from each object (hashes, references, a few annotations), never bodies, so
 * memory does not grow with ConfigMap/Secret data. In the cluster: the hash a
 * workload was last rolled for (pod-template annotation) and the hash it was
 * last seen with (metadata annotation, which does not roll), so a restart or a
 * new leader compares against recorded state and never mass-rolls, and a
 * change made while nobody watched is still caught.
 */
import { configHash } from '../config-hash/ksec-hash.js';
import { reloaderHash } from '../config-hash/reloader.js';
import { findReferences, podTemplateOf } from '../config-hash/references.js';
import { isRecord, type KubeObject } from '../manifest/objects.js';
import type { RawObject } from './reflector.js';
import { ANN, KSEC_ANN, WORKLOAD_ANNOTATIONS, type ConfigKind, type ConfigRecord, type WorkloadRecord } from './policy.js';

function pick(annotations: unknown, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(annotations)) return out;
  for (const k of keys) {
    const v = annotations[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

/**
 * Reduces a ConfigMap or Secret to its record. Returns undefined for objects
 * whose content cannot be hashed (logged by the caller via `onError`); the
 * data itself is dropped as soon as the hash is computed.
 */
export function configRecord(
  kind: ConfigKind,
  obj: RawObject,
  withReloaderHash: boolean,
  onError?: (message: string) => void,
): ConfigRecord | undefined {
  const full = { apiVersion: 'v1', kind, ...obj } as KubeObject;
  const annotations = isRecord(obj.metadata?.annotations) ? obj.metadata!.annotations : {};
  try {
    const record: ConfigRecord = {
      kind,
      name: obj.metadata?.name ?? '',
      hash: configHash(full),
      ignore: annotations[ANN.ignore] === 'true',
      match: annotations[ANN.match] === 'true',
    };
    if (withReloaderHash) record.reloaderHash = reloaderHash(full);
    return record;
  } catch (err) {
    onError?.((err as Error).message);
    return undefined;
  }
}

/** Reduces a workload to what the policy and the patches need. */
export function workloadRecord(kind: string, obj: RawObject): WorkloadRecord | undefined {
  const full = { ...obj, kind, apiVersion: kind === 'Rollout' ? 'argoproj.io/v1alpha1' : kind === 'CronJob' ? 'batch/v1' : 'apps/v1' } as KubeObject;
  const tpl = podTemplateOf(full);
  if (!tpl) return undefined;
  const meta = obj.metadata ?? {};
  const tplMeta = isRecord(tpl.template?.metadata) ? tpl.template.metadata : {};
  const metaAnnotations = isRecord(meta.annotations) ? meta.annotations : {};
  const tplAnnotations = isRecord(tplMeta.annotations) ? tplMeta.annotations : {};
  const refs = findReferences(tpl.spec).map((r) => `${r.kind}/${r.name}`);
  const env: Record<string, string> = {};
  let firstContainer: string | undefined;
  const containers = Array.isArray(tpl.spec?.containers) ? tpl.spec.containers : [];
  for (const c of containers) {
    if (!isRecord(c)) continue;
    if (firstContainer === undefined && typeof c.name === 'string') firstContainer = c.name;
    for (const e of Array.isArray(c.env) ? c.env : []) {
      if (isRecord(e) && typeof e.name === 'string' && e.name.startsWith('STAKATER_') && typeof e.value === 'string') env[e.name] = e.value;
    }
  }
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const record: WorkloadRecord = {
    kind,
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    annotations: pick(metaAnnotations, WORKLOAD_ANNOTATIONS),
    podAnnotations: pick(tplAnnotations, WORKLOAD_ANNOTATIONS),
    refs,
    env,
    paused: spec.paused === true,
  };
  if (typeof tplAnnotations[KSEC_ANN.stamp] === 'string') record.stamp = tplAnnotations[KSEC_ANN.stamp] as string;
  if (typeof metaAnnotations[KSEC_ANN.recorded] === 'string') record.recorded = metaAnnotations[KSEC_ANN.recorded] as string;
  if (firstContainer !== undefined) record.firstContainer = firstContainer;
  if (typeof meta.uid === 'string') record.uid = meta.uid;
  return record;
}

/** The namespace's configs, indexed for the policy. */
export class NamespaceConfigs {
  private readonly byKind = { ConfigMap: new Map<string, ConfigRecord>(), Secret: new Map<string, ConfigRecord>() };
  get(kind: ConfigKind, name: string): ConfigRecord | undefined {
    return this.byKind[kind].get(name);
  }
  list(kind: ConfigKind): Iterable<ConfigRecord> {
    return this.byKind[kind].values();
  }
  set(c: ConfigRecord): void {
    this.byKind[c.kind].set(c.name, c);
  }
  delete(kind: ConfigKind, name: string): void {
    this.byKind[kind].delete(name);
  }
  get size(): number {
    return this.byKind.ConfigMap.size + this.byKind.Secret.size;
  }
}
