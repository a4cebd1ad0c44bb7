/**
 * CronJobs and Jobs, reloaded as Reloader v1.4.14 reloads them (internal/pkg/callbacks
 * CreateJobFromCronjob, ReCreateJobFromjob):
 *
 * - a CronJob is not changed: a Job is created from its jobTemplate at once, named
 *   `<cronjob>-<random>` (generateName), with the jobTemplate's labels, the annotation
 *   `cronjob.kubernetes.io/instantiate: manual` (what `kubectl create job --from=cronjob/x`
 *   sets) overridden by the jobTemplate's annotations, a controller owner reference to the
 *   CronJob, and the jobTemplate's spec — with the reload stamp on its pod template (ksec's
 *   hash annotation, or the STAKATER_* variables with env-vars). ksec then records the hash on
 *   the CronJob's metadata (no template change), so the next evaluation knows it was handled;
 * - a Job's pod template is immutable, so it is deleted (propagation Background) and created
 *   again under the same name with the same metadata and spec, the stamp on its pod template,
 *   without the server-set fields (resourceVersion, uid, creationTimestamp, managedFields,
 *   status), the generated selector and the labels the API server derives from the old uid
 *   (controller-uid, job-name and their batch.kubernetes.io/ forms) on the pod template.
 *   One deliberate difference: a Job with `manualSelector: true` keeps its selector (Reloader
 *   drops it, the create is then refused, and the deleted Job is lost).
 *
 * The builders are pure; the two senders below talk to the API server.
 */
import type { KubeClient, KubeResponse } from '../kube/client.js';
import { isRecord } from '../manifest/objects.js';
import { KSEC_ANN, type Decision, type Strategy, type WorkloadRecord } from './policy.js';
import { collectionPath, objectPath, workloadType } from './resources.js';
import { baselinePatch, patchWorkload } from './patches.js';
import { sleep } from './backoff.js';

type Obj = Record<string, unknown>;
type Roll = Extract<Decision, { action: 'roll' }>;

const JOB_TYPE = workloadType('Job');
const CRONJOB_TYPE = workloadType('CronJob');

/** The pod-template labels the API server derives from a Job's uid and name. */
export const DERIVED_JOB_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name', 'job-name'] as const;

const obj = (v: unknown): Obj => (isRecord(v) ? v : {});
const clone = <T>(v: T): T => structuredClone(v);

/**
 * Puts the reload stamp on a pod template (in place): the hash annotation (annotations strategy,
 * or env-vars with no variable to set), or each variable of the decision on its container and the
 * removed ones taken off (env-vars).
 */
export function stampPodTemplate(template: Obj, w: WorkloadRecord, d: Roll, strategy: Strategy): void {
  const envOps = Object.keys(d.env ?? {}).length + (d.removeEnv?.length ?? 0);
  if (strategy === 'annotations' || envOps === 0) {
    // as rollPatch: without a variable to set, the hash annotation makes the change
    const meta = (template.metadata = obj(template.metadata));
    meta.annotations = { ...obj(meta.annotations), [KSEC_ANN.stamp]: d.hash };
    return;
  }
  const spec = obj(template.spec);
  const containers = Array.isArray(spec.containers) ? (spec.containers as unknown[]).filter(isRecord) : [];
  const find = (name: string | undefined) => containers.find((c) => c.name === name) ?? containers[0];
  for (const [name, value] of Object.entries(d.env ?? {})) {
    const c = find(d.envContainers?.[name] ?? w.firstContainer);
    if (!c) continue;
    const env = Array.isArray(c.env) ? (c.env as Obj[]) : (c.env = []);
    const existing = env.find((e) => isRecord(e) && e.name === name);
    if (existing) existing.value = value;
    else env.push({ name, value });
  }
  for (const name of d.removeEnv ?? []) {
    for (const c of containers) if (Array.isArray(c.env)) c.env = (c.env as Obj[]).filter((e) => !(isRecord(e) && e.name === name));
  }
}

