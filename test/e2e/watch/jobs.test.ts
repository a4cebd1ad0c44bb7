/**
 * CronJobs and Jobs: ksec and the real stakater Reloader v1.4.14 side by side, each in its own
 * namespace with the same CronJob and Jobs. A config change makes both create a Job from the
 * CronJob's jobTemplate at once (the CronJob unchanged) and delete and re-create the Job, with
 * the same name, labels, annotations, owner references and spec (STAKATER_* variable included);
 * only ksec's own watch.ksec.dev/ annotation differs. The bed's controller-manager runs the
 * garbage collector but no job controller: Jobs get no pods, which is all this needs.
 * One Reloader at a time (it always binds :9090).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANN, KSEC_ANN } from '../../../src/watch/policy.js';
import { testbed, type Testbed } from '../testbed/env.js';
import { eventually, kube, WatcherProcess } from './helpers.js';
import { createProbe, ReloaderProcess, reloaderReady } from './reloader.js';

let bed: Testbed;
let k: ReturnType<typeof kube>;
let reloader: ReloaderProcess | undefined;
let ksec: WatcherProcess | undefined;
let nsR: string;
let nsK: string;

const podTemplate = (annotations: Record<string, string> = {}) => ({
  metadata: { labels: { app: 'batch' }, annotations },
  spec: {
    restartPolicy: 'Never',
    containers: [
      { name: 'main', image: 'registry.invalid/job:1', envFrom: [{ configMapRef: { name: 'cfg' } }] },
      { name: 'side', image: 'registry.invalid/side:1' },
    ],
  },
});

async function setUp(ns: string): Promise<void> {
  await k.configMap(ns, 'cfg', { k: 'v1' });
  await k.ok('POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, {
    metadata: { name: 'nightly', labels: { team: 'a' }, annotations: { [ANN.auto]: 'true' } },
    spec: {
      schedule: '0 3 1 1 *',
      jobTemplate: { metadata: { labels: { from: 'template' }, annotations: { note: 'kept' } }, spec: { backoffLimit: 1, template: podTemplate() } },
    },
  });
  // annotated on the pod template (Reloader's fallback), so it is managed by both
  await k.ok('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, {
    metadata: { name: 'migrate', labels: { team: 'a' }, annotations: { note: 'kept' } },
    spec: { backoffLimit: 2, template: podTemplate({ [ANN.configmapReload]: 'cfg' }) },
  });
  await k.ok('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, { metadata: { name: 'unmanaged' }, spec: { template: podTemplate() } });
}

const jobs = async (ns: string) => (await k.get(`/apis/batch/v1/namespaces/${ns}/jobs`)).items as any[];

/** A Job as both sides should have made it: server-set and ksec's own fields left out, names of generated objects normalized. */
function comparable(job: any, ns: string, cronJobUid: string): unknown {
  const meta = job.metadata;
  const drop = (o: Record<string, string> | undefined) => Object.fromEntries(Object.entries(o ?? {}).filter(([key]) => !key.startsWith('watch.ksec.dev/')));
  const uidLabels = (o: Record<string, string> | undefined) =>
    Object.fromEntries(Object.entries(o ?? {}).map(([key, val]) => [key, key.endsWith('controller-uid') ? 'UID' : key.endsWith('job-name') && val.startsWith('nightly-') ? 'GENERATED' : val]));
  const tpl = job.spec.template;
  return {
    name: meta.generateName ? `${meta.generateName}GENERATED` : meta.name,
    namespace: meta.namespace === ns ? 'NS' : meta.namespace,
    labels: uidLabels(meta.labels),
    annotations: drop(meta.annotations),
    ownerReferences: (meta.ownerReferences ?? []).map((o: any) => ({ ...o, uid: o.uid === cronJobUid ? 'CRONJOB' : o.uid })),
    spec: { ...job.spec, selector: 'GENERATED', template: { ...tpl, metadata: { ...tpl.metadata, labels: uidLabels(tpl.metadata.labels), annotations: drop(tpl.metadata.annotations) } } },
  };
}

beforeAll(async () => {
  bed = testbed();
  k = kube(bed);
  nsR = await k.namespace('watch-jobs-r');
  nsK = await k.namespace('watch-jobs-k');
  for (const ns of [nsR, nsK]) await setUp(ns);
  await createProbe(bed, nsR);
  reloader = await ReloaderProcess.start(bed, nsR, ['--reload-strategy=env-vars']);
  await reloaderReady(bed, nsR, reloader);
  ksec = new WatcherProcess(['--reload-strategy=env-vars', '--debounce=0s'], { KUBECONFIG: bed.kubeconfig, KUBERNETES_NAMESPACE: nsK });
  await ksec.waitFor('full evaluation', undefined, 60_000);
  await new Promise((res) => setTimeout(res, 1_000));
}, 900_000);

