/**
 * Argo Rollouts on the real apiserver: the Rollout CRD (test/fixtures/watch,
 * the real group/kind/version with a trimmed schema) is created if absent and
 * never deleted. The watcher runs in-cluster with the chart's RBAC
 * (argoRollouts.enabled=true) and only that, so the chart's rules for
 * rollouts are exercised too. Rollouts are counted as pod-template changes
 * seen by an independent watch; both strategies are covered (env-vars stamps
 * Rollouts with the pod-template annotation: they take merge patches only).
 * A watcher started before the CRD existed is covered against a private
 * apiserver in restart.test.ts, where the CRD can be absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testbed, type Testbed } from '../testbed/env.js';
import { ANN, KSEC_ANN } from '../../../src/watch/policy.js';
import { renderChart } from './chart.js';
import { CANARY, TemplateWatch, WatcherProcess, deployment, ensureRolloutCrd, envFrom, eventually, inClusterEnv, kube, rollout } from './helpers.js';

let bed: Testbed;
let k: ReturnType<typeof kube>;
const namespaces: string[] = [];
const watchers: WatcherProcess[] = [];
const clusterScoped: string[] = [];
let token: string;

const PATHS: Record<string, (ns: string) => string> = {
  ServiceAccount: (n) => `/api/v1/namespaces/${n}/serviceaccounts`,
  ClusterRole: () => '/apis/rbac.authorization.k8s.io/v1/clusterroles',
  ClusterRoleBinding: () => '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
};

const ROLLOUTS = '/apis/argoproj.io/v1alpha1/namespaces';

/** A namespace with cfg (ConfigMap), sec (Secret, canary value) and three Rollouts: auto, named (reload: cfg), plain (no annotation). */
async function setUp(prefix: string): Promise<{ ns: string; tw: TemplateWatch }> {
  const ns = await k.namespace(prefix);
  namespaces.push(ns);
  await k.configMap(ns, 'cfg', { k: 'v1' });
  await k.secret(ns, 'sec', { password: CANARY });
  await k.ok('POST', `${ROLLOUTS}/${ns}/rollouts`, rollout('auto', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('cfg', 'sec') }));
  await k.ok('POST', `${ROLLOUTS}/${ns}/rollouts`, rollout('named', { podAnnotations: { [ANN.configmapReload]: 'cfg' }, spec: envFrom('cfg', 'sec') }));
  await k.ok('POST', `${ROLLOUTS}/${ns}/rollouts`, rollout('plain', { spec: envFrom('cfg', 'sec') }));
  const tw = new TemplateWatch(bed, ns);
  await tw.start(['rollouts']);
  return { ns, tw };
}

async function startWatcher(ns: string, args: string[] = []): Promise<WatcherProcess> {
  const w = new WatcherProcess(['--debounce', '0s', '--namespaces', ns, ...args], inClusterEnv(bed.apiserverUrl, bed.caPem, token, ns).env);
  watchers.push(w);
  await w.waitFor('full evaluation');
  await eventually(() => Promise.resolve(w.count('recorded baseline')), (n) => n === 2, 30_000, 'baselines of auto and named');
  return w;
}

function reloads(w: WatcherProcess, ns: string): Promise<number> {
  return w.metric(`ksec_watch_reloads_total{kind="Rollout",namespace="${ns}",result="success"}`);
}

async function template(ns: string, name: string): Promise<any> {
  return (await k.get(`${ROLLOUTS}/${ns}/rollouts/${name}`)).spec.template;
}

/** cfg changes: auto and named roll once; then sec changes: only auto rolls; plain never. */
async function proveRolls(w: WatcherProcess, ns: string, tw: TemplateWatch): Promise<void> {
  const rev = () => ({ auto: tw.revision('rollouts', 'auto'), named: tw.revision('rollouts', 'named'), plain: tw.revision('rollouts', 'plain') });
  expect(rev()).toEqual({ auto: 1, named: 1, plain: 1 });
  await k.setData(ns, 'configmaps', 'cfg', { k: 'v2' });
  await eventually(async () => rev(), (r) => r.auto === 2 && r.named === 2, 30_000, 'rollouts after the ConfigMap change');
  await k.setData(ns, 'secrets', 'sec', { password: `${CANARY}-2` });
  await eventually(async () => rev().auto, (n) => n === 3, 30_000, 'rollout after the Secret change');
  await eventually(() => reloads(w, ns), (n) => n === 3, 10_000, 'reload counter');
  expect(rev()).toEqual({ auto: 3, named: 2, plain: 1 });
  const stamped = await template(ns, 'auto');
  expect(stamped.metadata.annotations[KSEC_ANN.stamp]).toMatch(/^[0-9a-f]{12,}$/);
  expect((await template(ns, 'plain')).metadata.annotations ?? {}).not.toHaveProperty(KSEC_ANN.stamp);
  expect(w.count('rolled', (l) => String(l.workload).startsWith('Rollout/'))).toBe(3);
  expect(w.raw).not.toMatch(/forbidden|HTTP 403/i);
  expect(w.raw + (await w.metrics())).not.toContain(CANARY);
}