/** The Job Reloader creates from a CronJob (see the header), stamped for this decision. */
export function jobFromCronJob(cronJob: Obj, w: WorkloadRecord, d: Roll, strategy: Strategy): Obj {
  const meta = obj(cronJob.metadata);
  const jobTemplate = obj(obj(cronJob.spec).jobTemplate);
  const tplMeta = obj(jobTemplate.metadata);
  const spec = clone(obj(jobTemplate.spec));
  spec.template = obj(spec.template);
  stampPodTemplate(spec.template as Obj, w, d, strategy);
  const metadata: Obj = {
    generateName: `${String(meta.name)}-`,
    namespace: meta.namespace,
    annotations: { 'cronjob.kubernetes.io/instantiate': 'manual', ...obj(tplMeta.annotations) },
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: meta.name, uid: meta.uid, controller: true, blockOwnerDeletion: true }],
  };
  if (isRecord(tplMeta.labels)) metadata.labels = clone(tplMeta.labels);
  return { apiVersion: 'batch/v1', kind: 'Job', metadata, spec };
}

/** The Job Reloader creates in place of a Job (see the header), stamped and recorded for this decision. */
export function recreatedJob(job: Obj, w: WorkloadRecord, d: Roll, strategy: Strategy): Obj {
  const out = clone(job);
  const meta = (out.metadata = obj(out.metadata));
  for (const k of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']) delete meta[k];
  meta.annotations = { ...obj(meta.annotations), [KSEC_ANN.recorded]: d.hash };
  delete out.status;
  const spec = (out.spec = obj(out.spec));
  if (spec.manualSelector !== true) delete spec.selector;
  const template = (spec.template = obj(spec.template));
  const tplMeta = (template.metadata = obj(template.metadata));
  if (isRecord(tplMeta.labels)) for (const l of DERIVED_JOB_LABELS) delete tplMeta.labels[l];
  stampPodTemplate(template, w, d, strategy);
  return { apiVersion: 'batch/v1', kind: 'Job', ...out };
}

const ok = (res: KubeResponse): KubeResponse => (res.status === 201 || res.status === 200 ? { ...res, status: 200 } : res);

/**
 * Runs a CronJob now: GETs it, creates the Job, records the hash on the CronJob's metadata.
 * Resolves 200 when the Job was created; the API's answer otherwise (404: the CronJob is gone).
 */
export async function runCronJobNow(client: Pick<KubeClient, 'request'>, w: WorkloadRecord, d: Roll, strategy: Strategy): Promise<KubeResponse> {
  const got = await client.request('GET', objectPath(CRONJOB_TYPE, w.namespace, w.name), { timeoutMs: 30_000 });
  if (got.status !== 200) return got;
  const job = jobFromCronJob(JSON.parse(got.body) as Obj, w, d, strategy);
  const created = ok(await client.request('POST', collectionPath(JOB_TYPE, w.namespace), { body: job, timeoutMs: 30_000 }));
  if (created.status !== 200) return created;
  // the Job exists: recording is best effort (a failure means one more Job at the next evaluation)
  for (let attempt = 1; attempt <= 3; attempt++) {
    const rec = await patchWorkload(client, w, baselinePatch(w, d.hash)).catch(() => undefined);
    if (rec?.status === 200 || rec?.status === 404) break;
    await sleep(500 * attempt);
  }
  return created;
}

/**
 * Deletes a Job and creates it again (see the header). The new Job is built before the delete;
 * its create is retried (the name may still be held for a moment) so the Job is not lost.
 */
export async function recreateJob(client: Pick<KubeClient, 'request'>, w: WorkloadRecord, d: Roll, strategy: Strategy): Promise<KubeResponse> {
  const path = objectPath(JOB_TYPE, w.namespace, w.name);
  const got = await client.request('GET', path, { timeoutMs: 30_000 });
  if (got.status !== 200) return got;
  const current = JSON.parse(got.body) as Obj;
  const next = recreatedJob(current, w, d, strategy);
  const uid = obj(current.metadata).uid;
  const del = await client.request('DELETE', path, {
    body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', ...(typeof uid === 'string' ? { preconditions: { uid } } : {}) },
    timeoutMs: 30_000,
  });
  if (del.status !== 200 && del.status !== 202) return del;
  let res: KubeResponse = del;
  for (let attempt = 1; attempt <= 8; attempt++) {
    res = ok(await client.request('POST', collectionPath(JOB_TYPE, w.namespace), { body: next, timeoutMs: 30_000 }).catch((err: Error) => ({ status: 0, body: JSON.stringify({ message: err.message }), headers: {} })));
    if (res.status === 200 || (res.status >= 400 && res.status < 500 && res.status !== 409 && res.status !== 429)) return res;
    await sleep(Math.min(250 * 2 ** attempt, 8_000));
  }
  return res;
}
