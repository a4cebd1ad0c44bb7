/**
 * What the shared bed cannot be put through, on a PRIVATE etcd + kube-apiserver
 * started by this file (test/e2e/testbed/control-plane.ts), with
 * --watch-cache=false so watches are served by etcd directly:
 * - a real 410 Gone: etcd history is compacted past the watcher's
 *   resourceVersion; its next watch is refused by the apiserver itself
 *   (no proxy in between), it relists, rolls nothing, and still rolls a later
 *   change exactly once;
 * - a real apiserver restart: the process is stopped (SIGTERM) and started
 *   again on the same port with the same etcd and PKI; the watcher retries with
 *   backoff while it is down, reconnects, and rolls a change made afterwards
 *   exactly once and nothing else;
 * - the Argo Rollouts CRD installed after the watcher started: picked up by the
 *   periodic discovery check, its Rollouts baselined, then rolled once on change.
 * Rollouts are counted as pod-template changes seen by an independent watch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateControlPlane, type PrivateControlPlane } from '../testbed/control-plane.js';
import type { Testbed } from '../testbed/env.js';
import { ANN, KSEC_ANN } from '../../../src/watch/policy.js';
import { CANARY, TemplateWatch, WatcherProcess, deployment, ensureRolloutCrd, envFrom, eventually, kube, rollout } from './helpers.js';

let cp: PrivateControlPlane;
let k: ReturnType<typeof kube>;
let tw: TemplateWatch;
let w: WatcherProcess;
const ns = 'watch-private';

/** The helpers take the shared bed's shape; these are the parts they use. */
function asBed(c: PrivateControlPlane): Testbed {
  return { request: (m: string, p: string, b?: unknown) => c.request(m, p, b), apiserverUrl: c.url, caPem: c.caPem, adminToken: c.adminToken } as unknown as Testbed;
}

const rev = (name: string) => tw.revision('deployments', name);
const rolled = (name: string) => w.count('rolled', (l) => l.workload === `Deployment/${ns}/${name}`);

async function relists(): Promise<number> {
  return (await w.metrics())
    .split('\n')
    .filter((l) => l.startsWith('ksec_watch_relists_total{'))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

/** Changes r1: exactly one more rollout of r (and its log line), none of other. */
async function proveOneRoll(value: string): Promise<void> {
  const before = { r: rev('r'), other: rev('other'), rolled: rolled('r') };
  await k.setData(ns, 'configmaps', 'r1', { k: value });
  await eventually(async () => rev('r'), (n) => n === before.r + 1, 60_000, `rollout after ${value}`);
  await eventually(async () => rolled('r'), (n) => n === before.rolled + 1, 10_000, 'rolled log line');
  expect(rev('other')).toBe(before.other);
}

beforeAll(async () => {
  cp = await privateControlPlane({ extraApiserverArgs: ['--watch-cache=false'] });
  k = kube(asBed(cp));
  await k.ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  await k.configMap(ns, 'r1', { k: 'v1' });
  await k.configMap(ns, 'r2', { k: CANARY });
  await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment('r', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('r1') }));
  await k.ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment('other', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('r2') }));
  tw = new TemplateWatch(asBed(cp), ns);
  await tw.start(['deployments']);
  w = new WatcherProcess([
    '--kubeconfig', cp.kubeconfig,
    '--namespaces', ns,
    '--debounce', '0s',
    // watches end every 2-4 s, so each one soon restarts from the resourceVersion it holds
    '--watch-timeout', '4s',
    '--ignored-workload-types', 'statefulsets,daemonsets,cronjobs',
    '--rollouts-discovery-interval', '2s',
    '--no-events',
  ]);
  await w.waitFor('full evaluation');
  await eventually(() => Promise.resolve(w.count('recorded baseline')), (n) => n === 2, 30_000, 'baselines');
}, 180_000);

afterAll(async () => {
  tw?.stop();
  await w?.stop('SIGKILL');
  await cp?.stop();
}, 60_000);

describe('ksec watch against a private apiserver', () => {
  it('a 410 Gone sent by the apiserver itself (etcd compacted past the watch) relists, rolls nothing, and a later change rolls once', async () => {
    const before = { r: rev('r'), other: rev('other'), relists: await relists(), logs: w.logs.length, rolled: w.count('rolled') };
    // move etcd's revision past every resourceVersion the watcher holds (objects it does not watch), then drop the history
    for (let i = 0; i < 3; i++) await k.ok('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'bump-' } });
    await cp.compactEtcd(await cp.etcdRevision());
    const expired = await w.waitFor('watch expired, relisting', (l) => w.logs.indexOf(l) >= before.logs, 30_000);
    // the apiserver's own Status message (the fault proxy's injected 410s say other things)
    expect(expired.reason).toBe('The resourceVersion for the provided watch is too old.');
    await eventually(relists, (n) => n > before.relists, 30_000, 'relists after the 410');
    expect(w.count('rolled')).toBe(before.rolled);
    expect({ r: rev('r'), other: rev('other') }).toEqual({ r: before.r, other: before.other });
    await proveOneRoll('after-real-410');
  });

  it('survives a real apiserver restart: backoff while it is down, one rollout for a change made after it is back, nothing else', async () => {
    const before = { other: rev('other'), logs: w.logs.length };
    await cp.stopApiserver();
    // retried with growing, jittered delays while nothing listens on the port
    await eventually(
      async () => w.logs.slice(before.logs).filter((l) => l.msg === 'watch failed, retrying').map((l) => Number(l.attempt)),
      (attempts) => attempts.some((a) => a >= 3),
      60_000,
      'retries with backoff',
    );
    expect(w.child.exitCode).toBeNull();
    await cp.startApiserver();
    await tw.reconnect();
    const evaluationsBefore = w.count('full evaluation');
    await proveOneRoll('after-restart');
    expect(rev('other')).toBe(before.other);
    expect(w.count('full evaluation')).toBe(evaluationsBefore);
    // a later change still rolls once: the watches are really back
    await proveOneRoll('after-restart-2');
  });

  it('picks up the Argo Rollouts CRD installed after it started: baselines, then one rollout per change', async () => {
    expect(w.count('the Argo Rollouts API is not served (or discovery failed); not watching rollouts')).toBe(1);
    await ensureRolloutCrd((m, p, b) => cp.request(m, p, b));
    await k.ok('POST', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`, rollout('ro', { annotations: { [ANN.auto]: 'true' }, spec: envFrom('r1') }));
    const rtw = new TemplateWatch(asBed(cp), ns);
    await rtw.start(['rollouts']);
    try {
      await w.waitFor('the Argo Rollouts API is now served; watching rollouts', () => true, 30_000);
      await w.waitFor('recorded baseline', (l) => l.workload === `Rollout/${ns}/ro`, 30_000);
      expect(rtw.revision('rollouts', 'ro')).toBe(1);
      await proveOneRoll('after-crd');
      await eventually(async () => rtw.revision('rollouts', 'ro'), (n) => n === 2, 30_000, 'the Rollout rolled');
      const ro = await k.get(`/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/ro`);
      expect(ro.spec.template.metadata.annotations[KSEC_ANN.stamp]).toMatch(/^[0-9a-f]{12,}$/);
      expect(w.count('rolled', (l) => l.workload === `Rollout/${ns}/ro`)).toBe(1);
    } finally {
      rtw.stop();
    }
    expect(w.raw).not.toContain(CANARY);
  });
});
