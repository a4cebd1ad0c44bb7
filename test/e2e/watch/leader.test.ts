/**
 * Two watcher processes with --leader-elect on a real Lease: only the leader
 * patches; kill -9 the leader, change a config in the gap, and the standby
 * takes over and rolls it exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testbed, type Testbed } from '../testbed/env.js';
import { ANN } from '../../../src/watch/policy.js';
import { TemplateWatch, WatcherProcess, deployment, envFrom, eventually, kube } from './helpers.js';

let bed: Testbed;
let k: ReturnType<typeof kube>;
let ns: string;
const procs: WatcherProcess[] = [];

let tw: TemplateWatch;
const gen = async (name: string) => tw.revision('deployments', name);

function candidate(name: string): WatcherProcess {
  const w = new WatcherProcess(
    ['--kubeconfig', bed.kubeconfig, '--namespaces', ns, '--debounce', '0s', '--leader-elect', '--lease-namespace', ns,
      '--lease-duration', '4s', '--renew-deadline', '3s', '--retry-period', '500ms'],
    { POD_NAME: name },
  );
  procs.push(w);
  return w;
}

beforeAll(async () => {
  bed = testbed();
  k = kube(bed);
  ns = await k.namespace('watch-ha');
  await k.configMap(ns, 'c1', { k: 'v1' });
  await k.configMap(ns, 'c2', { k: 'v1' });
  await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment('app', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('c1') }));
  await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment('other', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('c2') }));
  tw = new TemplateWatch(bed, ns);
  await tw.start(['deployments']);
});

afterAll(async () => {
  tw?.stop();
  for (const p of procs) await p.stop('SIGKILL');
  if (ns) await k.deleteNamespace(ns);
});

describe('ksec watch --leader-elect', () => {
  it('one leader patches; after kill -9 the standby takes over and rolls a change made in the gap exactly once', async () => {
    const a = candidate('watcher-a');
    await a.waitFor('became leader');
    const b = candidate('watcher-b');
    await b.waitFor('caches synced');
    const lease = await k.get(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/ksec-watch`);
    expect(lease.spec.holderIdentity).toBe('watcher-a');

    await k.setData(ns, 'configmaps', 'c1', { k: 'v2' });
    await eventually(() => gen('app'), (g) => g === 2, 30_000, 'leader rollout');
    await a.waitFor('rolled');
    expect(a.count('rolled')).toBe(1);
    expect(b.count('rolled')).toBe(0);
    expect(b.count('became leader')).toBe(0);

    await a.stop('SIGKILL');
    await k.setData(ns, 'configmaps', 'c1', { k: 'v3' });
    await b.waitFor('became leader', () => true, 30_000);
    await eventually(() => gen('app'), (g) => g === 3, 30_000, 'rollout by the new leader');
    // sentinel: another change proves b has processed its own patch's echo; still one rollout for v3
    await k.setData(ns, 'configmaps', 'c2', { k: 'v2' });
    await eventually(() => gen('other'), (g) => g === 2, 30_000, 'sentinel');
    expect(await gen('app')).toBe(3);
    expect(b.count('rolled', (l) => l.workload === `Deployment/${ns}/app`)).toBe(1);
    const after = await k.get(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/ksec-watch`);
    expect(after.spec.holderIdentity).toBe('watcher-b');
    expect(after.spec.leaseTransitions).toBe(1);
  });

  it('a leader stopped with SIGTERM releases the lease and the standby takes over at once, rolling nothing', async () => {
    const b = procs[1]!;
    const c = candidate('watcher-c');
    await c.waitFor('caches synced');
    const before = { app: await gen('app'), other: await gen('other') };
    expect(await b.stop('SIGTERM')).toBe(0);
    expect(b.count('released the lease')).toBe(1);
    const took = await c.waitFor('became leader', () => true, 30_000);
    expect(took).toBeTruthy();
    expect(await c.waitFor('full evaluation')).toMatchObject({ toRoll: 0, toBaseline: 0 });
    expect({ app: await gen('app'), other: await gen('other') }).toEqual(before);
  });
});
