/** The API resources the watcher lists and watches, and their collection paths. */
import type { KubeClient } from '../kube/client.js';

export interface ResourceType {
  kind: string;
  /** plural, as in the URL and in RBAC */
  plural: string;
  group: string;
  version: string;
}

export const CONFIG_TYPES: ResourceType[] = [
  { kind: 'ConfigMap', plural: 'configmaps', group: '', version: 'v1' },
  { kind: 'Secret', plural: 'secrets', group: '', version: 'v1' },
];

export const WORKLOAD_TYPES: ResourceType[] = [
  { kind: 'Deployment', plural: 'deployments', group: 'apps', version: 'v1' },
  { kind: 'StatefulSet', plural: 'statefulsets', group: 'apps', version: 'v1' },
  { kind: 'DaemonSet', plural: 'daemonsets', group: 'apps', version: 'v1' },
  { kind: 'CronJob', plural: 'cronjobs', group: 'batch', version: 'v1' },
  { kind: 'Job', plural: 'jobs', group: 'batch', version: 'v1' },
  { kind: 'Rollout', plural: 'rollouts', group: 'argoproj.io', version: 'v1alpha1' },
];

/** The workload type of a kind in WORKLOAD_TYPES. */
export function workloadType(kind: string): ResourceType {
  return WORKLOAD_TYPES.find((t) => t.kind === kind)!;
}

export const NAMESPACE_TYPE: ResourceType = { kind: 'Namespace', plural: 'namespaces', group: '', version: 'v1' };

export function apiPrefix(t: ResourceType): string {
  return t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
}

/** Collection path, cluster-wide when namespace is undefined. */
export function collectionPath(t: ResourceType, namespace?: string): string {
  return namespace === undefined ? `${apiPrefix(t)}/${t.plural}` : `${apiPrefix(t)}/namespaces/${encodeURIComponent(namespace)}/${t.plural}`;
}

export function objectPath(t: ResourceType, namespace: string, name: string): string {
  return `${collectionPath(t, namespace)}/${encodeURIComponent(name)}`;
}

/** Whether the API server serves this type (Argo Rollouts is a CRD that may be absent). */
export async function isServed(client: Pick<KubeClient, 'request'>, t: ResourceType): Promise<boolean> {
  const res = await client.request('GET', apiPrefix(t), { timeoutMs: 10_000 });
  if (res.status !== 200) return false;
  try {
    const list = JSON.parse(res.body) as { resources?: { name?: string }[] };
    return (list.resources ?? []).some((r) => r.name === t.plural);
  } catch {
    return false;
  }
}

/**
 * Whether the caller may list and watch this type (in `namespace`, or cluster-wide), asked with
 * SelfSubjectAccessReviews, which every authenticated user may create. Used for the optional
 * kinds only: without the permission their list would fail with 403 forever and the watcher would
 * never become ready. An error or an unexpected answer counts as allowed (the list then tells).
 */
export async function mayListWatch(client: Pick<KubeClient, 'request'>, t: ResourceType, namespace?: string): Promise<boolean> {
  for (const verb of ['list', 'watch']) {
    const res = await client.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      timeoutMs: 10_000,
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { group: t.group, resource: t.plural, verb, ...(namespace === undefined ? {} : { namespace }) } },
      },
    });
    if (res.status !== 201 && res.status !== 200) return true;
    try {
      if ((JSON.parse(res.body) as { status?: { allowed?: boolean } }).status?.allowed === false) return false;
    } catch {
      return true;
    }
  }
  return true;
}
