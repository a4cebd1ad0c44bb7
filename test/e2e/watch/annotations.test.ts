/**
 * ksec watch against the real kube-apiserver: every Reloader annotation form,
 * every workload kind, no patch on restart, a change made while stopped rolls
 * exactly once, debounce coalesces, bad annotations are logged and skipped.
 * A rollout is counted as a change of the pod template, seen by an
 * independent watch (TemplateWatch); the baseline the watcher records on first
 * sight lives in the workload's metadata and must never change the template.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testbed, type Testbed } from '../testbed/env.js';
import { ANN, KSEC_ANN } from '../../../src/watch/policy.js';
import { CANARY, TemplateWatch, WatcherProcess, deployment, envFrom, eventually, kube } from './helpers.js';

let bed: Testbed;
let k: ReturnType<typeof kube>;
let ns: string;
let tw: TemplateWatch;
const watchers: WatcherProcess[] = [];

function start(args: string[] = []): WatcherProcess {
  const w = new WatcherProcess(['--kubeconfig', bed.kubeconfig, '--namespaces', ns, '--debounce', '0s', ...args]);
  watchers.push(w);
  return w;
}

async function generation(kind: string, name: string): Promise<number> {
  return tw.revision(kind, name);
}

async function generations(names: string[]): Promise<Record<string, number>> {
  return tw.deployments(names);
}

const DEPLOYMENTS: Record<string, Parameters<typeof deployment>[1]> = {
  auto: { annotations: { [ANN.auto]: 'true' }, spec: envFrom('cm-a', 's1') },
  cmauto: { annotations: { [ANN.configmapAuto]: 'true' }, spec: envFrom('cm-a', 's1') },
  secretauto: { annotations: { [ANN.secretAuto]: 'true' }, spec: envFrom('cm-a', 's1') },
  reload: { annotations: { [ANN.configmapReload]: 'app-.*' } },
  secretreload: { annotations: { [ANN.secretReload]: 's1' } },
  search: { annotations: { [ANN.search]: 'true' }, spec: envFrom('cm-x', undefined) },
  searchnomatch: { annotations: { [ANN.search]: 'true' }, spec: envFrom('cm-b', undefined) },
  ignored: { annotations: { [ANN.auto]: 'true' }, spec: envFrom('cm-ign', undefined) },
  exclude: { annotations: { [ANN.auto]: 'true', [ANN.configmapExclude]: 'cm-b' }, spec: { envFrom: [{ configMapRef: { name: 'cm-a' } }, { configMapRef: { name: 'cm-b' } }] } },
  podtpl: { podAnnotations: { [ANN.auto]: 'true' }, spec: envFrom('cm-b', undefined) },
  plain: { spec: envFrom('cm-a', 's1') },
  badregex: { annotations: { [ANN.configmapReload]: 'app-1,([bad' } },
  autofalse: { annotations: { [ANN.auto]: 'false' }, spec: envFrom('cm-a', undefined) },
};
const NAMES = Object.keys(DEPLOYMENTS);

beforeAll(async () => {
  bed = testbed();
  k = kube(bed);
  ns = await k.namespace('watch-ann');
  await k.configMap(ns, 'cm-a', { k: 'v1' });
  await k.configMap(ns, 'cm-b', { k: 'v1' });
  await k.configMap(ns, 'cm-x', { k: 'v1' }, { [ANN.match]: 'true' });
  await k.configMap(ns, 'cm-ign', { k: 'v1' }, { [ANN.ignore]: 'true' });
  await k.configMap(ns, 'app-1', { k: 'v1' });
  await k.configMap(ns, 'app-2', { k: 'v1' });
  await k.secret(ns, 's1', { password: CANARY });
  for (const [name, opts] of Object.entries(DEPLOYMENTS)) {
    await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment(name, opts));
  }
  // the other workload kinds, all auto on cm-k
  const tpl = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'app', image: 'registry.invalid/app:1', envFrom: [{ configMapRef: { name: 'cm-k' } }] }], restartPolicy: 'OnFailure' } };
  await k.configMap(ns, 'cm-k', { k: 'v1' });
  const auto = { [ANN.auto]: 'true' };
  await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, {
    metadata: { name: 'sts', annotations: auto },
    spec: { serviceName: 'sts', selector: { matchLabels: { app: 'x' } }, template: { ...tpl, spec: { ...tpl.spec, restartPolicy: 'Always' } } },
  });
  await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, {
    metadata: { name: 'ds', annotations: auto },
    spec: { selector: { matchLabels: { app: 'x' } }, template: { ...tpl, spec: { ...tpl.spec, restartPolicy: 'Always' } } },
  });
  await k.ok('POST', `/apis/batch/v1/namespaces/${ns}/cronjobs`, {
    metadata: { name: 'cj', annotations: auto },
    spec: { schedule: '0 0 1 1 *', jobTemplate: { spec: { template: tpl } } },
  });
  tw = new TemplateWatch(bed, ns);
  await tw.start();
});

afterAll(async () => {
  tw?.stop();
  for (const w of watchers) await w.stop('SIGKILL');
  if (ns) await k.deleteNamespace(ns);
});

describe('ksec watch: annotations and kinds', () => {
  it('meets every workload without rolling it, then rolls exactly the workloads each change concerns', async () => {
    const w = start();
    await w.waitFor('full evaluation');
    // every managed workload gets its baseline on its metadata; none is rolled
    const managed = NAMES.filter((n) => n !== 'plain');
    await eventually(
      async () => Promise.all(managed.map((n) => k.get(`/apis/apps/v1/namespaces/${ns}/deployments/${n}`))),
      (objs) => objs.every((o) => typeof o.metadata.annotations?.[KSEC_ANN.recorded] === 'string'),
      30_000,
      'baselines',
    );
    const plain = await k.get(`/apis/apps/v1/namespaces/${ns}/deployments/plain`);
    expect(plain.metadata.annotations?.[KSEC_ANN.recorded]).toBeUndefined();
    expect(await generations(NAMES)).toEqual(Object.fromEntries(NAMES.map((n) => [n, 1])));

    const expected: Record<string, number> = Object.fromEntries(NAMES.map((n) => [n, 1]));
    const step = async (kind: 'configmaps' | 'secrets', name: string, value: string, rolls: string[]) => {
      await k.setData(ns, kind, name, kind === 'secrets' ? { password: `${CANARY}-${value}` } : { k: value });
      for (const r of rolls) expected[r]! += 1;
      await eventually(() => generations(rolls), (g) => rolls.every((r) => g[r] === expected[r]), 30_000, `rollouts after ${name}`);
      expect(await generations(NAMES)).toEqual(expected);
    };
    await step('configmaps', 'cm-a', 'v2', ['auto', 'cmauto', 'exclude']);
    await step('secrets', 's1', 'v2', ['auto', 'secretauto', 'secretreload']);
    await step('configmaps', 'app-1', 'v2', ['reload', 'badregex']);
    await step('configmaps', 'app-2', 'v2', ['reload']);
    await step('configmaps', 'cm-x', 'v2', ['search']);
    await step('configmaps', 'cm-b', 'v2', ['podtpl']);
    // an ignored config rolls nothing: change it, then something else, and look again
    await k.setData(ns, 'configmaps', 'cm-ign', { k: 'v2' });
    await step('configmaps', 'cm-a', 'v3', ['auto', 'cmauto', 'exclude']);

    // the invalid regex was logged (once) and skipped; the watcher kept running
    expect(w.count('bad reloader annotation; entry skipped')).toBeGreaterThanOrEqual(1);
    expect(w.child.exitCode).toBeNull();
    // the rollout stamp is the pod-template annotation
    const auto = await k.get(`/apis/apps/v1/namespaces/${ns}/deployments/auto`);
    expect(auto.spec.template.metadata.annotations[KSEC_ANN.stamp]).toMatch(/^[0-9a-f]{64}$/);
    // a Reloaded event on the workload (with its uid, so kubectl describe shows it)
    const events = await k.get(`/api/v1/namespaces/${ns}/events`);
    const reloaded = events.items.find((e: any) => e.reason === 'Reloaded' && e.involvedObject.name === 'auto');
    expect(reloaded.involvedObject.uid).toBe(auto.metadata.uid);
    // metrics
    expect(await w.metrics()).toMatch(/ksec_watch_reloads_total\{kind="Deployment",namespace="[^"]+",result="success"\} \d+/);
    expect(w.raw).not.toContain(CANARY);
    expect(JSON.stringify(events)).not.toContain(CANARY);
  });

  it('rolls StatefulSets and DaemonSets; runs a CronJob at once (a Job from its jobTemplate, the CronJob unchanged, as Reloader)', async () => {
    const kinds = async () => ({ sts: await generation('statefulsets', 'sts'), ds: await generation('daemonsets', 'ds'), cj: await generation('cronjobs', 'cj') });
    const before = await kinds();
    expect(before).toEqual({ sts: 1, ds: 1, cj: 1 });
    await k.setData(ns, 'configmaps', 'cm-k', { k: 'v2' });
    await eventually(kinds, (g) => g.sts === 2 && g.ds === 2, 30_000, 'sts/ds rollouts');
    const jobs = await eventually(
      async () => ((await k.get(`/apis/batch/v1/namespaces/${ns}/jobs`)).items as any[]).filter((j) => j.metadata.generateName === 'cj-'),
      (list) => list.length === 1,
      30_000,
      'a Job created from the CronJob',
    );
    const cj = await k.get(`/apis/batch/v1/namespaces/${ns}/cronjobs/cj`);
    expect(cj.metadata.generation).toBe(1);
    expect(cj.spec.jobTemplate.spec.template.metadata?.annotations?.[KSEC_ANN.stamp]).toBeUndefined();
    const job = jobs[0];
    expect(job.metadata.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'cj', uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(job.metadata.annotations).toEqual({ 'cronjob.kubernetes.io/instantiate': 'manual' });
    expect(job.spec.template.metadata.annotations[KSEC_ANN.stamp]).toBe(cj.metadata.annotations[KSEC_ANN.recorded]);
  });

  it('a restart patches nothing; a change made while stopped rolls exactly once after start', async () => {
    const first = watchers[0]!;
    expect(await first.stop('SIGTERM')).toBe(0);
    const before = await generations(NAMES);

    const again = start();
    const pass = await again.waitFor('full evaluation');
    expect(pass).toMatchObject({ toRoll: 0, toBaseline: 0 });
    expect(await again.stop('SIGTERM')).toBe(0);
    expect(await generations(NAMES)).toEqual(before);

    // changed while nobody watches
    await k.setData(ns, 'configmaps', 'cm-a', { k: 'while-down' });
    const third = start();
    expect(await third.waitFor('full evaluation')).toMatchObject({ toRoll: 3 });
    const rolled = ['auto', 'cmauto', 'exclude'];
    await eventually(() => generations(rolled), (g) => rolled.every((r) => g[r] === before[r]! + 1), 30_000, 'catch-up rollouts');
    // a sentinel change proves the watcher has processed its own patches' echoes: still exactly one each
    await k.setData(ns, 'secrets', 's1', { password: `${CANARY}-v9` });
    await eventually(() => generations(['secretauto']), (g) => g.secretauto === before.secretauto! + 1, 30_000, 'sentinel');
    const after = await generations(NAMES);
    expect(after.cmauto).toBe(before.cmauto! + 1);
    expect(after.exclude).toBe(before.exclude! + 1);
    expect(after.auto).toBe(before.auto! + 2); // the change while down + the sentinel
    expect(after.plain).toBe(1);
  });

  it('--debounce turns a burst of changes into one rollout', async () => {
    await watchers.at(-1)!.stop('SIGTERM');
    const w = start(['--debounce', '2s']);
    await w.waitFor('full evaluation');
    const before = await generations(['auto', 'secretauto']);
    for (let i = 0; i < 4; i++) await k.setData(ns, 'configmaps', 'cm-a', { k: `burst-${i}` });
    await eventually(() => generations(['auto']), (g) => g.auto === before.auto! + 1, 30_000, 'debounced rollout');
    // sentinel: another workload's change, debounced too, then look again
    await k.setData(ns, 'secrets', 's1', { password: `${CANARY}-burst` });
    await eventually(() => generations(['secretauto']), (g) => g.secretauto === before.secretauto! + 1, 30_000, 'sentinel');
    // auto references s1 too: the s1 change is its second rollout (patched after secretauto's, so
    // wait for it rather than look at once); the four cm-a changes made one
    await w.waitFor('rolled', (l) => l.workload === `Deployment/${ns}/auto` && String(l.changed).includes('Secret/s1'));
    await eventually(() => generations(['auto']), (g) => g.auto! >= before.auto! + 2, 30_000, 'the s1 rollout of auto');
    expect((await generations(['auto'])).auto).toBe(before.auto! + 2);
    expect(w.count('rolled', (l) => l.workload === `Deployment/${ns}/auto`)).toBe(2);
  });

  it('--dry-run logs what it would roll and patches nothing', async () => {
    await watchers.at(-1)!.stop('SIGTERM');
    const w = start(['--dry-run']);
    await w.waitFor('full evaluation');
    const before = await generations(NAMES);
    await k.setData(ns, 'configmaps', 'cm-a', { k: 'dry' });
    await w.waitFor('dry-run: would roll', (l) => l.workload === `Deployment/${ns}/auto`);
    expect(await generations(NAMES)).toEqual(before);
  });
});
