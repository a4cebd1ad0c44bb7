import { describe, expect, it } from 'vitest';
import { jobFromCronJob, recreatedJob, stampPodTemplate } from '../../../src/watch/jobs.js';
import { KSEC_ANN, type WorkloadRecord } from '../../../src/watch/policy.js';

const w = { kind: 'CronJob', namespace: 'ns', name: 'nightly', annotations: {}, podAnnotations: {}, refs: [], env: {}, firstContainer: 'main', paused: false } as WorkloadRecord;
const roll = { action: 'roll' as const, hash: 'h1' };
const podTemplate = () => ({
  metadata: { labels: { app: 'x', 'controller-uid': 'old', 'batch.kubernetes.io/controller-uid': 'old', 'job-name': 'j', 'batch.kubernetes.io/job-name': 'j' } },
  spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'i', env: [{ name: 'A', value: '1' }] }, { name: 'side', image: 'i' }] },
});

describe("CronJob: a Job created from the jobTemplate, as Reloader's CreateJobFromCronjob", () => {
  const cronJob = {
    metadata: { name: 'nightly', namespace: 'ns', uid: 'cj-uid', annotations: { 'reloader.stakater.com/auto': 'true' }, labels: { cj: 'label' } },
    spec: {
      schedule: '0 0 * * *',
      jobTemplate: { metadata: { labels: { tpl: 'l' }, annotations: { 'cronjob.kubernetes.io/instantiate': 'scheduled', other: 'a' } }, spec: { backoffLimit: 2, template: podTemplate() } },
    },
  };

  it('generateName, the jobTemplate labels, instantiate=manual overridden by jobTemplate annotations, a controller owner reference, the stamped spec', () => {
    const job = jobFromCronJob(cronJob, w, roll, 'annotations');
    expect(job.metadata).toEqual({
      generateName: 'nightly-',
      namespace: 'ns',
      labels: { tpl: 'l' },
      annotations: { 'cronjob.kubernetes.io/instantiate': 'scheduled', other: 'a' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }],
    });
    const spec = job.spec as any;
    expect(spec.backoffLimit).toBe(2);
    expect(spec.template.metadata.annotations).toEqual({ [KSEC_ANN.stamp]: 'h1' });
    // the CronJob itself is untouched
    expect((cronJob.spec.jobTemplate.spec.template.metadata as any).annotations).toBeUndefined();
    const bare = jobFromCronJob({ metadata: { name: 'c', namespace: 'ns', uid: 'u' }, spec: { jobTemplate: { spec: { template: podTemplate() } } } }, w, roll, 'annotations');
    expect((bare.metadata as any).annotations).toEqual({ 'cronjob.kubernetes.io/instantiate': 'manual' });
    expect((bare.metadata as any).labels).toBeUndefined();
  });

  it('env-vars: the variables on their containers', () => {
    const job = jobFromCronJob(cronJob, w, { ...roll, env: { STAKATER_CFG_CONFIGMAP: 'sha', A: '2' }, envContainers: { STAKATER_CFG_CONFIGMAP: 'side' } }, 'env-vars');
    const containers = (job.spec as any).template.spec.containers;
    expect(containers[0].env).toEqual([{ name: 'A', value: '2' }]);
    expect(containers[1].env).toEqual([{ name: 'STAKATER_CFG_CONFIGMAP', value: 'sha' }]);
    expect((job.spec as any).template.metadata.annotations).toBeUndefined();
  });
});

describe("Job: deleted and created again, as Reloader's ReCreateJobFromjob", () => {
  const job = () => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'migrate', namespace: 'ns', uid: 'u1', resourceVersion: '9', creationTimestamp: 't', generation: 1, managedFields: [{}], labels: { app: 'x' }, annotations: { keep: 'me' }, ownerReferences: [{ kind: 'CronJob', name: 'c', uid: 'c1' }] },
    spec: { backoffLimit: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template: podTemplate() },
    status: { succeeded: 1 },
  });

  it('same name and metadata without the server-set fields, no generated selector or derived labels, stamped and recorded', () => {
    const next = recreatedJob(job(), { ...w, kind: 'Job', name: 'migrate' }, roll, 'annotations') as any;
    expect(next.metadata).toEqual({ name: 'migrate', namespace: 'ns', labels: { app: 'x' }, annotations: { keep: 'me', [KSEC_ANN.recorded]: 'h1' }, ownerReferences: [{ kind: 'CronJob', name: 'c', uid: 'c1' }] });
    expect(next.status).toBeUndefined();
    expect(next.spec.selector).toBeUndefined();
    expect(next.spec.template.metadata).toEqual({ labels: { app: 'x' }, annotations: { [KSEC_ANN.stamp]: 'h1' } });
    expect(next.spec.backoffLimit).toBe(1);
  });

  it('manualSelector: true keeps its selector (Reloader would lose the Job)', () => {
    const manual = job();
    (manual.spec as any).manualSelector = true;
    expect((recreatedJob(manual, { ...w, kind: 'Job' }, roll, 'annotations') as any).spec.selector).toEqual(manual.spec.selector);
  });

  it('a removed variable is taken off every container', () => {
    const tpl: any = podTemplate();
    tpl.spec.containers[1].env = [{ name: 'STAKATER_X_SECRET', value: 'v' }];
    stampPodTemplate(tpl, w, { ...roll, env: {}, removeEnv: ['STAKATER_X_SECRET'] }, 'env-vars');
    expect(tpl.spec.containers[1].env).toEqual([]);
  });
});
