/**
 * The guide's other anti-patterns (opt-in with `--rules antipatterns`):
 * a Deployment whose replicas an HPA also manages, containers without
 * resource requests/limits, and Deployments no PodDisruptionBudget covers.
 * They look across every object of the scan, so an HPA or PDB in another
 * file of the same scan counts.
 */
import { displayName, isRecord, type KubeObject } from '../../manifest/objects.js';
import type { RuleInfo } from '../types.js';
import { isPlaceholder } from './placeholder.js';
import type { GlobalRules, Hit, KeyPath, ScannedObject } from './types.js';

export const hpaReplicas: RuleInfo = {
  id: 'antipattern-hpa-replicas',
  family: 'antipatterns',
  severity: 'medium',
  name: 'replicas set on an HPA target',
  description:
    'A Deployment sets spec.replicas while a HorizontalPodAutoscaler scales it, so every apply resets the replica count; drop spec.replicas when an HPA is enabled.',
};

export const missingResources: RuleInfo = {
  id: 'antipattern-missing-resources',
  family: 'antipatterns',
  severity: 'low',
  name: 'container without requests/limits',
  description:
    'A container has no resource requests or limits (BestEffort QoS: evicted first, noisy neighbour); set resources.requests and resources.limits for cpu and memory.',
};

export const missingPdb: RuleInfo = {
  id: 'antipattern-missing-pdb',
  family: 'antipatterns',
  severity: 'low',
  name: 'Deployment without PodDisruptionBudget',
  description:
    'No PodDisruptionBudget selects this Deployment, so a node drain can evict all its pods at once; add a policy/v1 PodDisruptionBudget with minAvailable or maxUnavailable.',
};

const POD_SPEC_PATHS: Record<string, KeyPath> = {
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  Pod: ['spec'],
};

function get(value: unknown, path: KeyPath): unknown {
  let node = value;
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key];
    else if (isRecord(node)) node = node[key];
    else return undefined;
  }
  return node;
}

const namespaceOf = (o: KubeObject) => o.metadata?.namespace ?? '';

export const antipatternRules: GlobalRules = {
  family: 'antipatterns',
  rules: [hpaReplicas, missingResources, missingPdb],
  check(objects: readonly ScannedObject[]) {
    const out: { target: ScannedObject; hit: Hit }[] = [];
    const hpas = objects.filter((o) => o.object.kind === 'HorizontalPodAutoscaler');
    const pdbs = objects.filter((o) => o.object.kind === 'PodDisruptionBudget');
    for (const target of objects) {
      const obj = target.object;
      const kind = obj.kind ?? '';
      const podPath = POD_SPEC_PATHS[kind];
      if (!podPath) continue;
      const name = displayName(obj.metadata?.name, '');

      if ((kind === 'Deployment' || kind === 'StatefulSet') && get(obj, ['spec', 'replicas']) !== undefined && !isPlaceholder(get(obj, ['spec', 'replicas']))) {
        const hpa = hpas.find((h) => {
          const ref = get(h.object, ['spec', 'scaleTargetRef']);
          return isRecord(ref) && ref.kind === kind && ref.name === name && namespaceOf(h.object) === namespaceOf(obj);
        });
        if (hpa) {
          out.push({ target, hit: { rule: hpaReplicas, path: ['spec', 'replicas'], message: `${kind} ${name ?? ''} sets spec.replicas but HorizontalPodAutoscaler ${displayName(hpa.object.metadata?.name, '')} manages it; remove spec.replicas` } });
        }
      }

      for (const field of ['initContainers', 'containers'] as const) {
        const containers = get(obj, [...podPath, field]);
        if (!Array.isArray(containers)) continue;
        containers.forEach((container, i) => {
          if (!isRecord(container)) return;
          const resources = container.resources;
          if (resources !== undefined && resources !== null && isPlaceholder(resources)) return; // Helm: {{ toYaml .Values.resources }}, quoted or not
          const missing = ['requests', 'limits'].filter((k) => !isRecord(resources) || resources[k] === undefined || resources[k] === null);
          if (missing.length === 0) return;
          out.push({ target, hit: { rule: missingResources, path: [...podPath, field, i], message: `container ${displayName(container.name, String(i))} in ${kind} ${name ?? ''} has no resources.${missing.join(' or resources.')}` } });
        });
      }

      if (kind === 'Deployment') {
        const labels = get(obj, ['spec', 'template', 'metadata', 'labels']);
        const covered = pdbs.some((p) => namespaceOf(p.object) === namespaceOf(obj) && selects(get(p.object, ['spec', 'selector']), labels));
        if (!covered) {
          out.push({ target, hit: { rule: missingPdb, path: ['metadata', 'name'], message: `no PodDisruptionBudget selects Deployment ${name ?? ''}; add one with minAvailable or maxUnavailable` } });
        }
      }
    }
    return out;
  },
};

/** A label selector matching pod labels (matchLabels exactly; matchExpressions In/NotIn/Exists/DoesNotExist). */
function selects(selector: unknown, labels: unknown): boolean {
  if (!isRecord(selector)) return false;
  const pod = isRecord(labels) ? labels : {};
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return true; // empty selector: every pod
  for (const [k, v] of Object.entries(matchLabels)) if (pod[k] !== v) return false;
  for (const e of expressions) {
    if (!isRecord(e) || typeof e.key !== 'string') return false;
    const value = pod[e.key];
    const values = Array.isArray(e.values) ? e.values : [];
    switch (e.operator) {
      case 'In': if (!values.includes(value)) return false; break;
      case 'NotIn': if (values.includes(value)) return false; break;
      case 'Exists': if (value === undefined) return false; break;
      case 'DoesNotExist': if (value !== undefined) return false; break;
      default: return false;
    }
  }
  return true;
}