beforeAll(async () => {
  bed = testbed();
  k = kube(bed);
  await ensureRolloutCrd((m, p, b) => bed.request(m, p, b));
  // the chart's RBAC, cluster-wide rules only (no leader election here)
  const sa = await chartServiceAccount('watch-ro-sa', ['argoRollouts.enabled=true']);
  expect(sa.rules).toContainEqual({ apiGroups: ['argoproj.io'], resources: ['rollouts'], verbs: ['get', 'list', 'watch', 'patch'] });
  token = sa.token;
});

afterAll(async () => {
  for (const w of watchers) await w.stop('SIGKILL');
  for (const p of clusterScoped) await bed.request('DELETE', p);
  for (const ns of namespaces) await k.deleteNamespace(ns);
});

/** Creates the chart's ServiceAccount and cluster-wide RBAC for a release in its own namespace; returns a token. */
async function chartServiceAccount(prefix: string, sets: string[]): Promise<{ token: string; rules: unknown[] }> {
  const home = await k.namespace(prefix);
  namespaces.push(home);
  const { docs } = await renderChart(bed, home, home, [...sets, 'leaderElection.enabled=false']);
  for (const d of docs) {
    const path = PATHS[d.kind];
    if (!path) continue;
    await k.ok('POST', path(home), d);
    if (d.kind.startsWith('Cluster')) clusterScoped.push(`${path(home)}/${d.metadata.name}`);
  }
  const sa = docs.find((d) => d.kind === 'ServiceAccount').metadata.name;
  return { token: await bed.serviceAccountToken(home, sa, 3600), rules: docs.find((d) => d.kind === 'ClusterRole').rules };
}

describe('ksec watch: Argo Rollouts', () => {
  it('default strategy: stamps the Rollout pod template once per real change, with the chart RBAC', async () => {
    const { ns, tw } = await setUp('watch-ro-a');
    const w = await startWatcher(ns);
    await proveRolls(w, ns, tw);
    tw.stop();
  });

  it('env-vars strategy: Rollouts are stamped with the pod-template annotation (no env var), once per change', async () => {
    const { ns, tw } = await setUp('watch-ro-e');
    const w = await startWatcher(ns, ['--reload-strategy', 'env-vars']);
    await proveRolls(w, ns, tw);
    const containers = (await template(ns, 'auto')).spec.containers as { env?: { name: string }[] }[];
    expect(containers.flatMap((c) => c.env ?? []).filter((e) => e.name.startsWith('STAKATER_'))).toEqual([]);
    tw.stop();
  });

  it("reloader.stakater.com/rollout-strategy: restart sets spec.restartAt once per change and leaves the template alone (Reloader's restart strategy)", async () => {
    const ns = await k.namespace('watch-ro-r');
    namespaces.push(ns);
    await k.configMap(ns, 'cfg', { k: 'v1' });
    await k.ok('POST', `${ROLLOUTS}/${ns}/rollouts`, rollout('restarted', { annotations: { [ANN.auto]: 'true', [ANN.rolloutStrategy]: 'restart' }, spec: envFrom('cfg') }));
    const tw = new TemplateWatch(bed, ns);
    await tw.start(['rollouts']);
    const w = new WatcherProcess(['--debounce', '0s', '--namespaces', ns], inClusterEnv(bed.apiserverUrl, bed.caPem, token, ns).env);
    watchers.push(w);
    await w.waitFor('full evaluation');
    await eventually(() => Promise.resolve(w.count('recorded baseline')), (n) => n === 1, 30_000, 'baseline');
    expect((await k.get(`${ROLLOUTS}/${ns}/rollouts/restarted`)).spec.restartAt).toBeUndefined();
    await k.setData(ns, 'configmaps', 'cfg', { k: 'v2' });
    const restarted = await eventually(() => k.get(`${ROLLOUTS}/${ns}/rollouts/restarted`), (o) => typeof o.spec.restartAt === 'string', 30_000, 'spec.restartAt');
    expect(restarted.spec.restartAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(tw.revision('rollouts', 'restarted')).toBe(1);
    expect(w.count('rolled')).toBe(1);
    tw.stop();
  });

  it('without RBAC for rollouts (and without the chart\'s --ignored-workload-types) it leaves them out with a warning and still works', async () => {
    const sa = await chartServiceAccount('watch-ro-norbac', []);
    expect(JSON.stringify(sa.rules)).not.toContain('rollouts');
    const ns = await k.namespace('watch-ro-n');
    namespaces.push(ns);
    await k.configMap(ns, 'cfg', { k: 'v1' });
    await k.ok('POST', `${ROLLOUTS}/${ns}/rollouts`, rollout('ro', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('cfg') }));
    await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment('dep', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('cfg') }));
    const tw = new TemplateWatch(bed, ns);
    await tw.start(['deployments', 'rollouts']);
    const w = new WatcherProcess(['--debounce', '0s', '--namespaces', ns], inClusterEnv(bed.apiserverUrl, bed.caPem, sa.token, ns).env);
    watchers.push(w);
    await w.waitFor('not allowed to list and watch rollouts; not watching them');
    await w.waitFor('full evaluation');
    await k.setData(ns, 'configmaps', 'cfg', { k: 'v2' });
    await eventually(async () => tw.revision('deployments', 'dep'), (n) => n === 2, 30_000, 'the Deployment rolled');
    expect(tw.revision('rollouts', 'ro')).toBe(1);
    expect(w.raw).not.toMatch(/HTTP 403/);
    tw.stop();
  });
});
