/**
 * Which ConfigMaps and Secrets a workload's pod template uses. Pure: takes
 * plain objects, returns names; shared by `ksec checksum annotate` and
 * `ksec watch`.
 */
import { isRecord, type KubeObject } from '../manifest/objects.js';

export type ReferencedKind = 'ConfigMap' | 'Secret';
export type ReferenceVia = 'env' | 'envFrom' | 'volume' | 'projected' | 'imagePullSecret';

export interface ConfigReference {
  kind: ReferencedKind;
  name: string;
  /** true only when every use of the object is marked `optional: true` */
  optional: boolean;
  /** how the object is first used (containers before volumes) */
  via: ReferenceVia;
}

export interface PodTemplate {
  /** path of the pod template (the object holding metadata and spec) inside the workload */
  path: string[];
  /** the pod template, or undefined when the workload has none (yet) */
  template: Record<string, unknown> | undefined;
  /** the pod spec, or undefined */
  spec: Record<string, unknown> | undefined;
  /**
   * Argo Rollout `spec.workloadRef`: the Rollout takes its pod template from
   * this Deployment/ReplicaSet/PodTemplate instead of `spec.template`; stamp
   * the referenced object instead.
   */
  workloadRef?: { apiVersion?: string; kind?: string; name?: string };
}

/** Where each workload kind keeps its pod template. */
const TEMPLATE_PATHS: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Rollout: ['spec', 'template'],
};

export function isWorkload(obj: KubeObject): boolean {
  if (!obj.kind || !(obj.kind in TEMPLATE_PATHS)) return false;
  const api = String(obj.apiVersion ?? '');
  if (obj.kind === 'Rollout') return api.startsWith('argoproj.io/');
  if (obj.kind === 'Job' || obj.kind === 'CronJob') return api === '' || api.startsWith('batch/');
  return api === '' || api.startsWith('apps/') || api.startsWith('extensions/');
}

/** The pod template of a workload, or undefined for objects that are not workloads. */
export function podTemplateOf(workload: KubeObject): PodTemplate | undefined {
  if (!isWorkload(workload)) return undefined;
  const path = TEMPLATE_PATHS[workload.kind!]!;
  let node: unknown = workload;
  for (const key of path) node = isRecord(node) ? node[key] : undefined;
  const template = isRecord(node) ? node : undefined;
  const spec = template && isRecord(template.spec) ? template.spec : undefined;
  const result: PodTemplate = { path: [...path], template, spec };
  if (workload.kind === 'Rollout') {
    const ref = isRecord(workload.spec) ? workload.spec.workloadRef : undefined;
    if (isRecord(ref)) {
      result.workloadRef = {};
      if (typeof ref.apiVersion === 'string') result.workloadRef.apiVersion = ref.apiVersion;
      if (typeof ref.kind === 'string') result.workloadRef.kind = ref.kind;
      if (typeof ref.name === 'string') result.workloadRef.name = ref.name;
    }
  }
  return result;
}

export interface FindReferencesOptions {
  /**
   * Also report `imagePullSecrets` (via 'imagePullSecret'). Off by default:
   * running pods do not use them, so a change needs no restart.
   */
  imagePullSecrets?: boolean;
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/**
 * Every ConfigMap and Secret a pod spec uses, deduplicated by kind and name,
 * in order of first use: env[].valueFrom (configMapKeyRef, secretKeyRef) and
 * envFrom (configMapRef, secretRef) of init, regular and ephemeral
 * containers, then volumes (configMap, secret, projected sources).
 */
export function findReferences(podSpec: unknown, options: FindReferencesOptions = {}): ConfigReference[] {
  const found = new Map<string, ConfigReference>();
  const add = (kind: ReferencedKind, ref: unknown, nameField: string, via: ReferenceVia) => {
    if (!isRecord(ref)) return;
    const name = ref[nameField];
    if (typeof name !== 'string' || name === '') return;
    const optional = ref.optional === true;
    const key = `${kind}/${name}`;
    const seen = found.get(key);
    if (seen) seen.optional &&= optional;
    else found.set(key, { kind, name, optional, via });
  };
  if (!isRecord(podSpec)) return [];

  for (const list of CONTAINER_LISTS) {
    for (const container of records(podSpec[list])) {
      for (const env of records(container.env)) {
        const from = isRecord(env.valueFrom) ? env.valueFrom : {};
        add('ConfigMap', from.configMapKeyRef, 'name', 'env');
        add('Secret', from.secretKeyRef, 'name', 'env');
      }
      for (const source of records(container.envFrom)) {
        add('ConfigMap', source.configMapRef, 'name', 'envFrom');
        add('Secret', source.secretRef, 'name', 'envFrom');
      }
    }
  }
  for (const volume of records(podSpec.volumes)) {
    add('ConfigMap', volume.configMap, 'name', 'volume');
    add('Secret', volume.secret, 'secretName', 'volume');
    const projected = isRecord(volume.projected) ? volume.projected : {};
    for (const source of records(projected.sources)) {
      add('ConfigMap', source.configMap, 'name', 'projected');
      add('Secret', source.secret, 'name', 'projected');
    }
  }
  if (options.imagePullSecrets) {
    for (const pull of records(podSpec.imagePullSecrets)) add('Secret', pull, 'name', 'imagePullSecret');
  }
  return [...found.values()];
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}
