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
import { csiClassOf, csiClassRefs } from './csi.js';
import { ANN, DEFAULT_KEYS, KSEC_ANN, WORKLOAD_ANNOTATIONS, type AnnotationKeys, type ConfigKind, type ConfigRecord, type WorkloadRecord } from './policy.js';

/** [configured key, default key] of every annotation a workload record keeps. */
function workloadKeys(keys: AnnotationKeys): [string, string][] {
  return (Object.keys(ANN) as (keyof typeof ANN)[]).filter((f) => WORKLOAD_ANNOTATIONS.includes(ANN[f])).map((f) => [keys[f], ANN[f]]);
}
const DEFAULT_WORKLOAD_KEYS = workloadKeys(DEFAULT_KEYS);

/** The annotations the policy reads, under their default keys whatever keys the cluster uses. */
function pick(annotations: unknown, keys: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(annotations)) return out;
  for (const [configured, canonical] of keys) {
    const v = annotations[configured];
    if (typeof v === 'string') out[canonical] = v;
  }
  return out;
}

const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const nameOf = (v: unknown): string | undefined => (isRecord(v) && typeof v.name === 'string' ? v.name : undefined);

/** Does this volume carry the config (directly or projected)? */
function volumeHas(volume: Record<string, unknown>, kind: ConfigKind, name: string): boolean {
  if (kind === 'SecretProviderClass') return csiClassOf(volume) === name;
  const sources = isRecord(volume.projected) ? records(volume.projected.sources) : [];
  if (kind === 'ConfigMap') return nameOf(volume.configMap) === name || sources.some((s) => nameOf(s.configMap) === name);
  return (isRecord(volume.secret) && volume.secret.secretName === name) || sources.some((s) => nameOf(s.secret) === name);
}

function envUses(container: Record<string, unknown>, kind: ConfigKind, name: string): boolean {
  if (kind === 'SecretProviderClass') return false; // mounted only
  const [keyRef, fromRef] = kind === 'ConfigMap' ? ['configMapKeyRef', 'configMapRef'] : ['secretKeyRef', 'secretRef'];
  return (
    records(container.env).some((e) => isRecord(e.valueFrom) && nameOf(e.valueFrom[keyRef]) === name) ||
    records(container.envFrom).some((e) => nameOf(e[fromRef]) === name)
  );
}

/**
 * The container Reloader's env-vars strategy puts a config's variable on (its
 * getContainerUsingResource): the container mounting the first volume that
 * carries the config; else the first container referencing it in env/envFrom;
 * when only an init container uses it, the first container; else undefined.
 */
export function containerUsing(podSpec: Record<string, unknown>, kind: ConfigKind, name: string): string | undefined {
  const containers = records(podSpec.containers);
  const inits = records(podSpec.initContainers);
  const first = nameOf(containers[0]);
  const volume = records(podSpec.volumes).find((v) => volumeHas(v, kind, name));
  const mounts = (c: Record<string, unknown>) => records(c.volumeMounts).some((m) => m.name === volume?.name);
  if (volume && typeof volume.name === 'string') {
    const c = containers.find(mounts);
    if (c) return nameOf(c);
    if (inits.some(mounts)) return first;
  }
  const c = containers.find((x) => envUses(x, kind, name));
  if (c) return nameOf(c);
  if (inits.some((x) => envUses(x, kind, name))) return first;
  return undefined;
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
  keys: Pick<AnnotationKeys, 'ignore' | 'match'> = DEFAULT_KEYS,
): ConfigRecord | undefined {
  const full = { apiVersion: 'v1', kind, ...obj } as KubeObject;
  const annotations = isRecord(obj.metadata?.annotations) ? obj.metadata!.annotations : {};
  try {
    const record: ConfigRecord = {
      kind,
      name: obj.metadata?.name ?? '',
      hash: configHash(full),
      ignore: annotations[keys.ignore] === 'true',
      match: annotations[keys.match] === 'true',
    };
    if (withReloaderHash) record.reloaderHash = reloaderHash(full);
    return record;
  } catch (err) {
    onError?.((err as Error).message);
    return undefined;
  }
}

/**
 * Reduces a workload to what the policy and the patches need. `keys` are the
 * annotation keys in use (Reloader's override flags); the record holds them
 * under the default keys.
 */
export function workloadRecord(kind: string, obj: RawObject, keys: AnnotationKeys = DEFAULT_KEYS): WorkloadRecord | undefined {
  const picked = keys === DEFAULT_KEYS ? DEFAULT_WORKLOAD_KEYS : workloadKeys(keys);
  const full = { ...obj, kind, apiVersion: kind === 'Rollout' ? 'argoproj.io/v1alpha1' : kind === 'CronJob' || kind === 'Job' ? 'batch/v1' : 'apps/v1' } as KubeObject;
  const tpl = podTemplateOf(full);
  if (!tpl) return undefined;
  const meta = obj.metadata ?? {};
  const tplMeta = isRecord(tpl.template?.metadata) ? tpl.template.metadata : {};
  const metaAnnotations = isRecord(meta.annotations) ? meta.annotations : {};
  const tplAnnotations = isRecord(tplMeta.annotations) ? tplMeta.annotations : {};
  const refs = findReferences(tpl.spec).map((r) => `${r.kind}/${r.name}`);
  refs.push(...csiClassRefs(tpl.spec));
  const env: Record<string, string> = {};
  const envContainers: Record<string, string> = {};
  const containers = records(tpl.spec?.containers);
  const firstContainer = nameOf(containers[0]);
  for (const c of containers) {
    for (const e of records(c.env)) {
      if (typeof e.name === 'string' && e.name.startsWith('STAKATER_') && typeof e.value === 'string' && !(e.name in env)) {
        env[e.name] = e.value;
        if (typeof c.name === 'string') envContainers[e.name] = c.name;
      }
    }
  }
  // only where it differs from the first container (the default), to keep records small
  const users: Record<string, string> = {};
  if (containers.length > 1 && isRecord(tpl.spec)) {
    for (const ref of refs) {
      const slash = ref.indexOf('/');
      const c = containerUsing(tpl.spec, ref.slice(0, slash) as ConfigKind, ref.slice(slash + 1));
      if (c !== undefined && c !== firstContainer) users[ref] = c;
    }
  }
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const record: WorkloadRecord = {
    kind,
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    annotations: pick(metaAnnotations, picked),
    podAnnotations: pick(tplAnnotations, picked),
    refs,
    env,
    paused: spec.paused === true,
  };
  if (typeof tplAnnotations[KSEC_ANN.stamp] === 'string') record.stamp = tplAnnotations[KSEC_ANN.stamp] as string;
  if (typeof metaAnnotations[KSEC_ANN.recorded] === 'string') record.recorded = metaAnnotations[KSEC_ANN.recorded] as string;
  if (firstContainer !== undefined) record.firstContainer = firstContainer;
  if (Object.keys(envContainers).length) record.envContainers = envContainers;
  if (Object.keys(users).length) record.users = users;
  if (typeof meta.uid === 'string') record.uid = meta.uid;
  return record;
}

/** The namespace's configs, indexed for the policy. */
export class NamespaceConfigs {
  private readonly byKind = { ConfigMap: new Map<string, ConfigRecord>(), Secret: new Map<string, ConfigRecord>(), SecretProviderClass: new Map<string, ConfigRecord>() };
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
    return this.byKind.ConfigMap.size + this.byKind.Secret.size + this.byKind.SecretProviderClass.size;
  }
}
