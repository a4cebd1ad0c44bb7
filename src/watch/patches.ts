/**
 * The patches the watcher sends to workloads (pure builders), and the one
 * function that sends them.
 *
 * The default strategy stamps the pod template with the hash of what the
 * workload references: idempotent, so a repeated patch (a restart, a leader
 * change, two watchers racing) changes nothing and rolls nothing. The
 * env-vars strategy sets Reloader's STAKATER_<NAME>_<TYPE> variables. Every
 * patch also records the hash on the workload's metadata (which rolls
 * nothing), so the next evaluation compares against it. Deployments with a
 * pause-period are paused by the rollout patch (see pause.ts for the resume).
 */
import type { KubeClient, KubeResponse } from '../kube/client.js';
import { parseDuration } from './duration.js';
import { ANN, DEFAULT_KEYS, KSEC_ANN, type AnnotationKeys, type Decision, type WorkloadRecord } from './policy.js';
import { objectPath, workloadType } from './resources.js';

export const STRATEGIC_MERGE = 'application/strategic-merge-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';

export interface Patch {
  contentType: string;
  body: Record<string, unknown>;
}

/** Path of the pod template inside each workload kind. */
export const TEMPLATE_PATH: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  Job: ['spec', 'template'],
  Rollout: ['spec', 'template'],
};

function nest(path: string[], leaf: Record<string, unknown>): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), leaf);
}

/** Custom resources (Argo Rollouts) do not accept strategic merge patches. */
function contentTypeFor(kind: string): string {
  return kind === 'Rollout' ? MERGE_PATCH : STRATEGIC_MERGE;
}

/** Records the hash on the workload metadata: no rollout. */
export function baselinePatch(w: WorkloadRecord, hash: string): Patch {
  return { contentType: contentTypeFor(w.kind), body: { metadata: { annotations: { [KSEC_ANN.recorded]: hash } } } };
}

/** The rollout patch for a decision to roll. */
export function rollPatch(
  w: WorkloadRecord,
  d: Extract<Decision, { action: 'roll' }>,
  strategy: 'annotations' | 'env-vars',
  now: Date,
  keys: Pick<AnnotationKeys, 'pausedAt'> = DEFAULT_KEYS,
): Patch {
  const path = TEMPLATE_PATH[w.kind] ?? ['spec', 'template'];
  const metaAnnotations: Record<string, string | null> = { [KSEC_ANN.recorded]: d.hash };
  const body: Record<string, unknown> = { metadata: { annotations: metaAnnotations } };
  if (w.kind === 'Rollout' && w.annotations[ANN.rolloutStrategy] === 'restart') {
    // Reloader's restart strategy for Argo Rollouts: the controller restarts the pods; the
    // template does not change (GitOps sees no drift). RFC 3339 in seconds, as Reloader writes it.
    body.spec = { restartAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z') };
    return { contentType: MERGE_PATCH, body };
  }
  // each variable goes on the container that holds it or uses its config (Reloader's choice), else the first
  const byContainer = new Map<string, Record<string, string>[]>();
  const add = (container: string | undefined, entry: Record<string, string>) => {
    if (container === undefined) return;
    let list = byContainer.get(container);
    if (!list) byContainer.set(container, (list = []));
    list.push(entry);
  };
  if (strategy === 'env-vars' && w.kind !== 'Rollout') {
    for (const [name, value] of Object.entries(d.env ?? {})) add(d.envContainers?.[name] ?? w.firstContainer, { name, value });
    // strategic merge: the $patch directive deletes the list entry with that name
    for (const name of d.removeEnv ?? []) add(w.envContainers?.[name] ?? w.firstContainer, { name, $patch: 'delete' });
  }
  let template: Record<string, unknown>;
  if (byContainer.size > 0) {
    // strategic merge: containers and env merge by name
    template = { spec: { containers: [...byContainer].map(([name, env]) => ({ name, env })) } };
  } else {
    template = { metadata: { annotations: { [KSEC_ANN.stamp]: d.hash } } };
  }
  Object.assign(body, nest(path, template));
  const pause = w.kind === 'Deployment' ? w.annotations[ANN.pausePeriod] : undefined;
  if (pause && parseDuration(pause) !== undefined && !w.paused) {
    (body.spec as Record<string, unknown>).paused = true;
    metaAnnotations[keys.pausedAt] = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return { contentType: contentTypeFor(w.kind), body };
}

/** Sends a patch to a workload; a status, or a throw when the request failed. */
export type PatchWorkload = (w: WorkloadRecord, p: Patch) => Promise<KubeResponse>;

/** PATCHes the workload (30 s timeout). */
export function patchWorkload(client: Pick<KubeClient, 'request'>, w: WorkloadRecord, p: Patch): Promise<KubeResponse> {
  return client.request('PATCH', objectPath(workloadType(w.kind), w.namespace, w.name), {
    body: p.body,
    contentType: p.contentType,
    timeoutMs: 30_000,
  });
}