afterAll(async () => {
  await ksec?.stop();
  await reloader?.stop();
  for (const ns of [nsR, nsK]) if (ns) await k.deleteNamespace(ns);
});

describe('a config change: a Job from the CronJob at once, the Job re-created — as Reloader does', () => {
  const state = async (ns: string) => {
    const list = await jobs(ns);
    const cron = await k.get(`/apis/batch/v1/namespaces/${ns}/cronjobs/nightly`);
    return { cron, created: list.filter((j) => j.metadata.generateName === 'nightly-'), migrate: list.find((j) => j.metadata.name === 'migrate'), unmanaged: list.find((j) => j.metadata.name === 'unmanaged') };
  };

  it('meeting them changes nothing: no Job created, none re-created', async () => {
    for (const ns of [nsR, nsK]) {
      const s = await state(ns);
      expect(s.created).toEqual([]);
      expect(s.migrate.metadata.generation).toBe(1);
    }
    // ksec records its baseline on the metadata only
    const cron = await k.get(`/apis/batch/v1/namespaces/${nsK}/cronjobs/nightly`);
    expect(cron.metadata.annotations[KSEC_ANN.recorded]).toMatch(/^[0-9a-f]{64}$/);
  });

  for (const round of [1, 2]) {
    it(`change ${round}: the same Jobs on both sides`, async () => {
      const before = { r: await state(nsR), k: await state(nsK) };
      await k.setData(nsR, 'configmaps', 'cfg', { k: `v${round + 1}` });
      await k.setData(nsK, 'configmaps', 'cfg', { k: `v${round + 1}` });
      const done = (s: Awaited<ReturnType<typeof state>>, b: typeof before.r) => s.created.length === round && s.migrate !== undefined && s.migrate.metadata.uid !== b.migrate.metadata.uid;
      await eventually(() => state(nsR), (s) => done(s, before.r), 30_000, 'Reloader: a Job from the CronJob, the Job re-created');
      await eventually(() => state(nsK), (s) => done(s, before.k), 30_000, 'ksec: a Job from the CronJob, the Job re-created');
      await new Promise((res) => setTimeout(res, 2_000)); // nothing more on either side
      const r = await state(nsR);
      const kk = await state(nsK);
      expect([r.created.length, kk.created.length]).toEqual([round, round]);
      const newest = (s: typeof r) => s.created.sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name)).at(-1);
      expect(comparable(newest(kk), nsK, kk.cron.metadata.uid)).toEqual(comparable(newest(r), nsR, r.cron.metadata.uid));
      expect(comparable(kk.migrate, nsK, '')).toEqual(comparable(r.migrate, nsR, ''));
      // the variable Reloader sets, on the container using the config, in the new Jobs
      const env = (j: any) => j.spec.template.spec.containers[0].env;
      expect(env(newest(kk))).toEqual(env(newest(r)));
      expect(env(kk.migrate)).toEqual([{ name: 'STAKATER_CFG_CONFIGMAP', value: expect.stringMatching(/^[0-9a-f]{40}$/) }]);
      // the CronJob's template is untouched, the unmanaged Job too
      for (const [s, b] of [[r, before.r], [kk, before.k]] as const) {
        expect(s.cron.spec.jobTemplate).toEqual(b.cron.spec.jobTemplate);
        expect(s.unmanaged.metadata.uid).toBe(b.unmanaged.metadata.uid);
      }
    }, 90_000);
  }

  it('a restart of ksec creates no Job and re-creates none', async () => {
    const before = await state(nsK);
    await ksec!.stop();
    ksec = new WatcherProcess(['--reload-strategy=env-vars', '--debounce=0s'], { KUBECONFIG: bed.kubeconfig, KUBERNETES_NAMESPACE: nsK });
    await ksec.waitFor('full evaluation', undefined, 60_000);
    await new Promise((res) => setTimeout(res, 2_000));
    const after = await state(nsK);
    expect(after.created.length).toBe(before.created.length);
    expect(after.migrate.metadata.uid).toBe(before.migrate.metadata.uid);
  });
});
