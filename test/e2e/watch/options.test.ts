/**
 * Options on the real apiserver: the env-vars strategy (Reloader's variables,
 * Reloader-stamped workloads adopted without a restart), --namespace-selector,
 * Reloader's pause-period, --resources-to-ignore.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testbed, type Testbed } from '../testbed/env.js';
import { reloaderHash } from '../../../src/config-hash/reloader.js';
import { ANN, KSEC_ANN } from '../../../src/watch/policy.js';
import { CANARY, TemplateWatch, WatcherProcess, deployment, envFrom, eventually, kube, mergePatch } from './helpers.js';

let bed: Testbed;
let k: ReturnType<typeof kube>;
const namespaces: string[] = [];
const procs: WatcherProcess[] = [];
const watches: TemplateWatch[] = [];

async function ns(prefix: string, labels?: Record<string, string>): Promise<string> {
  const name = await k.namespace(prefix);
  namespaces.push(name);
  if (labels) await mergePatch(bed, `/api/v1/namespaces/${name}`, { metadata: { labels } });
  return name;
}

async function templates(namespace: string): Promise<TemplateWatch> {
  const tw = new TemplateWatch(bed, namespace);
  await tw.start(['deployments']);
  watches.push(tw);
  return tw;
}

function watcher(args: string[]): WatcherProcess {
  const w = new WatcherProcess(['--kubeconfig', bed.kubeconfig, '--debounce', '0s', ...args]);
  procs.push(w);
  return w;
}

beforeAll(() => {
  bed = testbed();
  k = kube(bed);
});

afterAll(async () => {
  for (const t of watches) t.stop();
  for (const p of procs) await p.stop('SIGKILL');
  for (const n of namespaces) await k.deleteNamespace(n);
});

describe('ksec watch options', () => {
  it('--reload-strategy env-vars: adopts a workload Reloader already stamped, then sets STAKATER_<NAME>_<TYPE> on change', async () => {
    const n = await ns('watch-env');
    const cm = await k.configMap(n, 'app-config.v1', { k: 'v1' });
    await k.secret(n, 'db', { password: CANARY });
    const stamped = reloaderHash({ apiVersion: 'v1', kind: 'ConfigMap', ...cm });
    // as Reloader leaves it: the variable with the current SHA-1
    await k.ok('POST', `/apis/apps/v1/namespaces/${n}/deployments`, deployment('reloaded', {
      annotations: { [ANN.configmapAuto]: 'true' },
      spec: { ...envFrom('app-config.v1'), env: [{ name: 'STAKATER_APP_CONFIG_V1_CONFIGMAP', value: stamped }] },
    }));
    await k.ok('POST', `/apis/apps/v1/namespaces/${n}/deployments`, deployment('fresh', { annotations: { [ANN.secretReload]: 'db' } }));
    const tw = await templates(n);
    const w = watcher(['--namespaces', n, '--reload-strategy', 'env-vars']);
    expect(await w.waitFor('full evaluation')).toMatchObject({ toRoll: 0 });
    await eventually(() => k.get(`/apis/apps/v1/namespaces/${n}/deployments/reloaded`), (o) => Boolean(o.metadata.annotations?.[KSEC_ANN.recorded]), 30_000, 'adoption');
    expect(tw.deployments(['reloaded', 'fresh'])).toEqual({ reloaded: 1, fresh: 1 });

    await k.setData(n, 'configmaps', 'app-config.v1', { k: 'v2' });
    await k.setData(n, 'secrets', 'db', { password: `${CANARY}-2` });
    await eventually(async () => tw.deployments(['reloaded', 'fresh']), (r) => r.reloaded === 2 && r.fresh === 2, 30_000, 'env-var rollouts');
    const reloaded = await k.get(`/apis/apps/v1/namespaces/${n}/deployments/reloaded`);
    const cmNow = await k.get(`/api/v1/namespaces/${n}/configmaps/app-config.v1`);
    const env = reloaded.spec.template.spec.containers[0].env;
    expect(env).toEqual([{ name: 'STAKATER_APP_CONFIG_V1_CONFIGMAP', value: reloaderHash({ apiVersion: 'v1', kind: 'ConfigMap', ...cmNow }) }]);
    expect(reloaded.spec.template.metadata.annotations?.[KSEC_ANN.stamp]).toBeUndefined();
    const fresh = await k.get(`/apis/apps/v1/namespaces/${n}/deployments/fresh`);
    expect(fresh.spec.template.spec.containers[0].env.map((e: any) => e.name)).toEqual(['STAKATER_DB_SECRET']);
    expect(w.raw).not.toContain(CANARY);
  });

  it('--namespace-selector acts only in matching namespaces', async () => {
    const label = `sel-${Math.random().toString(36).slice(2, 8)}`;
    const inside = await ns('watch-sel-in', { 'ksec-test': label });
    const outside = await ns('watch-sel-out');
    for (const n of [inside, outside]) {
      await k.configMap(n, 'cfg', { k: 'v1' });
      await k.ok('POST', `/apis/apps/v1/namespaces/${n}/deployments`, deployment('app', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('cfg') }));
    }
    const twIn = await templates(inside);
    const twOut = await templates(outside);
    // cluster-wide watch, filtered by the namespace labels
    const w = watcher(['--namespace-selector', `ksec-test=${label}`, '--ignored-workload-types', 'statefulsets,daemonsets,cronjobs,jobs']);
    await w.waitFor('full evaluation', () => true, 60_000);
    await eventually(() => k.get(`/apis/apps/v1/namespaces/${inside}/deployments/app`), (o) => Boolean(o.metadata.annotations?.[KSEC_ANN.recorded]), 30_000, 'baseline inside');
    await k.setData(outside, 'configmaps', 'cfg', { k: 'v2' });
    await k.setData(inside, 'configmaps', 'cfg', { k: 'v2' });
    await eventually(async () => twIn.revision('deployments', 'app'), (r) => r === 2, 30_000, 'rollout inside');
    expect(twOut.revision('deployments', 'app')).toBe(1);
    const out = await k.get(`/apis/apps/v1/namespaces/${outside}/deployments/app`);
    expect(out.metadata.annotations?.[KSEC_ANN.recorded]).toBeUndefined();
  });

  it("Reloader's pause-period pauses the Deployment with the rollout and resumes it after the period", async () => {
    const n = await ns('watch-pause');
    await k.configMap(n, 'cfg', { k: 'v1' });
    await k.ok('POST', `/apis/apps/v1/namespaces/${n}/deployments`, deployment('app', { annotations: { [ANN.auto]: 'true', [ANN.pausePeriod]: '3s' }, spec: envFrom('cfg') }));
    const w = watcher(['--namespaces', n]);
    await w.waitFor('full evaluation');
    await eventually(() => k.get(`/apis/apps/v1/namespaces/${n}/deployments/app`), (o) => Boolean(o.metadata.annotations?.[KSEC_ANN.recorded]), 30_000, 'baseline');
    await k.setData(n, 'configmaps', 'cfg', { k: 'v2' });
    const paused = await eventually(() => k.get(`/apis/apps/v1/namespaces/${n}/deployments/app`), (o) => o.spec.paused === true, 30_000, 'paused');
    expect(paused.metadata.annotations[ANN.pausedAt]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const resumed = await eventually(() => k.get(`/apis/apps/v1/namespaces/${n}/deployments/app`), (o) => !o.spec.paused, 30_000, 'resumed');
    expect(resumed.metadata.annotations[ANN.pausedAt]).toBeUndefined();
    await w.waitFor('resumed paused deployment');
  });

  it('--resources-to-ignore secrets: Secret changes roll nothing and Secrets are not even watched', async () => {
    const n = await ns('watch-ignore');
    await k.configMap(n, 'cfg', { k: 'v1' });
    await k.secret(n, 'sec', { password: CANARY });
    await k.ok('POST', `/apis/apps/v1/namespaces/${n}/deployments`, deployment('app', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('cfg', 'sec') }));
    const tw = await templates(n);
    const w = watcher(['--namespaces', n, '--resources-to-ignore', 'secrets']);
    await w.waitFor('full evaluation');
    await k.setData(n, 'secrets', 'sec', { password: `${CANARY}-2` });
    await k.setData(n, 'configmaps', 'cfg', { k: 'v2' });
    await eventually(async () => tw.revision('deployments', 'app'), (r) => r === 2, 30_000, 'configmap rollout');
    await w.waitFor('rolled');
    expect(w.logs.find((l) => l.msg === 'rolled')?.changed).toEqual(['ConfigMap/cfg']);
    expect(await w.metrics()).not.toContain('resource="secrets"');
  });
});
